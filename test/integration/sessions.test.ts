import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { until } from '../support/sandbox.ts';

describe('sessions over HTTP', () => {
  let t: TestRoster;
  const ids: string[] = [];
  const eventCount = async () => Number((await t.db.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
  before(async () => {
    t = await startTestRoster();
    await t.call('POST', '/v1/pools', { poolId: 'p', name: 'P', defaultLeaseTtlMs: 60_000, maxLeaseTtlMs: 120_000 });
    const r = await t.call('POST', '/v1/pools/p/accounts', {
      accounts: [
        { login: 'a@example.test', password: 'pw-a', capabilities: ['chat'], region: 'eu' },
        { login: 'b@example.test', password: 'pw-b', capabilities: ['chat', 'vision'], region: 'us' },
      ],
    });
    ids.push(...r.body.lines.map((l: { accountId: string }) => l.accountId));
  });
  after(async () => t.stop());

  it('allocates with credentials, a lease secret and fences; renews and releases with the secret', async () => {
    const a = await t.call('POST', '/v1/pools/p/sessions', { count: 2, holder: 'load-test' });
    assert.equal(a.status, 201);
    assert.equal(a.body.leases.length, 2);
    assert.deepEqual(a.body.leases.map((l: { fence: number }) => l.fence), [1, 1]);
    assert.deepEqual(a.body.leases.map((l: { credentials: { password: string } }) => l.credentials.password).sort(), ['pw-a', 'pw-b']);
    const { sessionId, leaseSecret } = a.body;

    const view = await t.call('GET', `/v1/pools/p/sessions/${sessionId}?position=${a.body.position}`);
    assert.equal(view.body.status, 'live');
    assert.equal(view.body.holder, 'load-test');

    const wrong = await t.call('POST', `/v1/pools/p/sessions/${sessionId}/renew`, { leaseSecret: 'guess' });
    assert.equal(wrong.status, 403);
    const renewed = await t.call('POST', `/v1/pools/p/sessions/${sessionId}/renew`, { leaseSecret, ttlMs: 90_000 });
    assert.equal(renewed.status, 200);
    assert.ok(Date.parse(renewed.body.expiresAt) > Date.parse(a.body.expiresAt));
    assert.equal((await t.call('POST', `/v1/pools/p/sessions/${sessionId}/renew`, { leaseSecret, ttlMs: 500_000 })).status, 400);

    const none = await t.call('POST', '/v1/pools/p/sessions', { count: 1 });
    assert.equal(none.status, 503);
    assert.equal(none.body.code, 'no_account_available');
    assert.ok(Number(none.headers.get('retry-after')) >= 1);

    const released = await t.call('POST', `/v1/pools/p/sessions/${sessionId}/release`, { leaseSecret });
    assert.equal(released.body.released, true);
    assert.equal((await t.call('POST', `/v1/pools/p/sessions/${sessionId}/release`, { leaseSecret })).body.released, false);
    const after = await t.call('GET', `/v1/pools/p/sessions/${sessionId}?position=${released.body.position}`);
    assert.equal(after.body.status, 'released');

    const again = await t.call('POST', '/v1/pools/p/sessions', { count: 2 });
    assert.deepEqual(again.body.leases.map((l: { fence: number }) => l.fence), [2, 2], 'fences rise per account');
    await t.call('POST', `/v1/pools/p/sessions/${again.body.sessionId}/release`, { leaseSecret: again.body.leaseSecret });
  });

  it('filters by capability and region', async () => {
    const vision = await t.call('POST', '/v1/pools/p/sessions', { capabilities: ['vision'] });
    assert.equal(vision.body.leases[0].login, 'b@example.test');
    const eu = await t.call('POST', '/v1/pools/p/sessions', { region: 'eu', capabilities: ['chat'] });
    assert.equal(eu.body.leases[0].login, 'a@example.test');
    for (const s of [vision, eu]) await t.call('POST', `/v1/pools/p/sessions/${s.body.sessionId}/release`, { leaseSecret: s.body.leaseSecret });
  });

  it('makes a waiting request wait, first come first served, until an account is freed', async () => {
    const held = await t.call('POST', '/v1/pools/p/sessions', { count: 2 });
    const first = t.call('POST', '/v1/pools/p/sessions', { count: 1, waitMs: 5000, holder: 'first' });
    await sleep(50);
    const second = t.call('POST', '/v1/pools/p/sessions', { count: 1, waitMs: 5000, holder: 'second' });
    await sleep(50);
    const quick = await t.call('POST', '/v1/pools/p/sessions', { count: 1, waitMs: 100 });
    assert.equal(quick.status, 503, 'times out after its wait');
    await t.call('POST', `/v1/pools/p/sessions/${held.body.sessionId}/release`, { leaseSecret: held.body.leaseSecret });
    const [f, s] = await Promise.all([first, second]);
    assert.equal(f.status, 201);
    assert.equal(s.status, 201);
    for (const x of [f, s]) await t.call('POST', `/v1/pools/p/sessions/${x.body.sessionId}/release`, { leaseSecret: x.body.leaseSecret });
  });

  it('never leases a disabled or cooling account', async () => {
    await t.call('POST', `/v1/accounts/${ids[0]}/disable`, { reason: 'test' });
    await t.call('POST', `/v1/accounts/${ids[1]}/cooldown`, { durationMs: 60_000, reason: 'test' });
    assert.equal((await t.call('POST', '/v1/pools/p/sessions', {})).status, 503);
    await t.call('POST', `/v1/accounts/${ids[0]}/enable`);
    const r = await t.call('POST', '/v1/pools/p/sessions', {});
    assert.equal(r.body.leases[0].accountId, ids[0]);
    await t.call('POST', `/v1/pools/p/sessions/${r.body.sessionId}/release`, { leaseSecret: r.body.leaseSecret });
    await t.call('DELETE', `/v1/accounts/${ids[1]}/cooldown`);
  });

  it('expires overdue sessions through the reaper, freeing their accounts', async () => {
    await t.call('PATCH', '/v1/pools/p', { defaultLeaseTtlMs: 1000 });
    const r = await t.call('POST', '/v1/pools/p/sessions', { count: 2 });
    assert.equal(r.status, 201);
    let view = await t.call('GET', `/v1/pools/p/sessions/${r.body.sessionId}`);
    for (const until = Date.now() + 10_000; view.body.status !== 'expired' && Date.now() < until; await sleep(100)) {
      view = await t.call('GET', `/v1/pools/p/sessions/${r.body.sessionId}`);
    }
    assert.equal(view.body.status, 'expired');
    assert.ok(Date.now() >= Date.parse(r.body.expiresAt), 'not before its time');
    assert.equal((await t.call('POST', `/v1/pools/p/sessions/${r.body.sessionId}/renew`, { leaseSecret: r.body.leaseSecret })).status, 409);
    assert.equal((await t.call('POST', '/v1/pools/p/sessions', { count: 2 })).status, 201);
  });

  it('lists a pool\'s sessions newest first with their accounts\' logins; an operator releases one without its secret', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'q', name: 'Q' });
    await t.call('POST', '/v1/pools/q/accounts', { accounts: [{ login: 'a@example.test', password: 'pw-a' }, { login: 'b@example.test', password: 'pw-b', capabilities: ['vision'] }] });
    const one = await t.call('POST', '/v1/pools/q/sessions', { count: 1, holder: 'first', capabilities: ['vision'] });
    const two = await t.call('POST', '/v1/pools/q/sessions', { count: 1, holder: 'second' });
    const live = await t.call('GET', `/v1/pools/q/sessions?status=live&position=${two.body.position}`);
    assert.equal(live.status, 200, JSON.stringify(live.body));
    assert.deepEqual(live.body.items.map((s: { holder: string; logins: string[] }) => [s.holder, s.logins]), [['second', ['a@example.test']], ['first', ['b@example.test']]]);
    assert.equal(live.body.total, 2);
    assert.ok(!JSON.stringify(live.body).includes('pw-'), 'no credential in a listing');
    assert.deepEqual((await t.call('GET', '/v1/pools/q/sessions?status=live&holder=first')).body.items.map((s: { sessionId: string }) => s.sessionId), [one.body.sessionId]);

    const released = await t.call('POST', `/v1/pools/q/sessions/${one.body.sessionId}/release`, {});
    assert.deepEqual([released.status, released.body.released], [200, true]);
    const after = await t.call('GET', `/v1/pools/q/sessions?status=live&position=${released.body.position}`);
    assert.deepEqual(after.body.items.map((s: { holder: string }) => s.holder), ['second']);
    const ended = await t.call('GET', '/v1/pools/q/sessions?status=released&holder=first');
    assert.equal(ended.body.items[0].endedAt !== null, true);
    await t.call('POST', `/v1/pools/q/sessions/${two.body.sessionId}/release`, { leaseSecret: two.body.leaseSecret });
    assert.equal((await t.call('GET', '/v1/pools/q/sessions?status=gone')).body.errors[0].field, 'status');
  });

  it('answers unknown sessions with 404 and bad input with 400, writing nothing', async () => {
    const before = await eventCount();
    assert.equal((await t.call('POST', '/v1/pools/p/sessions/nope/release', { leaseSecret: 'x' })).status, 404);
    assert.equal((await t.call('GET', '/v1/pools/p/sessions/nope')).status, 404);
    assert.equal((await t.call('POST', '/v1/pools/none/sessions', {})).status, 404);
    const bad = await t.call('POST', '/v1/pools/p/sessions', { count: 0, ttlMs: 'long', extra: 1 });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field).sort(), ['count', 'extra', 'ttlMs']);
    assert.equal((await t.call('POST', '/v1/pools/p/sessions', { ttlMs: 500_000 })).body.errors[0].field, 'ttlMs');
    assert.equal(await eventCount(), before);
  });

  it('opens the credentials of the accounts a pool leases next before it leases them', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'ahead', name: 'Ahead', strategy: 'lru' });
    const lines = Array.from({ length: 30 }, (_, i) => `ahead${i}@example.test:pw-${i}`).join('\n');
    assert.equal((await t.call('POST', '/v1/pools/ahead/accounts', { lines })).status, 200);
    const { vault, allocators } = t.roster.services;
    const allocator = await allocators.get('ahead');
    // An import's credentials are written, not yet opened: none is in memory.
    assert.deepEqual(allocator.upcoming(30).filter((id) => vault.cached(id)), []);
    const a = await t.call('POST', '/v1/pools/ahead/sessions', { count: 1 });
    assert.equal(a.status, 201);
    const next = allocator.upcoming(10);
    assert.equal(next.length, 10);
    assert.ok(!next.includes(a.body.leases[0].accountId), 'the leased account is not among the next');
    await until('the next accounts\' credentials in memory', async () => next.every((id) => vault.cached(id)), 5000);
    const b = await t.call('POST', '/v1/pools/ahead/sessions', { count: 2 });
    assert.deepEqual(b.body.leases.map((l: { accountId: string }) => l.accountId), next.slice(0, 2), 'lru leases them next');
    const passwordOf = (id: string) => `pw-${/ahead(\d+)@/.exec(t.roster.services.accounts.find(id)!.state.login)![1]}`;
    assert.deepEqual(b.body.leases.map((l: { credentials: { password: string } }) => l.credentials.password), next.slice(0, 2).map(passwordOf), 'each with its own credentials');
  });

  it('the prober opens no credentials in a pool whose provider does not probe', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'quiet', name: 'Quiet' });
    const imported = await t.call('POST', '/v1/pools/quiet/accounts', { lines: 'q1@example.test:pw-1\nq2@example.test:pw-2' });
    const ids: string[] = imported.body.lines.map((l: { accountId: string }) => l.accountId);
    const { prober, vault } = t.roster.services;
    for (const id of ids) await prober.probe(id);
    assert.deepEqual(ids.filter((id) => vault.cached(id)), []);
  });
});
