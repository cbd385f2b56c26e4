/**
 * kill -9 a server in the middle of a load; after a restart no acknowledged lease is lost,
 * the ledger is sound, and the read models catch up with the log.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { testDatabase, type TestDatabase } from '../support/db.ts';
import { client, newToken, seedPool, spawnServer, type ServerProcess } from '../support/servers.ts';
import { checkAcks, type Ack } from '../support/ledger.ts';

describe('a server killed during load', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  let env: Record<string, string>;
  const token = newToken();
  const started: ServerProcess[] = [];
  const accounts = 200;

  before(async () => {
    db = await testDatabase({ migrate: false });
    env = { ROSTER_DATABASE_URL: db.url, ROSTER_MASTER_KEY: randomBytes(32).toString('hex'), ROSTER_ADMIN_TOKEN: token, ROSTER_REAPER_INTERVAL_MS: '200' };
    started.push(await spawnServer(env));
    await seedPool(started[0]!.url, token, 'k', accounts, { defaultLeaseTtlMs: 60_000 });
  });
  after(async () => {
    await Promise.all(started.map((s) => s.stop()));
    await db.drop();
  });

  it('loses no acknowledged lease, and its read models catch up after the restart', async (t) => {
    const server = started[0]!;
    const c = client(server.url, token, 50);
    const acks: Ack[] = [];
    let failures = 0;
    let stop = false;
    const load = Promise.all(Array.from({ length: 50 }, async () => {
      while (!stop) {
        const a = await c.call('POST', '/v1/pools/k/sessions', { count: 1 }).catch(() => undefined);
        if (!a) {
          failures++;
          await sleep(10);
          continue;
        }
        if (a.status !== 201) continue;
        acks.push({ sessionId: a.body.sessionId, leaseSecret: a.body.leaseSecret, leases: a.body.leases.map((l: Ack['leases'][0]) => ({ accountId: l.accountId, fence: l.fence })) });
        if (Math.random() < 0.7) {
          await c.call('POST', `/v1/pools/k/sessions/${a.body.sessionId}/release`, { leaseSecret: a.body.leaseSecret }).catch(() => undefined);
        }
      }
    }));
    // Load for 2.5 s, and on a busy machine until some 150 leases are acknowledged (20 s at most).
    const loadStarted = Date.now();
    while (Date.now() - loadStarted < 2500 || (acks.length < 150 && Date.now() - loadStarted < 20_000)) await sleep(100);
    const before = acks.length;
    await server.stop('SIGKILL');
    await sleep(300);
    stop = true;
    await load;
    await c.pool.close();
    assert.ok(before > 100, `load ran before the kill: ${before} acknowledged`);
    assert.ok(failures > 0, 'clients saw the server die');

    const restarted = await spawnServer(env);
    started.push(restarted);
    const { rows, missing, audit } = await checkAcks(db, 'k', acks);
    t.diagnostic(`${acks.length} acknowledged before the kill, ${failures} failed calls, ${rows.length} ledger events, ${audit.live} live sessions`);
    assert.deepEqual(audit.violations, []);
    assert.equal(missing.length, 0);

    // The read models reach the log's head and agree with the replayed ledger.
    const c2 = client(restarted.url, token, 2);
    // Wait, bounded, until the read models agree with the replayed ledger on every count.
    const readModel = async () => ({
      leased: (await c2.call('GET', '/v1/pools/k')).body.counts.leased,
      live: (await db.pool.query("SELECT count(*)::int AS n FROM rm_sessions WHERE pool_id = 'k' AND status = 'live'")).rows[0].n,
      sessions: (await db.pool.query("SELECT count(*)::int AS n FROM rm_sessions WHERE pool_id = 'k'")).rows[0].n,
    });
    const expected = { leased: audit.live, live: audit.live, sessions: audit.sessions };
    let seen = await readModel();
    for (const until = Date.now() + 15_000; JSON.stringify(seen) !== JSON.stringify(expected) && Date.now() < until; await sleep(100)) {
      seen = await readModel();
    }
    assert.deepEqual(seen, expected, 'read models = replayed ledger');
    // And the restarted server serves: its allocator picks up the ledger where the log left it.
    // A live session the client was told of (one written as the server died was never answered, so has no secret here).
    const { rows: liveRows } = await db.pool.query<{ session_id: string }>("SELECT session_id FROM rm_sessions WHERE pool_id = 'k' AND status = 'live'");
    const live = new Set(liveRows.map((r) => r.session_id));
    const held = acks.find((a) => live.has(a.sessionId));
    assert.ok(held, 'an acknowledged session is live');
    // Every account leased (the load may not have got that far), so the one a release frees is the only one to allocate.
    for (let free = accounts - audit.live; free > 0; free--) assert.equal((await c2.call('POST', '/v1/pools/k/sessions', { count: 1 })).status, 201);
    assert.notEqual((await c2.call('POST', '/v1/pools/k/sessions', { count: 1 })).status, 201, 'no account is free');
    const released = await c2.call('POST', `/v1/pools/k/sessions/${held.sessionId}/release`, { leaseSecret: held.leaseSecret });
    assert.deepEqual([released.status, released.body.released], [200, true]);
    const a = await c2.call('POST', '/v1/pools/k/sessions', { count: 1 });
    assert.equal(a.status, 201);
    assert.equal(a.body.leases[0].accountId, held.leases[0]!.accountId, 'the one account freed is the one leased');
    await c2.pool.close();
  });
});
