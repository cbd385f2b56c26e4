/**
 * The console's cookie session over HTTP: the page and its assets (open, cached as they
 * should be), sign-in setting httpOnly SameSite=Strict cookies, double-submit CSRF on
 * changes, refresh rotation, the live feed only from the page's own origin, sign-out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { registerUser } from '../../src/commands/users.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

/** A cookie jar of one client: `name=value` pairs from Set-Cookie, sent back as one header. */
class Jar {
  readonly cookies = new Map<string, string>();
  take(res: Response): string[] {
    const set = res.headers.getSetCookie();
    for (const line of set) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, at), pair!.slice(at + 1)];
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return set;
  }
  get header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

describe('console session', () => {
  let t: TestRoster;
  const jar = new Jar();
  const send = async (method: string, path: string, options: { body?: unknown; csrf?: string | null } = {}) => {
    const headers: Record<string, string> = { cookie: jar.header };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const csrf = options.csrf === undefined ? jar.cookies.get('roster_csrf') : options.csrf;
    if (csrf) headers['x-csrf-token'] = csrf;
    const res = await fetch(`${t.roster.url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const set = jar.take(res);
    const text = await res.text();
    return { status: res.status, set, body: text ? JSON.parse(text) : undefined };
  };

  before(async () => {
    t = await startTestRoster();
    await registerUser(t.roster.services.users, { email: 'ops@example.test', password: 'console password 1', role: 'operator', verified: true }, { actor: 'test', correlationId: 'c' });
  });
  after(() => t.stop());

  it('serves the page and its assets without a token: the page never cached, hashed assets for a year', async () => {
    const page = await fetch(`${t.roster.url}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await page.text();
    const script = /src="(\/assets\/main-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const asset = await fetch(`${t.roster.url}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /max-age=31536000.*immutable|immutable.*max-age=31536000/);
    assert.equal((await fetch(`${t.roster.url}/v1/pools`)).status, 401, 'the API still needs a token');
  });

  it('signs in with cookies: the session httpOnly and SameSite=Strict; a wrong password sets none', async () => {
    const wrong = await send('POST', '/v1/auth/session', { body: { email: 'ops@example.test', password: 'not it' } });
    assert.deepEqual([wrong.status, wrong.set.length], [401, 0]);
    const ok = await send('POST', '/v1/auth/session', { body: { email: 'ops@example.test', password: 'console password 1' } });
    assert.equal(ok.status, 200);
    const session = ok.set.find((c) => c.startsWith('roster_session='))!;
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Strict/);
    assert.match(ok.set.find((c) => c.startsWith('roster_refresh='))!, /Path=\/v1\/auth\/session; HttpOnly/);
    assert.doesNotMatch(ok.set.find((c) => c.startsWith('roster_csrf='))!, /HttpOnly/, 'the page reads the CSRF token');
    assert.equal(ok.body.csrfToken, jar.cookies.get('roster_csrf'));
    assert.equal((await send('GET', '/v1/auth/me')).body.email, 'ops@example.test');
  });

  it('refuses a change by cookie without the CSRF token, or with another, and takes it with the right one', async () => {
    const none = await send('POST', '/v1/pools', { body: { poolId: 'by-cookie', name: 'C' }, csrf: null });
    assert.equal(none.status, 403);
    assert.deepEqual(none.body.errors.map((e: { field: string }) => e.field), ['x-csrf-token']);
    assert.equal((await send('POST', '/v1/pools', { body: { poolId: 'by-cookie', name: 'C' }, csrf: 'forged' })).status, 403);
    assert.equal((await t.call('GET', '/v1/pools/by-cookie')).status, 404, 'nothing was made');
    assert.equal((await send('POST', '/v1/pools', { body: { poolId: 'by-cookie', name: 'C' } })).status, 201);
  });

  it('opens the live feed with the cookie only from the page\'s own origin', async () => {
    const open = (origin: string) => new Promise<number>((resolve) => {
      const ws = new WebSocket(`${t.roster.url.replace('http', 'ws')}/ws?topics=health`, { headers: { cookie: jar.header, origin } });
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    assert.equal(await open(t.roster.url), 101);
    assert.equal(await open('https://elsewhere.example'), 403);
  });

  it('rotates the refresh cookie (two tabs at once share the successor); sign-out ends the session', async () => {
    const before = jar.cookies.get('roster_refresh');
    const renewed = await send('POST', '/v1/auth/session/refresh');
    assert.equal(renewed.status, 200);
    assert.notEqual(jar.cookies.get('roster_refresh'), before);
    // Two tabs refreshing at once: the old token, within the grace window, gets the same successor.
    const successor = jar.cookies.get('roster_refresh');
    jar.cookies.set('roster_refresh', before!);
    assert.equal((await send('POST', '/v1/auth/session/refresh')).status, 200);
    assert.equal(jar.cookies.get('roster_refresh'), successor);
    const out = await send('POST', '/v1/auth/session/logout');
    assert.equal(out.status, 204);
    assert.equal(jar.cookies.has('roster_session'), false);
    assert.equal((await send('GET', '/v1/auth/me')).status, 401);
    jar.cookies.set('roster_refresh', successor!);
    jar.cookies.set('roster_csrf', 'x');
    assert.equal((await send('POST', '/v1/auth/session/refresh')).status, 401, 'the signed-out session cannot be renewed');
  });
});
