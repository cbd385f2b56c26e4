/**
 * API keys over HTTP: shown once, scopes, own sessions only (native and existing API),
 * rotation, revocation, expiry, limits per key and per user (on Redis when it is
 * installed), the budget under 50 concurrent requests, and the guard on failed checks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { registerUser } from '../../src/commands/users.ts';
import { redisInstalled, startRedis, type TestRedis } from '../support/redis.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('API keys over HTTP', () => {
  let t: TestRoster;
  let redis: TestRedis | undefined;
  const keys: string[] = [];
  const ctx = { actor: 'test', correlationId: 'c' };
  /** A verified member's access token. */
  const member = async (email: string) => {
    await registerUser(t.roster.services.users, { email, password: `pw of ${email}`, role: 'member', verified: true }, ctx);
    return (await t.call('POST', '/v1/auth/login', { email, password: `pw of ${email}` }, { token: null })).body.accessToken as string;
  };
  const newKey = async (token: string, body: Record<string, unknown> = {}) => {
    const r = await t.call('POST', '/v1/keys', { name: 'test key', ...body }, { token });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    keys.push(r.body.key);
    return r.body as { key: string; keyId: string; prefix: string };
  };
  const allocate = (key: string) => t.call('POST', '/api/accounts/allocate', {}, { token: key });
  let ada: string;
  let bob: string;

  before(async () => {
    redis = redisInstalled() ? await startRedis() : undefined;
    t = await startTestRoster({ ROSTER_LOGIN_FAILS_PER_ACCOUNT: '3', ROSTER_LOGIN_FAILS_PER_IP: '60', ROSTER_LOGIN_FAIL_WINDOW_S: '120', ...(redis ? { ROSTER_REDIS_URL: redis.url } : {}) });
    const accounts = Array.from({ length: 80 }, (_, i) => ({ login: `acct${i}@example.test`, accessToken: `token-of-${i}` }));
    assert.equal((await t.call('POST', '/v1/pools/default/accounts', { accounts })).body.imported, 80);
    ada = await member('ada@example.test');
    bob = await member('bob@example.test');
  });
  after(async () => {
    await t.stop();
    await redis?.stop();
  });

  it('shows a key once; the list shows its prefix; a key holds its own sessions and sees credentials only of what it holds', async () => {
    const a = await newKey(ada);
    assert.match(a.key, /^rk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    const list = (await t.call('GET', '/v1/keys', undefined, { token: ada })).body.items;
    assert.deepEqual(list.map((k: Record<string, unknown>) => [k.keyId, k.prefix, k.status, 'key' in k]), [[a.keyId, a.key.slice(0, 11), 'active', false]]);
    assert.equal((await t.call('GET', '/v1/keys', undefined, { token: bob })).body.items.length, 0, 'a user sees its own keys only');
    const b = await newKey(bob);

    const got = await allocate(a.key);
    assert.equal(got.body.success, true, JSON.stringify(got.body));
    const [account] = got.body.accounts;
    assert.match(account.id_token, /^token-of-/);
    const seenBy = async (key: string) => (await t.call('GET', `/api/accounts/${account.email}`, undefined, { token: key })).body.id_token;
    assert.equal(await seenBy(a.key), account.id_token);
    assert.equal(await seenBy(b.key), null, 'another key sees no credentials');
    assert.equal((await t.call('GET', `/v1/pools/default/sessions/${got.body.session_id}`, undefined, { token: b.key })).status, 404);
    assert.equal((await t.call('GET', `/v1/pools/default/sessions/${got.body.session_id}`, undefined, { token: a.key })).status, 200);
    assert.equal((await t.call('POST', '/api/accounts/release', { session_id: got.body.session_id }, { token: b.key })).status, 404);
    const released = await t.call('POST', '/api/accounts/release', { session_id: got.body.session_id }, { token: a.key });
    assert.deepEqual([released.status, released.body.success], [200, true]);
    // The native API: the holder is the key whatever the body says.
    const native = await t.call('POST', '/v1/pools/default/sessions', { holder: 'pretending' }, { token: b.key });
    assert.equal(native.status, 201);
    const session = (await t.call('GET', `/v1/pools/default/sessions/${native.body.sessionId}?position=${native.body.position}`, undefined, { token: b.key })).body;
    assert.match(session.holder, /^user:[0-9a-f-]+\/key:/);
    assert.equal((await t.call('POST', `/v1/pools/default/sessions/${native.body.sessionId}/release`, { leaseSecret: native.body.leaseSecret }, { token: a.key })).status, 404);
    const listed = async (key: string) => (await t.call('GET', `/v1/pools/default/sessions?status=live&holder=pretending&position=${native.body.position}`, undefined, { token: key })).body.items.map((s: { sessionId: string }) => s.sessionId);
    assert.deepEqual(await listed(b.key), [native.body.sessionId], 'a key lists its own sessions, whatever holder it names');
    assert.deepEqual(await listed(a.key), []);
    const secretless = await t.call('POST', `/v1/pools/default/sessions/${native.body.sessionId}/release`, {}, { token: b.key });
    assert.deepEqual([secretless.status, secretless.body.errors?.[0]?.field], [400, 'leaseSecret'], 'a key releases only with the lease secret');
    assert.equal((await t.call('POST', `/v1/pools/default/sessions/${native.body.sessionId}/release`, { leaseSecret: native.body.leaseSecret }, { token: b.key })).status, 200);
  });

  it('scopes: a key for another pool, a read-only key and key management by a key are refused (403)', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'other', name: 'Other' });
    const elsewhere = await newKey(ada, { scopes: { pools: ['other'], models: null, readOnly: false } });
    const readOnly = await newKey(ada, { scopes: { pools: null, models: null, readOnly: true } });
    assert.equal((await allocate(elsewhere.key)).status, 403);
    assert.equal((await t.call('POST', '/v1/pools/default/sessions', {}, { token: elsewhere.key })).status, 403);
    assert.equal((await allocate(readOnly.key)).status, 403);
    assert.equal((await t.call('GET', '/api/accounts/status', undefined, { token: readOnly.key })).status, 200);
    assert.equal((await t.call('GET', '/v1/keys', undefined, { token: readOnly.key })).status, 403, 'a key does not manage keys');
    assert.equal((await t.call('GET', '/v1/pools', undefined, { token: readOnly.key })).status, 403, 'a member\'s key reads no pools');
  });

  it('rotation ends the old secret at once; revocation and expiry end the key', async () => {
    const expiresAt = Date.now() + 3000;
    const k = await newKey(ada, { expiresAt: new Date(expiresAt).toISOString() });
    const rotated = await t.call('POST', `/v1/keys/${k.keyId}/rotate`, undefined, { token: ada });
    assert.equal(rotated.status, 200);
    keys.push(rotated.body.key);
    assert.notEqual(rotated.body.key, k.key);
    assert.equal((await allocate(k.key)).status, 401);
    const ok = await allocate(rotated.body.key);
    assert.equal(ok.body.success, true);
    await t.call('POST', '/api/accounts/release', { session_id: ok.body.session_id }, { token: rotated.body.key });
    assert.equal((await t.call('POST', `/v1/keys/${k.keyId}/rotate`, undefined, { token: bob })).status, 404, 'another user\'s key is not found');
    await sleep(expiresAt - Date.now() + 100);
    assert.equal((await allocate(rotated.body.key)).status, 401, 'expired');
    assert.equal((await t.call('GET', `/v1/keys/${k.keyId}`, undefined, { token: ada })).body.status, 'expired');

    const r = await newKey(ada);
    assert.equal((await t.call('DELETE', `/v1/keys/${r.keyId}`, undefined, { token: ada })).body.status, 'revoked');
    assert.equal((await allocate(r.key)).status, 401);
    assert.equal((await t.call('POST', `/v1/keys/${r.keyId}/rotate`, undefined, { token: ada })).status, 409);
  });

  it('limits: requests per minute (429 with Retry-After), sessions held at once, and a user\'s limits set by an admin', async () => {
    const slow = await newKey(ada, { limits: { requestsPerMinute: 3 } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await t.call('GET', '/api/accounts/status', undefined, { token: slow.key }));
    assert.deepEqual(statuses.map((s) => s.status), [200, 200, 200, 429]);
    assert.ok(Number(statuses[3]!.headers.get('retry-after')) >= 1);
    assert.equal(statuses[3]!.body.code, 'rate_limited');

    const two = await newKey(ada, { limits: { concurrentSessions: 2 } });
    const held = [await allocate(two.key), await allocate(two.key)];
    assert.deepEqual(held.map((h) => h.body.success), [true, true]);
    const third = await allocate(two.key);
    assert.deepEqual([third.status, third.body.code], [429, 'session_limit']);
    await t.call('POST', '/api/accounts/release', { session_id: held[0]!.body.session_id }, { token: two.key });
    assert.equal((await allocate(two.key)).body.success, true);

    const carol = await member('carol@example.test');
    const me = (await t.call('GET', '/v1/auth/me', undefined, { token: carol })).body;
    assert.equal((await t.call('PATCH', `/v1/users/${me.userId}`, { limits: { requestsPerMinute: 2 } })).status, 200);
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push((await t.call('GET', '/v1/auth/me', undefined, { token: carol })).status);
    assert.deepEqual(seen, [200, 200, 429]);
  });

  it('limits: tokens per minute, counted from the units a key reports on its leases; another key goes on', async () => {
    const k = await newKey(ada, { limits: { tokensPerMinute: 100 } });
    const lease = await t.call('POST', '/v1/pools/default/sessions', { count: 1 }, { token: k.key });
    assert.equal(lease.status, 201);
    const report = (units: number) => t.call('POST', `/v1/pools/default/sessions/${lease.body.sessionId}/outcomes`, {
      leaseSecret: lease.body.leaseSecret, accountId: lease.body.leases[0].accountId, outcome: 'success', model: 'm', units,
    }, { token: k.key });
    // 60 tokens leave 40 of the minute's 100: the key goes on; 60 more spend them.
    assert.equal((await report(60)).status, 200);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: k.key })).status, 200);
    assert.equal((await report(60)).status, 200);
    const refused = await t.call('GET', '/v1/auth/me', undefined, { token: k.key });
    assert.deepEqual([refused.status, refused.body.code], [429, 'rate_limited']);
    assert.match(refused.body.detail, /tokens per minute/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}: within the minute`);
    // The limit is the key's: another key of the same user is not held back.
    const other = await newKey(ada);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: other.key })).status, 200);
  });

  it('answers the shared-account service\'s key routes in their shapes: create (shown once), list, revoke; only the owner\'s', async () => {
    const dora = await member('dora@example.test');
    const made = await t.call('POST', '/api/api-keys', { name: 'old client', expires_in_days: 7 }, { token: dora });
    assert.equal(made.status, 201);
    assert.deepEqual(Object.keys(made.body).sort(), ['created_at', 'expires_at', 'id', 'is_active', 'key', 'key_prefix', 'name']);
    assert.ok(made.body.key.startsWith(made.body.key_prefix) && made.body.key.length > made.body.key_prefix.length);
    assert.equal(made.body.is_active, true);
    const days = (Date.parse(made.body.expires_at) - Date.parse(made.body.created_at)) / 86_400_000;
    assert.ok(Math.abs(days - 7) < 0.01, `expires in ${days} days`);
    assert.equal((await t.call('GET', '/api/accounts/status', undefined, { token: made.body.key })).status, 200, 'the key signs in');
    const listed = await t.call('GET', '/api/api-keys', undefined, { token: dora });
    assert.deepEqual(listed.body.map((k: { id: string; name: string; is_active: boolean }) => [k.id, k.name, k.is_active]), [[made.body.id, 'old client', true]]);
    assert.ok(!JSON.stringify(listed.body).includes(made.body.key), 'the key is shown once');
    assert.deepEqual((await t.call('GET', '/api/api-keys', undefined, { token: bob })).body.filter((k: { id: string }) => k.id === made.body.id), [], 'not in another user\'s list');
    assert.equal((await t.call('DELETE', `/api/api-keys/${made.body.id}`, undefined, { token: bob })).status, 404, 'not another user\'s to revoke');
    const revoked = await t.call('DELETE', `/api/api-keys/${made.body.id}`, undefined, { token: dora });
    assert.deepEqual([revoked.status, revoked.body], [200, { message: 'API key revoked' }]);
    assert.equal((await t.call('GET', '/api/accounts/status', undefined, { token: made.body.key })).status, 401, 'revoked at once');
    assert.equal((await t.call('GET', '/api/api-keys', undefined, { token: dora })).body[0].is_active, false);
    const forever = await t.call('POST', '/api/api-keys', { name: 'no end' }, { token: dora });
    assert.deepEqual([forever.status, forever.body.expires_at], [201, null]);
    assert.equal((await t.call('POST', '/api/api-keys', { name: 'too long', expires_in_days: 0 }, { token: dora })).status, 400);
  });

  it('an admin gives a user a key, caps, rotates and revokes any of its keys under /v1/users/{id}/keys; no one else may', async () => {
    const eve = await member('eve@example.test');
    const eveId = (await t.call('GET', '/v1/auth/me', undefined, { token: eve })).body.userId as string;
    const own = await newKey(eve);
    const given = await t.call('POST', `/v1/users/${eveId}/keys`, { name: 'from the admin', limits: { requestsPerMinute: 50 } });
    assert.equal(given.status, 201, JSON.stringify(given.body));
    keys.push(given.body.key);
    assert.deepEqual([given.body.userId, given.body.limits], [eveId, { requestsPerMinute: 50 }]);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: given.body.key })).body.email, 'eve@example.test', 'the key speaks for its user');
    const ids = (items: Array<{ keyId: string }>) => items.map((k) => k.keyId).sort();
    assert.deepEqual(ids((await t.call('GET', '/v1/keys', undefined, { token: eve })).body.items), [own.keyId, given.body.keyId].sort(), 'the user has it among its own');
    // A leaked key's prefix names its user (the key itself is refused, and not echoed).
    assert.match(given.body.position, /^\d{20}/, 'a key\'s creation answers its position');
    const holder = (await t.call('GET', `/v1/users?keyPrefix=${given.body.prefix}&position=${given.body.position}`)).body.items as Array<{ email: string }>;
    assert.deepEqual(holder.map((u) => u.email), ['eve@example.test'], 'a query at that position finds the key');
    assert.deepEqual((await t.call('GET', '/v1/users?keyPrefix=rk_00000000')).body.items, []);
    const whole = await t.call('GET', `/v1/users?keyPrefix=${given.body.key}`);
    assert.equal(whole.status, 400);
    assert.match(whole.body.detail, /keyPrefix/);
    assert.ok(!JSON.stringify(whole.body).includes(given.body.key.slice(12)), 'the key is not in the answer');
    assert.ok(t.logs.some((line) => line.includes(`keyPrefix=${given.body.prefix}…`)), 'the request\'s log line shows the key cut to its prefix');
    const listed = await t.call('GET', `/v1/users/${eveId}/keys`);
    assert.deepEqual(ids(listed.body.items), [own.keyId, given.body.keyId].sort());
    assert.ok(!JSON.stringify(listed.body).includes(given.body.key.slice(12)), 'no secret in the list');

    // A cap on the user's own key binds at once (this node's key cache forgets the key).
    const capped = await t.call('PATCH', `/v1/users/${eveId}/keys/${own.keyId}`, { limits: { requestsPerMinute: 1 } });
    assert.deepEqual([capped.status, capped.body.limits, capped.body.name], [200, { requestsPerMinute: 1 }, 'test key']);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: own.key })).status, 200);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: own.key })).status, 429);
    assert.equal((await t.call('GET', `/v1/users/${eveId}/keys/${own.keyId}`)).body.limits.requestsPerMinute, 1);

    const rotated = await t.call('POST', `/v1/users/${eveId}/keys/${given.body.keyId}/rotate`);
    assert.equal(rotated.status, 200);
    keys.push(rotated.body.key);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: given.body.key })).status, 401, 'the old secret stops');
    const revoked = await t.call('DELETE', `/v1/users/${eveId}/keys/${given.body.keyId}`);
    assert.equal(revoked.body.status, 'revoked');
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: rotated.body.key })).status, 401, 'revoked at once');
    const { rows } = await t.db.pool.query("SELECT data->>'reason' AS reason, metadata->>'actor' AS actor FROM events WHERE stream_id = $1 AND type = 'ApiKeyRevoked'", [`apikey-${given.body.keyId}`]);
    assert.equal(rows[0].reason, 'revoked by an admin');
    assert.match(String(rows[0].actor), /^admin:/, 'the admin is the actor, not the user');

    // Only an admin; only the user's keys; only users that exist.
    assert.equal((await t.call('GET', `/v1/users/${eveId}/keys`, undefined, { token: eve })).status, 403, 'a member does not manage keys through the admin\'s routes');
    assert.equal((await t.call('POST', `/v1/users/${eveId}/keys`, { name: 'mine' }, { token: eve })).status, 403);
    const adaKey = await newKey(ada);
    assert.equal((await t.call('GET', `/v1/users/${eveId}/keys`, undefined, { token: adaKey.key })).status, 403, 'nor a key');
    const elsewhere = await t.call('DELETE', `/v1/users/${eveId}/keys/${adaKey.keyId}`);
    assert.deepEqual([elsewhere.status, elsewhere.body.code], [404, 'key_not_found'], 'another user\'s key is not under this user');
    assert.equal((await allocate(adaKey.key)).status, 200, 'and stays working');
    const nobody = '00000000-0000-4000-8000-000000000000';
    assert.equal((await t.call('GET', `/v1/users/${nobody}/keys`)).body.code, 'user_not_found');
    assert.equal((await t.call('POST', `/v1/users/${nobody}/keys`, { name: 'x' })).body.code, 'user_not_found');
    const bad = await t.call('PATCH', `/v1/users/${eveId}/keys/${own.keyId}`, { limits: { requestsPerMinute: -1 } });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /requestsPerMinute/);
    assert.equal((await t.call('PATCH', `/v1/users/${eveId}/keys/${own.keyId}`, { owner: 'x' })).status, 400);
    assert.equal((await t.call('GET', `/v1/users/${eveId}/keys/${own.keyId}`)).body.limits.requestsPerMinute, 1, 'a refused change changes nothing');

    await t.call('POST', `/v1/users/${eveId}/disable`, { reason: 'left' });
    const toDisabled = await t.call('POST', `/v1/users/${eveId}/keys`, { name: 'late' });
    assert.deepEqual([toDisabled.status, toDisabled.body.code], [403, 'user_disabled'], 'no key for a disabled user: it would not work');
    assert.equal((await t.call('GET', `/v1/users/${eveId}/keys`)).body.items.length, 2, 'a disabled user\'s keys are still listed');
  });

  it('a budget holds under concurrency: 50 allocations against a budget of 10 units, exactly 10 succeed', async () => {
    const k = await newKey(bob, { limits: { budget: { units: 10, period: 'day' } } });
    const answers = await Promise.all(Array.from({ length: 50 }, () => t.call('POST', '/v1/pools/default/sessions', { count: 1 }, { token: k.key })));
    const counts = answers.reduce<Record<number, number>>((c, a) => ({ ...c, [a.status]: (c[a.status] ?? 0) + 1 }), {});
    assert.deepEqual(counts, { 201: 10, 429: 40 });
    assert.ok(answers.filter((a) => a.status === 429).every((a) => a.body.code === 'budget_exhausted' && Number(a.headers.get('retry-after')) > 0));
    const leased = new Set(answers.filter((a) => a.status === 201).map((a) => a.body.leases[0].accountId));
    assert.equal(leased.size, 10);
    const { budget } = (await t.call('GET', `/v1/keys/${k.keyId}`, undefined, { token: bob })).body;
    assert.deepEqual({ ...budget, period: undefined }, { period: undefined, units: 10, spent: 10, reserved: 0 }, 'its owner sees the budget spent');
  });

  it('failed sign-ins lock the account after 3 for the window (even the right password then gets 429), before any hash', async () => {
    await member('dave@example.test');
    const login = (password: string) => t.call('POST', '/v1/auth/login', { email: 'dave@example.test', password }, { token: null });
    const wrong = [await login('wrong 1'), await login('wrong 2'), await login('wrong 3')];
    assert.deepEqual(wrong.map((w) => w.status), [401, 401, 401]);
    const locked = await login('pw of dave@example.test');
    assert.deepEqual([locked.status, locked.body.code], [429, 'rate_limited']);
    const retryAfter = Number(locked.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 120, `locked for the rest of ROSTER_LOGIN_FAIL_WINDOW_S (120 s here, 900 by default): Retry-After ${retryAfter}`);
    assert.equal((await t.call('POST', '/api/auth/login', { username: 'DAVE@example.test', password: 'pw of dave@example.test' }, { token: null })).status, 429, 'the same account through the existing API');
  });

  it('no key, password or refresh token is in any event, table or log line', async () => {
    /** Every row of every table (events, read models, secrets' tables), and every log line. */
    const everywhere = async () => {
      const { rows: tables } = await t.db.pool.query<{ name: string }>("SELECT schemaname || '.' || tablename AS name FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
      const dumps = await Promise.all(tables.map(async ({ name }) => (await t.db.pool.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`)).rows.map((r) => r.row).join('\n')));
      return [...dumps, ...t.logs].join('\n');
    };
    const everything = await everywhere();
    assert.ok(keys.length >= 10);
    assert.ok(everything.includes(keys[0]!.slice(0, 11)), 'the key prefixes are there, so the scan reads the right places');
    for (const key of keys) assert.ok(!everything.includes(key.slice(36)), 'a key\'s secret is stored or logged');
    for (const secret of ['pw of ada@example.test', 'pw of dave@example.test', 'wrong 1']) assert.ok(!everything.includes(secret), `${secret} is stored or logged`);
    const refresh = (await t.call('POST', '/v1/auth/login', { email: 'bob@example.test', password: 'pw of bob@example.test' }, { token: null })).body.refreshToken as string;
    assert.ok(!(await everywhere()).includes(refresh), 'a refresh token is stored or logged');
  });

  it('requests at once are counted in Redis when Roster has one, not in PostgreSQL', { skip: redisInstalled() ? undefined : 'redis-server is not installed' }, async () => {
    const probe = new Redis(redis!.url);
    try {
      const end = await t.roster.services.quotas.start([{ scope: 'key:at-once', limits: { concurrentRequests: 1 } }]);
      assert.equal(await probe.zcard('roster:slots:key:at-once'), 1);
      assert.equal((await t.db.pool.query("SELECT 1 FROM request_slots WHERE scope = 'key:at-once'")).rowCount, 0);
      await assert.rejects(t.roster.services.quotas.start([{ scope: 'key:at-once', limits: { concurrentRequests: 1 } }]), /limit of 1 reached/);
      await end();
      assert.equal(await probe.zcard('roster:slots:key:at-once'), 0);
    } finally {
      probe.disconnect();
    }
  });

  it('failed token checks from one IP are limited: past the limit a bad token gets 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 70 && !statuses.includes(429); i++) {
      statuses.push((await t.call('GET', '/api/accounts/status', undefined, { token: `rk_${'0'.repeat(32)}_${'A'.repeat(43)}` })).status);
    }
    assert.ok(statuses.includes(429), 'refused with 429 within the limit of 60 failures');
    assert.deepEqual([...new Set(statuses)].sort(), [401, 429]);
    assert.equal((await t.call('GET', '/api/accounts/status')).status, 200, 'a good token still passes');
  });
});
