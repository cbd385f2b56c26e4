/**
 * The gateway's choice within a pool (commands/gateway.ts) with the account index and its
 * own usage counts real, the rest stand-ins: what moves an account in the pool's order
 * (a request starting and ending, every node's counts read again) moves its turn.
 */
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { GatewayCore, type Chosen } from '../../src/commands/gateway.ts';
import type { Allocators } from '../../src/commands/allocators.ts';
import { initialAccountState } from '../../src/domain/account.ts';
import { initialLedger } from '../../src/domain/ledger.ts';
import { defaultPoolConfig } from '../../src/domain/pool.ts';
import { AccountIndex } from '../../src/projections/account-index.ts';
import { rosterCodec } from '../../src/store/codec.ts';
import { MemoryEventStore } from '../../src/store/memory.ts';
import type { SecretVault } from '../../src/store/secrets.ts';

const route = { model: 'm', upstreamModel: 'm', pools: [{ poolId: 'p', weight: 1, priority: 0, upstreamModel: 'm' }] };

function gatewayOf(strategy: 'least_used' | 'lru', useOn: () => Array<{ accountId: string; model: string; requests: number }>) {
  const accounts = new AccountIndex();
  for (const id of ['a', 'b', 'c']) accounts.set(id, { ...initialAccountState(), poolId: 'p', login: `${id}@example.test`, status: 'active' }, 1);
  const allocators = {
    get: async () => ({ current: { ledger: initialLedger(), config: { ...defaultPoolConfig, name: 'p', strategy } } }),
    shareWith: () => undefined,
  } as unknown as Allocators;
  const vault = { get: async () => null, readAhead: () => undefined } as unknown as SecretVault;
  const store = new MemoryEventStore(rosterCodec);
  return new GatewayCore(
    { store, vault, accounts, allocators, days: { timeZone: 'UTC', rollover: '00:00' }, useOn: async () => ({ rows: useOn(), position: '' }) },
    { routes: {}, prices: {}, retries: 0, maxInFlight: 2 }, store, 'node-1',
  );
}

const idOf = (chosen: Chosen | object) => ('accountId' in chosen ? chosen.accountId : undefined);

