/**
 * Two nodes on one database: a pool's allocator on one node hears of the other node's
 * writes to the pool's stream as they are committed (PostgreSQL's notification names the
 * stream and its revision), and catches up then, not only on its next conflict or reaper
 * pass: an allocation parked on one node is served when the other releases, and a lease
 * taken on one node is in the other's ledger (which its gateway skips).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('two nodes on one database', () => {
  let a: TestRoster;
  let b: TestRoster;
  before(async () => {
    // The reaper, which would also retry parked allocations, is out of the picture.
    const env = { ROSTER_MASTER_KEY: randomBytes(32).toString('hex'), ROSTER_REAPER_INTERVAL_MS: '600000', ROSTER_SCHEDULER_INTERVAL_MS: '3600000' };
    a = await startTestRoster(env);
    b = await startTestRoster(env, a.db);
    assert.equal((await a.call('POST', '/v1/pools', { poolId: 'two', name: 'Two nodes' })).status, 201);
    const imported = await a.call('POST', '/v1/pools/two/accounts', { accounts: [{ login: 'only@example.test', password: 'pw one' }] });
    assert.equal(imported.body.imported, 1);
    // Node b knows the account (its log tail) before it loads the pool.
    for (let i = 0; i < 100 && (await b.call('GET', '/v1/pools/two')).body.counts?.total !== 1; i++) await sleep(50);
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('serves an allocation parked on one node when the other releases, and shows each node the other\'s leases', async () => {
    const held = await a.call('POST', '/v1/pools/two/sessions', { count: 1 });
    assert.equal(held.status, 201);
    const accountId = held.body.leases[0].accountId as string;
    // Node b's allocator takes in a's lease from the notification alone.
    const ledgerOfB = async () => (await b.roster.services.allocators.get('two')).current.ledger;
    for (let i = 0; i < 100 && !(await ledgerOfB()).leasedTo.has(accountId); i++) await sleep(50);
    assert.equal((await ledgerOfB()).leasedTo.get(accountId), held.body.sessionId, 'b sees a\'s lease');

    const parked = b.call('POST', '/v1/pools/two/sessions', { count: 1, waitMs: 20_000 });
    await sleep(300);
    assert.equal((await a.call('POST', `/v1/pools/two/sessions/${held.body.sessionId}/release`, { leaseSecret: held.body.leaseSecret })).status, 200);
    const served = await parked;
    assert.equal(served.status, 201, JSON.stringify(served.body));
    assert.equal(served.body.leases[0].accountId, accountId);
    // And node a, in turn, sees b's lease: its own allocation waits instead of taking the account.
    const ledgerOfA = (await a.roster.services.allocators.get('two')).current.ledger;
    for (let i = 0; i < 100 && ledgerOfA.leasedTo.get(accountId) !== served.body.sessionId; i++) await sleep(50);
    assert.equal(ledgerOfA.leasedTo.get(accountId), served.body.sessionId);
  });
});
