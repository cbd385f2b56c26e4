/**
 * Connection hygiene: slow clients are cut off, refusals do not wait for bodies, the
 * connection cap holds, and a database outage answers 503 with Retry-After.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { startRoster } from '../../src/service.ts';
import { startEmbeddedPostgres } from '../../src/store/embedded.ts';
import { startTestRoster, testToken, type TestRoster } from '../support/roster.ts';
import { until } from '../support/sandbox.ts';

/** A raw socket to the server, with everything it received and a promise of its end. */
function rawClient(url: string): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const { hostname, port } = new URL(url);
  return new Promise((ok, fail) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    socket.on('data', (d) => (data += String(d)));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => ok({ socket, received: () => data, closed }));
    socket.once('error', fail);
  });
}

describe('connection hygiene', () => {
  let t: TestRoster;
  before(async () => {
    t = await startTestRoster({ ROSTER_REQUEST_TIMEOUT_MS: '1000', ROSTER_MAX_CONNECTIONS: '6' });
  });
  after(async () => t.stop());

  it('refuses an unauthenticated request at once and closes, without waiting for the body it announced', async () => {
    const c = await rawClient(t.roster.url);
    c.socket.write('POST /v1/pools HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    await c.closed;
    assert.match(c.received(), /^HTTP\/1\.1 401/);
    assert.match(c.received(), /connection: close/i);
  });

  it('cuts off an authenticated client that sends its body too slowly (408), while others are served', async () => {
    const c = await rawClient(t.roster.url);
    c.socket.write(`POST /v1/pools HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`);
    let sent = 0;
    const drip = setInterval(() => {
      if (!c.socket.destroyed) c.socket.write(' ');
      sent++;
    }, 200);
    try {
      assert.equal((await t.call('GET', '/v1/pools')).status, 200, 'another client is served meanwhile');
      await c.closed;
    } finally {
      clearInterval(drip);
    }
    assert.match(c.received(), /^HTTP\/1\.1 408/);
    assert.ok(sent < 200, 'closed long before the body could have been completed');
  });

  it('lets a request that was received in time wait longer than the request timeout for its answer', async () => {
    // The default pool is empty: the allocation waits its 2.5 s (the request timeout is 1 s), then hears that nothing is free.
    const r = await t.call('POST', '/v1/pools/default/sessions', { count: 1, waitMs: 2500 });
    assert.deepEqual([r.status, r.body.code], [503, 'no_account_available']);
  });

  it('accepts at most ROSTER_MAX_CONNECTIONS connections; the next is closed at once', async () => {
    const open = await Promise.all(Array.from({ length: 6 }, () => rawClient(t.roster.url)));
    try {
      const extra = await rawClient(t.roster.url);
      extra.socket.write(`GET /v1/pools HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token}\r\n\r\n`);
      await extra.closed;
      assert.equal(extra.received(), '', 'the connection over the cap gets no answer');
    } finally {
      for (const c of open) c.socket.destroy();
      await Promise.all(open.map((c) => c.closed));
    }
    // The cap counts open connections: once they are gone, clients are served again.
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) status = await t.call('GET', '/v1/pools').then((r) => r.status, () => 0);
    assert.equal(status, 200);
  });

  it('listens on ROSTER_HOST alone, the API and the gateway', async () => {
    const bound = await startTestRoster({ ROSTER_HOST: '127.0.0.2' });
    try {
      const api = new URL(bound.roster.url);
      const gateway = new URL(bound.roster.gatewayUrl);
      assert.deepEqual([api.hostname, gateway.hostname], ['127.0.0.2', '127.0.0.2']);
      assert.equal((await fetch(`${bound.roster.url}/health`)).status, 200);
      await assert.rejects(fetch(`http://127.0.0.1:${api.port}/health`), 'nothing listens on another address');
      await assert.rejects(fetch(`http://127.0.0.1:${gateway.port}/health`));
    } finally {
      await bound.stop();
    }
  });
});

describe('a PostgreSQL outage', () => {
  it('answers commands and queries with 503 and Retry-After, not 500, and still stops cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-outage-'));
    const db = await startEmbeddedPostgres(dir, { flags: ['-c', 'fsync=off'] });
    const admin = new pg.Client(db.url);
    await admin.connect();
    await admin.query('CREATE DATABASE roster');
    await admin.end();
    const url = db.url.replace(/\/postgres$/, '/roster');
    const token = testToken();
    const roster = await startRoster(loadConfig({ ROSTER_PORT: '0', ROSTER_GATEWAY_PORT: '0', ROSTER_ADMIN_TOKEN: token, ROSTER_LOG_LEVEL: 'silent' }), {
      databaseUrl: url, masterKey: randomBytes(32), logger: false,
    });
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${roster.url}${path}`, {
        method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() as { code?: string } };
    };
    try {
      await call('POST', '/v1/pools/default/accounts', { accounts: [{ login: 'a@example.test', password: 'p' }] });
      assert.equal((await call('POST', '/v1/pools/default/sessions', { count: 1 })).status, 201);
      await db.stop();
      for (const [method, path, body] of [
        ['POST', '/v1/pools', { poolId: 'other', name: 'Other' }], ['GET', '/v1/pools/default'], ['POST', '/v1/pools/default/accounts', { accounts: [{ login: 'b@example.test' }] }],
      ] as Array<[string, string, unknown]>) {
        const r = await call(method, path, body);
        assert.deepEqual([r.status, r.body.code], [503, 'unavailable'], `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.equal(r.retryAfter, '2');
      }
      // Not ready (a load balancer takes the node out), yet live (nothing to restart).
      const ready = await until('not ready', async () => {
        const res = await fetch(`${roster.url}/health/ready`);
        return res.status === 503 && { status: res.status, body: await res.json() };
      }, 5000);
      assert.deepEqual(ready.body, { status: 'unavailable' });
      assert.equal((await fetch(`${roster.url}/health/live`)).status, 200);
      // A connection lost while it held the scheduler's lock goes back to the pool, so the pool can end.
      await roster.stop();
    } finally {
      await roster.stop().catch(() => undefined);
      await db.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
