/**
 * Rate limits on both stores, one suite: real PostgreSQL (the embedded default) and a real
 * redis-server. Two `RateLimits` on one store are two nodes: they count together. Requests
 * at once and a provider's rate on both stores too; budgets on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { Quotas } from '../../src/commands/quotas.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { Budgets } from '../../src/store/budgets.ts';
import { openRedis, RateLimits, type LimitStore } from '../../src/store/rate-limits.ts';
import { requestSlotsOn } from '../../src/store/request-slots.ts';
import { providerPaceOn } from '../../src/store/provider-pace.ts';
import { ProviderBuckets } from '../../src/workers/limits.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';
import { redisInstalled, startRedis, type TestRedis } from '../support/redis.ts';
import { until } from '../support/sandbox.ts';

let db: TestDatabase;
before(async () => {
  db = await testDatabase();
});
after(async () => db.drop());

function limiterSuite(name: string, open: () => Promise<{ store: LimitStore; close(): Promise<void> }>, skip?: string) {
  describe(`rate limits on ${name}`, { skip }, () => {
    let opened: Awaited<ReturnType<typeof open>>;
    let nodeA: RateLimits;
    let nodeB: RateLimits;
    let n = 0;
    const fresh = () => `k${++n}-${Date.now()}`;
    before(async () => {
      opened = await open();
      nodeA = new RateLimits(opened.store);
      nodeB = new RateLimits(opened.store);
    });
    after(async () => opened?.close());

    it('allows the limit, then refuses with the time to wait', async () => {
      const key = fresh();
      const limiter = nodeA.limiter('t1', 5, 60);
      for (let i = 0; i < 5; i++) assert.equal((await limiter.consume(key)).allowed, true);
      const refused = await limiter.consume(key);
      assert.equal(refused.allowed, false);
      assert.ok(!refused.allowed && refused.retryAfterMs > 0 && refused.retryAfterMs <= 60_000);
      assert.equal((await limiter.consume(fresh())).allowed, true, 'another key has its own count');
    });

    it('counts exactly under concurrency, across two nodes', async () => {
      const key = fresh();
      const verdicts = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? nodeA : nodeB).limiter('t2', 10, 60).consume(key)));
      assert.equal(verdicts.filter((v) => v.allowed).length, 10);
    });

    it('checks without taking, charges past the limit, and resets', async () => {
      const key = fresh();
      const limiter = nodeA.limiter('t3', 100, 60);
      assert.deepEqual(await limiter.check(key), { allowed: true, remaining: 100, resetMs: 60_000 }, 'no window yet: a whole one');
      assert.deepEqual(await limiter.check(key), { allowed: true, remaining: 100, resetMs: 60_000 });
      const taken = await limiter.consume(key, 30);
      assert.ok(taken.allowed && taken.remaining === 70 && taken.resetMs > 55_000 && taken.resetMs <= 60_000, JSON.stringify(taken));
      const checked = await limiter.check(key);
      assert.ok(checked.allowed && checked.remaining === 70 && checked.resetMs <= taken.resetMs, 'the window\'s end, as it nears');
      await limiter.charge(key, 150);
      assert.equal((await limiter.check(key)).allowed, false);
      assert.equal((await limiter.consume(key)).allowed, false);
      await limiter.reset(key);
      assert.equal((await limiter.consume(key)).allowed, true);
    });

    it('opens again when the window ends', async () => {
      const key = fresh();
      const limiter = nodeA.limiter('t4', 1, 1);
      assert.equal((await limiter.consume(key)).allowed, true);
      assert.equal((await limiter.consume(key)).allowed, false);
      await sleep(1100);
      assert.equal((await limiter.consume(key)).allowed, true);
    });
  });
}

limiterSuite('PostgreSQL', async () => ({ store: { kind: 'postgres', pool: db.pool }, close: async () => undefined }));

let redis: TestRedis | undefined;
limiterSuite('Redis', async () => {
  redis = await startRedis();
  const client: Redis = await openRedis(redis.url);
  return {
    store: { kind: 'redis', client },
    async close() {
      await client.quit();
      await redis!.stop();
    },
  };
}, redisInstalled() ? undefined : 'redis-server is not installed (.ci/run installs it)');

describe('budgets', () => {
  it('hold under concurrency: 50 reservations of 1 against a budget of 10, exactly 10 pass; settling gives back what was not spent', async () => {
    const budgets = new Budgets(db.pool);
    const verdicts = await Promise.all(Array.from({ length: 50 }, () => budgets.reserve('key:b1', '2026-12', 1, 10)));
    assert.equal(verdicts.filter(Boolean).length, 10);
    assert.deepEqual(await budgets.usage('key:b1', '2026-12'), { spent: 0, reserved: 10 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => budgets.settle('key:b1', '2026-12', 1, i < 4 ? 1 : 0)));
    assert.deepEqual(await budgets.usage('key:b1', '2026-12'), { spent: 4, reserved: 0 });
    const again = await Promise.all(Array.from({ length: 20 }, () => budgets.reserve('key:b1', '2026-12', 1, 10)));
    assert.equal(again.filter(Boolean).length, 6);
    assert.equal(await budgets.reserve('key:b1', '2026-11', 1, 10), true, 'another period has its own budget');
  });

  it('take a charge made after the fact, without a reservation, in a period never reserved in too; it counts against the next reservation', async () => {
    const budgets = new Budgets(db.pool);
    await Promise.all(Array.from({ length: 5 }, () => budgets.charge('key:late', '2026-12', 1.5)));
    assert.deepEqual(await budgets.usage('key:late', '2026-12'), { spent: 7.5, reserved: 0 });
    assert.equal(await budgets.reserve('key:late', '2026-12', 3, 10), false, 'only 2.5 left');
    assert.equal(await budgets.reserve('key:late', '2026-12', 2.5, 10), true);
    await budgets.charge('key:late', '2026-12', 4);
    assert.deepEqual(await budgets.usage('key:late', '2026-12'), { spent: 11.5, reserved: 2.5 }, 'past the limit: it was spent');
  });
});

function slotsSuite(name: string, open: () => Promise<{ store: LimitStore; url?: string; close(): Promise<void>; down?(): Promise<void> }>, skip?: string) {
  describe(`requests at once on ${name}`, { skip }, () => {
    let opened: Awaited<ReturnType<typeof open>>;
    const slotsOf = (ttlMs?: number) => requestSlotsOn(opened.store, ttlMs);
    before(async () => {
      opened = await open();
    });
    after(async () => opened?.close());

    it('hold under concurrency across two nodes: 40 takes of a scope of 10, exactly 10 pass; one given back (once) frees one place', async () => {
      const [nodeA, nodeB] = [slotsOf(), slotsOf()];
      try {
        const taken = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? nodeA : nodeB).take('key:s1', 10)));
        const held = taken.filter((give) => give !== undefined);
        assert.equal(held.length, 10);
        assert.equal(await nodeA.count('key:s1'), 10);
        assert.equal(await nodeB.take('key:s1', 10), undefined);
        assert.ok(await nodeB.take('key:s2', 10), 'another scope has its own places');
        await held[0]!();
        await held[0]!();
        assert.equal(await nodeA.count('key:s1'), 9);
        const again = await Promise.all(Array.from({ length: 5 }, () => nodeA.take('key:s1', 10)));
        assert.equal(again.filter(Boolean).length, 1);
      } finally {
        nodeA.stop();
        nodeB.stop();
      }
    });

    it('count in the key\'s scope and its user\'s: refused by either, a request holds no place in the other', async () => {
      const slots = slotsOf();
      const quotas = new Quotas(new RateLimits(opened.store), new Budgets(db.pool), slots);
      const scopes = [{ scope: 'key:q1', limits: { concurrentRequests: 5 } }, { scope: 'user:q1', limits: { concurrentRequests: 1 } }];
      try {
        const first = await quotas.start(scopes);
        await assert.rejects(quotas.start(scopes), (e: unknown) => e instanceof DomainError && e.code === 'rate_limited' && e.retryAfterSeconds === 1 && /user:q1: requests at once: limit of 1 reached/.test(e.detail));
        assert.deepEqual([await slots.count('key:q1'), await slots.count('user:q1')], [1, 1], 'the refused request gave its key\'s place back');
        await first();
        assert.deepEqual([await slots.count('key:q1'), await slots.count('user:q1')], [0, 0]);
        await (await quotas.start([{ scope: 'key:q2', limits: {} }]))();
        assert.equal(await slots.count('key:q2'), 0, 'no limit, no place taken');
      } finally {
        slots.stop();
      }
    });

    it('frees the places of a node that died when they expire, beside places still held, and renews those of requests still running', async () => {
      const alive = slotsOf(1500);
      const dead = slotsOf(300);
      try {
        const give = await alive.take('key:s3', 2);
        assert.ok(give);
        assert.ok(await dead.take('key:s3', 2));
        dead.stop();
        assert.equal(await alive.take('key:s3', 2), undefined);
        await sleep(400);
        assert.equal(await alive.count('key:s3'), 1, 'an expired place is not counted');
        const second = await alive.take('key:s3', 2);
        assert.ok(second, 'the dead node\'s place expired');
        // Held past their time to live: renewed every third of it, so still held.
        await sleep(2200);
        assert.equal(await alive.count('key:s3'), 2);
        assert.equal(await slotsOf().take('key:s3', 2), undefined);
        await give();
        await second();
        assert.equal(await alive.count('key:s3'), 0);
      } finally {
        alive.stop();
        dead.stop();
      }
    });

    if (name === 'Redis') {
      it('give a place back again once the store answers, when it did not as the request ended (not after its time to live)', async () => {
        const client = await openRedis(opened.url!);
        const slots = requestSlotsOn({ kind: 'redis', client }, 60_000);
        const other = slotsOf();
        try {
          const give = await slots.take('key:r0', 1);
          assert.ok(give);
          const ended = once(client, 'end');
          client.disconnect();
          await ended;
          await assert.rejects(give(), 'Redis did not answer the giving back');
          assert.equal(await other.count('key:r0'), 1, 'the place is still held');
          await client.connect();
          await until('the place given back', async () => (await other.count('key:r0')) === 0, 10_000);
          assert.ok(await other.take('key:r0', 1), 'the caller has its place again, well before the minute');
        } finally {
          slots.stop();
          other.stop();
          client.disconnect();
        }
      });

      it('refuse a request as unavailable (503), not pass it, when Redis does not answer', async () => {
        const slots = slotsOf();
        const quotas = new Quotas(new RateLimits(opened.store), new Budgets(db.pool), slots);
        await opened.down!();
        await assert.rejects(quotas.start([{ scope: 'key:r1', limits: { concurrentRequests: 5 } }]), (e: unknown) => e instanceof DomainError && e.code === 'unavailable' && /requests at once cannot be checked/.test(e.detail));
        slots.stop();
      });
    }
  });
}

slotsSuite('PostgreSQL', async () => ({ store: { kind: 'postgres', pool: db.pool }, close: async () => undefined }));

slotsSuite('Redis', async () => {
  const server = await startRedis();
  const client: Redis = await openRedis(server.url);
  let up = true;
  return {
    store: { kind: 'redis', client },
    url: server.url,
    async down() {
      up = false;
      await server.stop();
    },
    async close() {
      client.disconnect();
      if (up) await server.stop();
    },
  };
}, redisInstalled() ? undefined : 'redis-server is not installed (.ci/run installs it)');

function paceSuite(name: string, open: () => Promise<{ store: LimitStore; close(): Promise<void> }>, skip?: string) {
  describe(`a provider's rate on ${name}`, { skip }, () => {
    let opened: Awaited<ReturnType<typeof open>>;
    before(async () => {
      opened = await open();
    });
    after(async () => opened?.close());

    it('holds across two nodes: after the burst, one call an interval (10% under the rate), however the calls are spread', async () => {
      // 20 a second, bursts of 2: an interval of 1000 / 18 ms. Each node alone would allow twice as many.
      const spec = { id: `p-${Date.now()}`, limits: { ratePerSecond: 20, burst: 2 } };
      const nodes = [new ProviderBuckets(providerPaceOn(opened.store)), new ProviderBuckets(providerPaceOn(opened.store))];
      const interval = 1000 / 18;
      const started = performance.now();
      const times = (await Promise.all(Array.from({ length: 12 }, (_, i) => nodes[i % 2]!.take(spec).then(() => performance.now() - started)))).sort((a, b) => a - b);
      // The k-th call (from 0) goes no sooner than (k + 1 - burst) intervals after the first reservation (a millisecond's leeway for rounding).
      for (const [k, t] of times.entries()) assert.ok(t >= (k + 1 - 2) * interval - 1, `call ${k} went at ${t.toFixed(1)} ms`);
      assert.ok(times.at(-1)! < 12 * interval + 1000, 'and no slower than the rate and the jitter');
    });

    it('gives another provider its own slots', async () => {
      const pace = providerPaceOn(opened.store);
      const id = `q-${Date.now()}`;
      assert.equal(await pace.reserve(id, 100, 1), 0);
      assert.ok((await pace.reserve(id, 100, 1)) > 50, 'the second waits about an interval');
      assert.equal(await pace.reserve(`${id}-other`, 100, 1), 0);
    });
  });
}

paceSuite('PostgreSQL', async () => ({ store: { kind: 'postgres', pool: db.pool }, close: async () => undefined }));

paceSuite('Redis', async () => {
  const server = await startRedis();
  const client: Redis = await openRedis(server.url);
  return {
    store: { kind: 'redis', client },
    async close() {
      client.disconnect();
      await server.stop();
    },
  };
}, redisInstalled() ? undefined : 'redis-server is not installed (.ci/run installs it)');
