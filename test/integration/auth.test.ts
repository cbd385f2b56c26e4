/** Users signing in over HTTP: native and existing shapes, roles, refresh, logout, logout everywhere; no secret in events. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser } from '../../src/commands/users.ts';
import type { Role } from '../../src/domain/user.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('sign-in over HTTP', () => {
  let t: TestRoster;
  /** Codes read from the outbox, to look for in the events. */
  const verificationCodes: string[] = [];
  const ctx = { actor: 'test', correlationId: 'c' };
  const user = async (email: string, role: Role, verified = true) => registerUser(t.roster.services.users, { email, password: `pw of ${email}`, role, verified }, ctx);
  const login = (email: string, password = `pw of ${email}`) => t.call('POST', '/v1/auth/login', { email, password }, { token: null });
  before(async () => {
    t = await startTestRoster();
    await user('viewer@example.test', 'viewer');
    await user('member@example.test', 'member');
    await user('operator@example.test', 'operator');
    await user('unverified@example.test', 'member', false);
  });
  after(async () => t.stop());

  it('signs in, and an unknown email and a wrong password get the same 401', async () => {
    const ok = await login('viewer@example.test');
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.body).sort(), ['accessToken', 'expiresIn', 'refreshToken', 'tokenType', 'user']);
    assert.equal(ok.body.expiresIn, 900);
    // The user's stream is read once, by the token's check, which gives what the answer shows.
    const { store } = t.roster.services;
    const readStream = store.readStream.bind(store);
    let reads = 0;
    store.readStream = (stream, options) => ((reads += Number(stream === `user-${ok.body.user.userId}`)), readStream(stream, options));
    const me = await t.call('GET', '/v1/auth/me', undefined, { token: ok.body.accessToken }).finally(() => (store.readStream = readStream));
    assert.deepEqual(me.body, { userId: ok.body.user.userId, email: 'viewer@example.test', role: 'viewer', verified: true, limits: {} });
    assert.equal(reads, 1, "the user's stream read once");
    const wrong = await login('viewer@example.test', 'not the password');
    const unknown = await login('nobody@example.test', 'not the password');
    assert.equal(wrong.status, 401);
    assert.deepEqual({ ...wrong.body, instance: undefined }, { ...unknown.body, instance: undefined });
    const unverified = await login('unverified@example.test');
    assert.equal(unverified.status, 403);
    assert.equal(unverified.body.code, 'email_not_verified');
    assert.equal((await t.call('POST', '/v1/auth/login', { email: 'viewer@example.test', password: 'x'.repeat(129) }, { token: null })).status, 400);
  });

  it('logs out one sign-in (its refresh token ends) and every sign-in (access tokens issued before end too)', async () => {
    const first = await login('member@example.test');
    const second = await login('member@example.test');
    const out = await t.call('POST', '/v1/auth/logout', { refreshToken: first.body.refreshToken }, { token: null });
    assert.equal(out.status, 204);
    assert.equal((await t.call('POST', '/v1/auth/refresh', { refreshToken: first.body.refreshToken }, { token: null })).status, 401, 'the logged-out sign-in cannot refresh');
    const refreshed = await t.call('POST', '/v1/auth/refresh', { refreshToken: second.body.refreshToken }, { token: null });
    assert.equal(refreshed.status, 200, 'the other sign-in goes on');
    assert.equal((await t.call('POST', '/v1/auth/logout-all', undefined, { token: refreshed.body.accessToken })).status, 204);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: second.body.accessToken })).status, 401, 'an access token issued before ends');
    assert.equal((await t.call('POST', '/v1/auth/refresh', { refreshToken: refreshed.body.refreshToken }, { token: null })).status, 401);
    // Signing in again at once works: its tokens are not taken as issued before the logout.
    const again = await login('member@example.test');
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: again.body.accessToken })).status, 200);
    assert.equal((await t.call('POST', '/v1/auth/refresh', { refreshToken: again.body.refreshToken }, { token: null })).status, 200);
  });

  it('roles: a viewer reads only, a member only its own sign-in, an operator changes pools', async () => {
    const [viewer, member, operator] = await Promise.all(['viewer', 'member', 'operator'].map(async (r) => (await login(`${r}@example.test`)).body.accessToken as string));
    assert.equal((await t.call('GET', '/v1/pools', undefined, { token: viewer })).status, 200);
    const refused = await t.call('POST', '/v1/pools', { poolId: 'v', name: 'V' }, { token: viewer });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'forbidden');
    assert.equal((await t.call('GET', '/v1/pools', undefined, { token: member })).status, 403);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: member })).status, 200);
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'by-operator', name: 'O' }, { token: operator })).status, 201);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: null })).status, 401);
    assert.equal((await t.call('GET', '/v1/auth/me')).status, 401, 'an admin token is not a user');
  });

  it('answers the shared-account service\'s routes in their shapes: login, me, refresh, logout, logout-all, check-username', async () => {
    const ok = await t.call('POST', '/api/auth/login', { username: 'member@example.test', password: 'pw of member@example.test' }, { token: null });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(Object.keys(ok.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type', 'user']);
    assert.equal(ok.body.token_type, 'bearer');
    assert.equal(ok.body.user.username, 'member@example.test');
    assert.equal((await t.call('GET', '/api/auth/me', undefined, { token: ok.body.access_token })).body.email, 'member@example.test');
    const refreshed = await t.call('POST', '/api/auth/refresh', { refresh_token: ok.body.refresh_token }, { token: null });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refresh_token, ok.body.refresh_token);
    assert.equal((await t.call('POST', '/api/auth/logout', { refresh_token: refreshed.body.refresh_token }, { token: null })).status, 200);
    assert.equal((await t.call('POST', '/api/auth/refresh', { refresh_token: refreshed.body.refresh_token }, { token: null })).status, 401);
    const taken = await t.call('GET', '/api/auth/check-username?username=Member@Example.test', undefined, { token: null });
    assert.deepEqual(taken.body, { username: 'Member@Example.test', available: false });
    assert.equal((await t.call('GET', '/api/auth/check-username?username=free@example.test', undefined, { token: null })).body.available, true);
    // Logout everywhere: the access token in hand stops working at once.
    const again = await t.call('POST', '/api/auth/login', { username: 'member@example.test', password: 'pw of member@example.test' }, { token: null });
    await new Promise((r) => setTimeout(r, 2));
    assert.equal((await t.call('POST', '/api/auth/logout-all', undefined, { token: again.body.access_token })).status, 200);
    assert.equal((await t.call('GET', '/api/auth/me', undefined, { token: again.body.access_token })).status, 401);
    assert.equal((await t.call('POST', '/api/auth/refresh', { refresh_token: again.body.refresh_token }, { token: null })).status, 401);
  });

  it('changes the password: the old one stops signing in, sessions end', async () => {
    const ok = await login('operator@example.test');
    const changed = await t.call('POST', '/v1/auth/password', { currentPassword: 'pw of operator@example.test', newPassword: 'a new password' }, { token: ok.body.accessToken });
    assert.equal(changed.status, 204);
    assert.equal((await login('operator@example.test')).status, 401);
    assert.equal((await login('operator@example.test', 'a new password')).status, 200);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: ok.body.accessToken })).status, 401);
  });

  it('signs up by mail: the code from the outbox verifies the address once; a taken address gets the same answer and its owner a notice', async () => {
    const mail = async (to: string) => (await t.call('GET', `/v1/mail?to=${encodeURIComponent(to)}`)).body.items as Array<{ subject: string; text: string }>;
    const codeIn = (text: string) => /code: (\S+)/.exec(text)![1]!;
    const signUp = await t.call('POST', '/v1/auth/register', { email: 'New@Example.test', password: 'my new password' }, { token: null });
    assert.equal(signUp.status, 202);
    const [verification] = await mail('new@example.test');
    assert.match(verification!.subject, /verify/i);
    assert.equal((await login('new@example.test', 'my new password')).status, 403);
    const code = codeIn(verification!.text);
    assert.equal((await t.call('POST', '/v1/auth/verify', { code }, { token: null })).status, 200);
    assert.equal((await t.call('POST', '/v1/auth/verify', { code }, { token: null })).status, 400, 'a code works once');
    assert.equal((await login('new@example.test', 'my new password')).status, 200);
    verificationCodes.push(code);

    const taken = await t.call('POST', '/v1/auth/register', { email: 'new@example.test', password: 'a takeover try' }, { token: null });
    assert.deepEqual([taken.status, taken.body], [signUp.status, signUp.body], 'the same answer whether or not the address is taken');
    assert.match((await mail('new@example.test'))[0]!.subject, /tried to sign up/);
    assert.equal((await login('new@example.test', 'a takeover try')).status, 401);
  });

  it('signs in before the address is verified when ROSTER_REQUIRE_VERIFIED_EMAIL is false; its code lasts ROSTER_CODE_TTL_MS', async () => {
    const open = await startTestRoster({ ROSTER_REQUIRE_VERIFIED_EMAIL: 'false', ROSTER_CODE_TTL_MS: '120000' });
    try {
      assert.equal((await open.call('POST', '/v1/auth/register', { email: 'early@example.test', password: 'early password' }, { token: null })).status, 202);
      const signedIn = await open.call('POST', '/v1/auth/login', { email: 'early@example.test', password: 'early password' }, { token: null });
      assert.equal(signedIn.status, 200);
      const me = (await open.call('GET', '/v1/auth/me', undefined, { token: signedIn.body.accessToken })).body;
      assert.deepEqual([me.email, me.verified], ['early@example.test', false], 'the user sees the address is not verified yet');
      const [verification] = (await open.call('GET', '/v1/mail?to=early%40example.test')).body.items as Array<{ text: string }>;
      assert.match(verification!.text, /for 2 minutes/);
      const issued = (await open.db.pool.query("SELECT data FROM events WHERE type = 'UserCodeIssued'")).rows[0].data as { expiresAt: string; at: string };
      assert.equal(Date.parse(issued.expiresAt) - Date.parse(issued.at), 120_000);
      assert.equal((await open.call('POST', '/v1/auth/login', { email: 'early@example.test', password: 'wrong password' }, { token: null })).status, 401, 'the password still binds');
    } finally {
      await open.stop();
    }
  });

  it('resets a forgotten password with a mailed code, once; an unknown address gets the same answer and no mail', async () => {
    const unknown = await t.call('POST', '/v1/auth/password-reset', { email: 'ghost@example.test' }, { token: null });
    const known = await t.call('POST', '/v1/auth/password-reset', { email: 'viewer@example.test' }, { token: null });
    assert.deepEqual([unknown.status, unknown.body], [known.status, known.body]);
    assert.equal((await t.call('GET', '/v1/mail?to=ghost@example.test')).body.items.length, 0);
    const [reset] = (await t.call('GET', '/v1/mail?to=viewer@example.test')).body.items;
    const code = /code: (\S+)/.exec(reset.text)![1]!;
    verificationCodes.push(code);
    assert.equal((await t.call('POST', '/v1/auth/password-reset/confirm', { code, newPassword: 'viewer reset pw' }, { token: null })).status, 200);
    assert.equal((await t.call('POST', '/v1/auth/password-reset/confirm', { code, newPassword: 'again and again' }, { token: null })).status, 400);
    assert.equal((await login('viewer@example.test', 'viewer reset pw')).status, 200);
    assert.equal((await login('viewer@example.test')).status, 401);
    const viewer = (await login('viewer@example.test', 'viewer reset pw')).body.accessToken;
    assert.equal((await t.call('GET', '/v1/mail', undefined, { token: viewer })).status, 403, 'the outbox is for admins');
  });

  it('an admin lists users from the read model: by role, by part of the email, a page at a time; no one else may', async () => {
    const position = encodeURIComponent(String(await t.roster.services.store.headPosition()));
    const all: Array<{ email: string; role: string; verified: boolean }> = [];
    let after = '';
    for (let page = 0; page < 20; page++) {
      const r = await t.call('GET', `/v1/users?limit=2&position=${position}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.items.length <= 2);
      all.push(...r.body.items);
      if (!r.body.next) break;
      after = r.body.next;
    }
    const emails = all.map((u) => u.email);
    assert.deepEqual(emails, [...emails].sort(), 'by email');
    assert.equal(new Set(emails).size, emails.length, 'no user twice across pages');
    for (const e of ['member@example.test', 'operator@example.test', 'unverified@example.test', 'viewer@example.test']) assert.ok(emails.includes(e), e);
    const operators = (await t.call('GET', `/v1/users?role=operator&position=${position}`)).body.items;
    assert.deepEqual(operators.map((u: { email: string }) => u.email), ['operator@example.test']);
    const found = (await t.call('GET', `/v1/users?search=UNVERIF&position=${position}`)).body.items;
    assert.deepEqual(found.map((u: { email: string; verified: boolean }) => [u.email, u.verified]), [['unverified@example.test', false]]);
    const viewer = (await login('viewer@example.test', 'viewer reset pw')).body.accessToken;
    assert.equal((await t.call('GET', '/v1/users', undefined, { token: viewer })).status, 403);
  });

  it('an admin disables (ending every sign-in), enables and changes the role of a user; an operator may not', async () => {
    const { userId } = await user('staff@example.test', 'member');
    const signedIn = (await login('staff@example.test')).body;
    const operator = (await login('operator@example.test', 'a new password')).body.accessToken;
    assert.equal((await t.call('POST', `/v1/users/${userId}/disable`, { reason: 'left' }, { token: operator })).status, 403);
    const disabled = await t.call('POST', `/v1/users/${userId}/disable`, { reason: 'left' });
    const { position, ...answer } = disabled.body;
    assert.deepEqual(answer, { userId, status: 'disabled', role: 'member' });
    assert.equal((await t.call('GET', `/v1/users?search=staff&position=${position}`)).body.items[0].status, 'disabled', 'the answer\'s position reads the change');
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: signedIn.accessToken })).status, 401, 'its access token stops at once');
    assert.equal((await t.call('POST', '/v1/auth/refresh', { refreshToken: signedIn.refreshToken }, { token: null })).status, 401);
    assert.equal((await login('staff@example.test')).status, 403);
    assert.equal((await t.call('POST', `/v1/users/${userId}/enable`)).body.status, 'active');
    assert.equal((await t.call('PATCH', `/v1/users/${userId}`, { role: 'viewer' })).body.role, 'viewer');
    assert.equal((await t.call('PATCH', `/v1/users/${userId}`, { role: 'root' })).status, 400);
    const again = await login('staff@example.test');
    assert.equal(again.body.user.role, 'viewer');
    assert.equal((await t.call('PATCH', `/v1/users/${userId}`, { limits: { requestsPerMinute: 30 } })).status, 200);
    assert.deepEqual((await t.call('GET', '/v1/auth/me', undefined, { token: again.body.accessToken })).body.limits, { requestsPerMinute: 30 }, 'a user sees its own limits');
    assert.equal((await t.call('POST', `/v1/users/00000000-0000-4000-8000-000000000000/enable`)).status, 404);
  });

  it('writes no password, code or token to an event', async () => {
    for (const code of verificationCodes) {
      const found = await t.db.pool.query('SELECT count(*) AS n FROM events WHERE (data::text || metadata::text) LIKE $1', [`%${code}%`]);
      assert.equal(Number(found.rows[0].n), 0);
    }
    assert.equal(verificationCodes.length, 2);
    const { rows } = await t.db.pool.query("SELECT count(*) AS n FROM events WHERE (data::text || metadata::text) ~ '(pw of |a new password|my new password|a takeover try|viewer reset pw|rt_[A-Za-z0-9_-]{20}|eyJ)'");
    assert.equal(Number(rows[0].n), 0);
  });
});
