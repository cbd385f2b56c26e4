import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('existing account-pool API', () => {
  let t: TestRoster;
  before(async () => {
    t = await startTestRoster({ ROSTER_ACCOUNTS_PER_REQUEST: '2' });
    await t.call('PATCH', '/v1/pools/default', { minSize: 2 });
    await t.call('POST', '/v1/pools/default/accounts', 'u1@example.test:pw1:rt1\nu2@example.test:pw2:rt2\nu3@example.test:pw3', { contentType: 'text/plain' });
  });
  after(async () => t.stop());

  it('GET /health answers without a token', async () => {
    const r = await t.call('GET', '/health', undefined, { token: null });
    assert.equal(r.body.status, 'ok');
    assert.ok(['healthy', 'low', 'critical'].includes(r.body.pool_health));
    assert.ok(Date.parse(r.body.timestamp));
  });

  it('GET /health asks the database at most once a second, however many ask', async () => {
    const db = t.roster.services.db;
    const query = db.query;
    let reads = 0;
    db.query = function (this: typeof db, ...args: unknown[]) {
      const sql = args[0] as string | { text?: string };
      if ((typeof sql === 'string' ? sql : sql.text ?? '').includes('rm_pool_counts')) reads++;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof db.query;
    try {
      await new Promise((r) => setTimeout(r, 1100)); // what an earlier test read is out of date
      const started = Date.now();
      const answers = await Promise.all(Array.from({ length: 100 }, () => t.call('GET', '/health', undefined, { token: null })));
      for (let i = 0; i < 20; i++) answers.push(await t.call('GET', '/health', undefined, { token: null }));
      assert.ok(answers.every((a) => a.status === 200 && a.body.pool_health === answers[0]!.body.pool_health));
      const seconds = Math.ceil((Date.now() - started) / 1000);
      // One read a second at most, and one by the replenisher's round perhaps.
      assert.ok(reads >= 1 && reads <= seconds + 2, `${reads} reads in ${seconds} s for ${answers.length} requests`);
    } finally {
      db.query = query;
    }
  });

  it('allocates accounts_per_request accounts in the existing shape, then reports failure when the pool cannot serve', async () => {
    const r = await t.call('POST', '/api/accounts/allocate', {});
    assert.equal(r.status, 200);
    assert.equal(r.body.success, true);
    assert.equal(r.body.accounts.length, 2);
    const acc = r.body.accounts[0];
    assert.deepEqual(Object.keys(acc).sort(), ['created_at', 'email', 'id_token', 'last_refresh_time', 'last_used', 'local_id', 'refresh_token', 'session_id', 'status', 'use_count'].sort());
    assert.equal(acc.session_id, r.body.session_id);
    assert.equal(acc.status, 'in_use');
    assert.equal(acc.use_count, 1);
    assert.ok(acc.refresh_token === 'rt1' || acc.refresh_token === 'rt2' || acc.refresh_token === null);

    const mine = await t.call('POST', '/api/accounts/allocate', { session_id: 'client-chosen', count: 1 });
    assert.equal(mine.body.session_id, 'client-chosen');
    const none = await t.call('POST', '/api/accounts/allocate', { count: 1 });
    assert.equal(none.body.success, false);
    assert.match(none.body.message, /requested/);

    const status = await t.call('GET', '/api/accounts/status');
    assert.deepEqual(status.body.pool_stats, { available: 0, in_use: 3, total: 3 });
    assert.equal(status.body.active_sessions, 2);
    assert.equal(status.body.min_pool_size, 2);
    assert.equal(status.body.accounts_per_request, 2);
    assert.equal(status.body.health, 'critical');
    assert.equal(status.body.running, true);

    const rel = await t.call('POST', '/api/accounts/release', { session_id: r.body.session_id });
    assert.deepEqual([rel.status, rel.body.success], [200, true]);
    await t.call('POST', '/api/accounts/release', { session_id: 'client-chosen' });
    const unknown = await t.call('POST', '/api/accounts/release', { session_id: 'never' });
    assert.deepEqual([unknown.status, unknown.body.success], [404, false]);
    const missing = await t.call('POST', '/api/accounts/release', {});
    assert.equal(missing.status, 400);
    assert.equal(missing.body.errors[0].field, 'session_id');
  });

  it('allocates again under a session id whose session was released, and refuses it while live', async () => {
    const first = await t.call('POST', '/api/accounts/allocate', { session_id: 'my_session', count: 1 });
    assert.equal(first.body.success, true);
    const live = await t.call('POST', '/api/accounts/allocate', { session_id: 'my_session', count: 1 });
    assert.deepEqual([live.body.success, live.body.accounts], [false, []]);
    assert.match(live.body.message, /my_session is live/);
    assert.equal((await t.call('POST', '/api/accounts/release', { session_id: 'my_session' })).body.success, true);
    const again = await t.call('POST', '/api/accounts/allocate', { session_id: 'my_session', count: 1 });
    assert.deepEqual([again.body.success, again.body.session_id, again.body.accounts.length], [true, 'my_session', 1]);
    assert.notEqual(again.body.lease_secret, first.body.lease_secret);
    assert.equal((await t.call('POST', '/api/accounts/release', { session_id: 'my_session' })).body.success, true);
  });

  it('allocates with the defaults when the POST has no body at all, or an empty JSON one', async () => {
    for (const headers of [{}, { 'content-type': 'application/json' }] as Array<Record<string, string>>) {
      const res = await fetch(`${t.roster.url}/api/accounts/allocate`, { method: 'POST', headers: { authorization: `Bearer ${t.token}`, ...headers } });
      const body = await res.json() as { success: boolean; accounts: unknown[]; session_id: string };
      assert.deepEqual([res.status, body.success, body.accounts?.length], [200, true, 2], JSON.stringify(body));
      await t.call('POST', '/api/accounts/release', { session_id: body.session_id });
    }
  });

  it('GET /api/accounts/{email} answers the account, 404 when unknown', async () => {
    const r = await t.call('GET', '/api/accounts/u3@example.test');
    assert.equal(r.status, 200);
    assert.equal(r.body.email, 'u3@example.test');
    assert.equal(r.body.status, 'available');
    assert.equal((await t.call('GET', '/api/accounts/nobody@example.test')).status, 404);
  });

  it('records refresh-tokens and replenish requests, and acts on them as far as the pool\'s provider allows', async () => {
    const refresh = await t.call('POST', '/api/accounts/refresh-tokens', { email: 'u1@example.test', force: true });
    assert.deepEqual([refresh.status, refresh.body.success], [200, false], 'the manual provider cannot refresh');
    assert.match(refresh.body.message, /provider manual of pool default cannot refresh/);
    const all = await t.call('POST', '/api/accounts/refresh-tokens');
    assert.deepEqual([all.status, all.body.success], [200, false]);
    assert.equal((await t.call('POST', '/api/accounts/refresh-tokens', { email: 'ghost@example.test' })).status, 404);
    const replenish = await t.call('POST', '/api/accounts/replenish', { count: 3 });
    assert.deepEqual([replenish.status, replenish.body.success, replenish.body.requested, replenish.body.registering], [200, false, 3, 0]);
    assert.match(replenish.body.message, /cannot register/);
    assert.equal((await t.call('POST', '/api/accounts/replenish', { count: -1 })).status, 400);
    const { rows } = await t.db.pool.query("SELECT type, data FROM events WHERE stream_id = 'operations-default' ORDER BY global_position");
    assert.deepEqual(rows.map((r) => r.type), ['RefreshRequested', 'RefreshRequested', 'ReplenishRequested']);
    assert.equal(rows[0].data.email, 'u1@example.test');
  });

  it('needs a token, unless the loopback switch is on', async () => {
    assert.equal((await t.call('GET', '/api/accounts/status', undefined, { token: null })).status, 401);
    const open = await startTestRoster({ ROSTER_COMPAT_LOOPBACK_OPEN: 'true' });
    try {
      assert.equal((await open.call('GET', '/api/accounts/status', undefined, { token: null })).status, 200);
      assert.equal((await open.call('GET', '/v1/pools', undefined, { token: null })).status, 401, 'only the existing API opens');
    } finally {
      await open.stop();
    }
  });
});
