import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { testDatabase, type TestDatabase } from '../support/db.ts';
import { until } from '../support/sandbox.ts';
import { newToken, spawnServer, type ServerProcess } from '../support/servers.ts';

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string }

/** A real OTLP/HTTP (JSON) trace receiver: keeps every span it is sent. */
async function otlpReceiver(): Promise<{ server: Server; url: string; spans: OtlpSpan[] }> {
  const spans: OtlpSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const parsed = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
        for (const r of parsed.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, spans };
}

describe('telemetry: traces over OTLP, Prometheus metrics, readiness', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let otlp: Awaited<ReturnType<typeof otlpReceiver>>;
  const token = newToken();
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, text, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  };

  before(async () => {
    otlp = await otlpReceiver();
    db = await testDatabase();
    server = await spawnServer({
      ROSTER_DATABASE_URL: db.url, ROSTER_MASTER_KEY: randomBytes(32).toString('hex'), ROSTER_ADMIN_TOKEN: token,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_SERVICE_NAME: 'roster-test',
    });
    await call('POST', '/v1/pools', { poolId: 'tel', name: 'Telemetry' });
    await call('POST', '/v1/pools/tel/accounts', { lines: 't1@example.test:password-1\nt2@example.test:password-2' });
  });
  after(async () => {
    await server?.stop();
    await db?.drop();
    otlp?.server.close();
  });

  it('one allocate request yields one trace spanning HTTP, command, append and projection', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parent = randomBytes(8).toString('hex');
    const res = await call('POST', '/v1/pools/tel/sessions', { holder: 'traced' }, { traceparent: `00-${traceId}-${parent}-01` });
    assert.equal(res.status, 201);
    const spans = await until('the trace to be exported', async () => {
      const mine = otlp.spans.filter((s) => s.traceId === traceId);
      return mine.some((s) => s.name === 'project') ? mine : undefined;
    }, 15_000);
    const byName = new Map(spans.map((s) => [s.name, s]));
    const http = byName.get('POST /v1/pools/:poolId/sessions')!;
    assert.ok(http, spans.map((s) => s.name).join(', '));
    assert.equal(http.parentSpanId, parent, 'the server span continues the caller\'s trace');
    const command = byName.get('command Allocate')!;
    assert.equal(command.parentSpanId, http.spanId);
    assert.equal(byName.get('append')!.parentSpanId, command.spanId);
    assert.equal(byName.get('project')!.parentSpanId, command.spanId, 'the projection continues the trace its event carries');
    const events = await call('GET', `/v1/accounts/${res.body.leases[0].accountId}/history`);
    const allocated = events.body.events.find((e: { type: string }) => e.type === 'SessionAllocated');
    assert.equal(allocated.traceparent.split('-')[1], traceId, 'the event carries the trace');
  });

  it('a server stopped by SIGTERM shuts down gracefully and sends the spans it still held', async () => {
    // Spans would otherwise wait a minute for their batch: only the flush at shutdown sends them.
    const held = await spawnServer({
      ROSTER_DATABASE_URL: db.url, ROSTER_MASTER_KEY: randomBytes(32).toString('hex'), ROSTER_ADMIN_TOKEN: token,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_BSP_SCHEDULE_DELAY: '60000', OTEL_SERVICE_NAME: 'roster-test',
    });
    const traceId = randomBytes(16).toString('hex');
    const res = await fetch(`${held.url}/v1/pools`, { headers: { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
    assert.equal(res.status, 200);
    await held.stop('SIGTERM');
    assert.equal(held.child.exitCode, 0, 'its own stop ran to the end (not an exit with 128 + SIGTERM)');
    assert.ok(otlp.spans.some((s) => s.traceId === traceId && s.name === 'GET /v1/pools'), 'the request\'s span reached the receiver');
  });

  it('/metrics serves Prometheus text behind a token', async () => {
    assert.equal((await call('GET', '/metrics', undefined, { authorization: '' })).status, 401);
    const { status, text } = await call('GET', '/metrics');
    assert.equal(status, 200);
    assert.match(text, /roster_allocations_total\{pool="tel",outcome="allocated"[^}]*\} 1\n/);
    assert.match(text, /roster_accounts\{pool="tel",state="leased"[^}]*\} 1\n/);
    assert.match(text, /roster_accounts\{pool="tel",state="available"[^}]*\} 1\n/);
    assert.match(text, /roster_projection_lag_seconds\{[^}]*\} [0-9.e-]+\n/);
    assert.match(text, /roster_pool_sessions\{pool="tel"[^}]*\} 1\n/, 'the live session');
    // A lease allocated and released: its duration is observed, ended by release; the live sessions are back to the one before.
    const lease = await call('POST', '/v1/pools/tel/sessions', { holder: 'measured' });
    assert.equal((await call('POST', `/v1/pools/tel/sessions/${lease.body.sessionId}/release`, { leaseSecret: lease.body.leaseSecret })).status, 200);
    const released = await until('the release in the metrics', async () => {
      const now = (await call('GET', '/metrics')).text;
      return /roster_pool_sessions\{pool="tel"[^}]*\} 1\n/.test(now) && /roster_lease_duration_seconds_count\{[^}]*end="released"/.test(now) && now;
    }, 10_000);
    assert.match(released, /roster_lease_duration_seconds_count\{pool="tel",end="released"[^}]*\} 1\n/);
    assert.match(released, /roster_allocations_total\{pool="tel",outcome="allocated"[^}]*\} 2\n/);
  });

  it('/health/live and /health/ready answer without a token; ready reports the projection lag', async () => {
    assert.equal((await call('GET', '/health/live', undefined, { authorization: '' })).status, 200);
    const ready = await call('GET', '/health/ready', undefined, { authorization: '' });
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
    assert.ok(ready.body.projectionLagSeconds < 10);
  });
});