describe('the gateway\'s choice within a pool', () => {
  it('least_used: every node\'s counts, read again, move an account\'s turn', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-12-04T12:00:00Z') });
    try {
      let rows = [{ accountId: 'b', model: 'm', requests: 1 }, { accountId: 'c', model: 'm', requests: 2 }];
      const gateway = gatewayOf('least_used', () => rows);
      const first = await gateway.choose(route, new Set()) as Chosen;
      assert.equal(first.accountId, 'a', 'a served none today');
      first.done();
      // Another node served b twenty times; this node reads every node's counts again after 10 s.
      rows = [{ accountId: 'b', model: 'm', requests: 20 }, { accountId: 'c', model: 'm', requests: 2 }];
      mock.timers.tick(11_000);
      (await gateway.choose(route, new Set()) as Chosen).done(); // starts the read, in the background
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      // b was neither chosen nor tried since: only the read can have moved it behind c.
      assert.equal(idOf(await gateway.choose(route, new Set(['a']))), 'c', 'with a tried, c has served fewest');
    } finally {
      mock.timers.reset();
    }
  });

  it('least_used: requests under way come first; an account moves up when one of its requests ends', async () => {
    const gateway = gatewayOf('least_used', () => []);
    const one = await gateway.choose(route, new Set()) as Chosen;
    const two = await gateway.choose(route, new Set()) as Chosen;
    const three = await gateway.choose(route, new Set()) as Chosen;
    assert.deepEqual([one, two, three].map(idOf).sort(), ['a', 'b', 'c'], 'each serves one before any serves two');
    const four = await gateway.choose(route, new Set()) as Chosen;
    assert.equal(four.accountId, one.accountId, 'ties go by id');
    // The last chosen finishes: with ties broken by id, only its finishing can put it first.
    three.done();
    assert.equal(idOf(await gateway.choose(route, new Set())), three.accountId, 'the one that finished serves the next');
  });

  it('lru: the account given a request longest ago, whether or not its last request has ended', async () => {
    const gateway = gatewayOf('lru', () => []);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) {
      const chosen = await gateway.choose(route, new Set()) as Chosen;
      order.push(chosen.accountId);
      if (i % 2) chosen.done();
    }
    assert.deepEqual(order.slice(3), order.slice(0, 3), 'the same round again');
    assert.equal(new Set(order.slice(0, 3)).size, 3);
  });

  it('keeps one order per model, and drops one no request has walked for ten minutes when another is made', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-12-05T12:00:00Z') });
    try {
      const gateway = gatewayOf('lru', () => []);
      const models = () => [...(gateway['orders'].get('p')?.keys() ?? [])].map((name) => name.split('\u0000')[1]).sort();
      const ask = async (model: string) => (await gateway.choose({ ...route, model }, new Set()) as Chosen).done();
      await ask('m1');
      await ask('m2');
      assert.deepEqual(models(), ['m1', 'm2']);
      mock.timers.tick(9 * 60_000);
      await ask('m1');
      mock.timers.tick(2 * 60_000);
      await ask('m3');
      assert.deepEqual(models(), ['m1', 'm3'], 'm2 was idle 11 minutes, m1 two');
      // A model asked for again gets its order back, with every account.
      await ask('m2');
      assert.deepEqual(models(), ['m1', 'm2', 'm3']);
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const chosen = await gateway.choose({ ...route, model: 'm2' }, new Set()) as Chosen;
        seen.add(chosen.accountId);
        chosen.done();
      }
      assert.deepEqual([...seen].sort(), ['a', 'b', 'c']);
    } finally {
      mock.timers.reset();
    }
  });

  it('counts late tokens on the usage day their object finished; today when it does not say, or says a time to come', async () => {
    mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-12-04T00:05:00Z') });
    try {
      const gateway = gatewayOf('lru', () => []);
      const owner = { accountId: 'a', poolId: 'p', model: 'm', userId: 'u', keyId: 'k' };
      gateway.countLate(owner, { input: 3, output: 4, finishedAt: Date.parse('2026-12-03T23:58:00Z') });
      gateway.countLate(owner, { input: 5, output: 6 });
      gateway.countLate(owner, { input: 7, output: 8, finishedAt: Date.parse('2026-12-05T10:00:00Z') });
      await gateway.meter.flush();
      const [event] = await (gateway.meter as unknown as { store: { readStream(stream: string): Promise<Array<{ data: unknown }>> } }).store.readStream('gatewayusage-node-1');
      const rows = (event!.data as { rows: Array<{ day: string; inputTokens: number; requests: number }> }).rows;
      assert.deepEqual(rows.map((r) => [r.day, r.inputTokens, r.requests]).sort(), [['2026-12-03', 3, 0], ['2026-12-04', 12, 0]]);
    } finally {
      mock.timers.reset();
    }
  });

  it('hears from other nodes which accounts answered a model: such an account is not blamed for a request that failed everywhere', async () => {
    const gateway = gatewayOf('lru', () => []);
    const now = Date.now();
    const row = (accountId: string, requests: number, failures: number) => ({
      keyId: 'k', userId: 'u', accountId, poolId: 'p', model: 'm', day: '2026-12-07', requests, failures, inputTokens: 0, outputTokens: 0, estimated: 0, spend: 0,
    });
    const heard = (stream: string, at: number, rows: ReturnType<typeof row>[]) => gateway.usageFollower().apply({
      id: crypto.randomUUID(), type: 'GatewayUsageRecorded', data: { rows, at: new Date(at).toISOString() }, metadata: { actor: 'system:gateway', correlationId: 'c' },
      stream, revision: 0, position: String(at), recordedAt: new Date(at),
    } as never);
    assert.equal(gateway.blamed('a', 'm', true, now), true, 'nothing heard: maybe an outage');
    await heard('gatewayusage-node-2', now - 5_000, [row('a', 3, 1), row('b', 2, 2)]);
    assert.equal(gateway.blamed('a', 'm', true, now), false, 'a answered on node 2 five seconds ago');
    assert.equal(gateway.blamed('a', 'other', true, now), true, 'for another model it did not');
    assert.equal(gateway.blamed('b', 'm', true, now), true, 'b only failed');
    await heard('gatewayusage-node-2', now - 120_000, [row('a', 1, 0), row('b', 1, 0)]);
    assert.equal(gateway.blamed('b', 'm', true, now), true, 'two minutes ago shows nothing now');
    assert.equal(gateway.blamed('a', 'm', true, now), false, 'an older report does not undo a newer one');
    await heard('gatewayusage-node-1', now, [row('c', 1, 0)]);
    assert.equal(gateway.blamed('c', 'm', true, now), true, 'this node\'s own usage is told as it is served, not heard back');
  });

  it('gives a place that frees to each key in turn: one key\'s many waiting requests do not keep another\'s behind them', async () => {
    const gateway = gatewayOf('lru', () => []);
    // Three accounts, two requests each at once: key a holds all six places and has five more waiting.
    const held = await Promise.all(Array.from({ length: 6 }, () => gateway.choose(route, new Set(), 10_000, undefined, 'a'))) as Chosen[];
    const order: string[] = [];
    const waiting = (who: string) => gateway.choose(route, new Set(), 10_000, undefined, who).then((c) => {
      order.push(who);
      return c as Chosen;
    });
    const queued = [...Array.from({ length: 5 }, () => waiting('a')), waiting('b')];
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, [], 'every place is taken');
    held[0]!.done();
    held[1]!.done();
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['a', 'b'], 'b is served at the second place that frees, not after a\'s five');
    for (const c of held.slice(2)) c.done();
    const served = await Promise.all(queued);
    assert.equal(order.length, 6);
    for (const c of served) c.done();
  });
});
