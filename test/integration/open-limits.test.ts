/**
 * The open routes that cost something whoever calls: sign-ups and password resets are
 * counted per client IP and per address, `check-username` per IP; past a limit, 429 with
 * `Retry-After` before any user is made or mail queued. The client's IP comes from
 * `X-Forwarded-For` only when the peer is a trusted proxy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { emailTaken } from '../../src/commands/users.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

/** A request without a token, as if forwarded for `ip` (the header is ignored unless the peer is trusted). */
async function open(t: TestRoster, method: string, path: string, ip: string, body?: unknown) {
  const res = await fetch(`${t.roster.url}${path}`, {
    method, headers: { 'x-forwarded-for': ip, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() as Record<string, unknown> };
}

const signUp = (t: TestRoster, ip: string, email: string) => open(t, 'POST', '/v1/auth/register', ip, { email, password: 'a long password' });
const reset = (t: TestRoster, ip: string, email: string) => open(t, 'POST', '/v1/auth/password-reset', ip, { email });
const lookUp = (t: TestRoster, ip: string, email: string) => open(t, 'GET', `/api/auth/check-username?username=${encodeURIComponent(email)}`, ip);
const mailTo = async (t: TestRoster, to: string) => ((await t.call('GET', `/v1/mail?to=${encodeURIComponent(to)}`)).body as { items: unknown[] }).items.length;
const exists = (t: TestRoster, email: string) => emailTaken(t.roster.services.store, email);

function assertRefused(r: Awaited<ReturnType<typeof open>>) {
  assert.equal(r.status, 429, JSON.stringify(r.body));
  assert.equal(r.body.code, 'rate_limited');
  // Within ROSTER_OPEN_LIMIT_WINDOW_S: 600 s here (3,600 by default).
  assert.ok(Number(r.retryAfter) >= 1 && Number(r.retryAfter) <= 600, `Retry-After ${r.retryAfter}`);
}

describe('limits on the open routes, behind a trusted proxy', () => {
  let t: TestRoster;
  before(async () => {
    t = await startTestRoster({ ROSTER_TRUST_PROXY: 'loopback', ROSTER_MAIL_REQUESTS_PER_IP: '4', ROSTER_MAILS_PER_ADDRESS: '2', ROSTER_LOOKUPS_PER_IP: '3', ROSTER_OPEN_LIMIT_WINDOW_S: '600' });
  });
  after(async () => t.stop());

  it('mails one address at most its limit, whichever IPs ask', async () => {
    assert.equal((await signUp(t, '203.0.113.1', 'Target@example.test')).status, 202);
    assert.equal((await reset(t, '203.0.113.2', 'target@example.test')).status, 202);
    const mails = await mailTo(t, 'target@example.test');
    assertRefused(await reset(t, '203.0.113.3', ' TARGET@example.test'));
    assertRefused(await signUp(t, '203.0.113.4', 'target@example.test'));
    assert.equal(await mailTo(t, 'target@example.test'), mails, 'no mail past the limit');
    assert.equal((await reset(t, '203.0.113.3', 'other@example.test')).status, 202, 'another address is not held up');
  });

  it('takes at most its limit of sign-ups and resets from one IP, and makes no user past it', async () => {
    const ip = '198.51.100.7';
    for (let i = 0; i < 3; i++) assert.equal((await signUp(t, ip, `many${i}@example.test`)).status, 202);
    assert.equal((await reset(t, ip, 'many0@example.test')).status, 202);
    assertRefused(await signUp(t, ip, 'many3@example.test'));
    assert.equal(await exists(t, 'many3@example.test'), false);
    assert.equal(await mailTo(t, 'many3@example.test'), 0);
    for (let i = 0; i < 3; i++) assert.equal(await exists(t, `many${i}@example.test`), true);
    assert.equal((await signUp(t, '198.51.100.8', 'many3@example.test')).status, 202, 'another IP signs up');
    assert.equal(await exists(t, 'many3@example.test'), true);
  });

  it('answers check-username at most its limit of times per IP', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await lookUp(t, '192.0.2.10', `who${i}@example.test`)).status, 200);
    assertRefused(await lookUp(t, '192.0.2.10', 'who3@example.test'));
    assert.deepEqual((await lookUp(t, '192.0.2.11', 'target@example.test')).body, { username: 'target@example.test', available: false });
  });
});

describe('limits on the open routes, with no proxy trusted', () => {
  let t: TestRoster;
  before(async () => {
    t = await startTestRoster({ ROSTER_MAIL_REQUESTS_PER_IP: '2', ROSTER_OPEN_LIMIT_WINDOW_S: '600' });
  });
  after(async () => t.stop());

  it('counts by the peer, whatever X-Forwarded-For says', async () => {
    assert.equal((await signUp(t, '203.0.113.1', 'one@example.test')).status, 202);
    assert.equal((await signUp(t, '203.0.113.2', 'two@example.test')).status, 202);
    assertRefused(await signUp(t, '203.0.113.3', 'three@example.test'));
    assert.equal(await exists(t, 'three@example.test'), false);
  });
});
