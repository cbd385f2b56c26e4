import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { until } from '../support/sandbox.ts';

const run = promisify(execFile);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Entry { position: string; type: string; at: string; actor: string; correlationId: string; requestId?: string; traceparent?: string; data: { sessionId?: string } }

describe('account history, audit and the roster CLI', () => {
  let t: TestRoster;
  let accountId: string;
  let actor: string;
  const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, ROSTER_DATABASE_URL: t.db.url, ROSTER_MASTER_KEY: 'ab'.repeat(32) } })
    .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

  before(async () => {
    t = await startTestRoster();
    actor = `admin:${t.token.split('_')[1]}`;
    await t.call('POST', '/v1/pools', { poolId: 'hist', name: 'History' });
    const imported = await t.call('POST', '/v1/pools/hist/accounts', { lines: 'h1@example.test:password-1' });
    accountId = imported.body.lines[0].accountId;
    // alpha holds it, releases; the operator disables and enables it; beta holds it; gamma's lease expires.
    const alpha = (await t.call('POST', '/v1/pools/hist/sessions', { holder: 'alpha' })).body;
    await pause(30);
    await t.call('POST', `/v1/pools/hist/sessions/${alpha.sessionId}/release`, { leaseSecret: alpha.leaseSecret });
    await pause(30);
    const disabled = await fetch(`${t.roster.url}/v1/accounts/${accountId}/disable`, {
      method: 'POST', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', 'x-correlation-id': 'change-42' },
      body: JSON.stringify({ reason: 'maintenance' }),
    });
    assert.equal(disabled.status, 200);
    await pause(30);
    await t.call('POST', `/v1/accounts/${accountId}/enable`);
    await pause(30);
    const beta = (await t.call('POST', '/v1/pools/hist/sessions', { holder: 'beta' })).body;
    await pause(30);
    await t.call('POST', `/v1/pools/hist/sessions/${beta.sessionId}/release`, { leaseSecret: beta.leaseSecret });
    await t.call('POST', '/v1/pools/hist/sessions', { holder: 'gamma', ttlMs: 1000 });
    await until('the reaper to expire gamma', async () => (await t.call('GET', `/v1/accounts/${accountId}/holders`)).body.items.at(-1)?.end === 'expired', 10_000);
  });
  after(async () => t?.stop());

  const history = async (): Promise<Entry[]> => (await t.call('GET', `/v1/accounts/${accountId}/history`)).body.events;

  it('the timeline holds every event that concerns the account, from both streams, with actor and ids', async () => {
    const events = await history();
    assert.deepEqual(events.map((e) => e.type), [
      'AccountImported', 'SessionAllocated', 'SessionReleased', 'AccountDisabled', 'AccountEnabled',
      'SessionAllocated', 'SessionReleased', 'SessionAllocated', 'SessionExpired',
    ]);
    assert.deepEqual(events.map((e) => e.position), events.map((e) => e.position).sort(), 'in log order');
    for (const e of events.slice(0, -1)) {
      assert.equal(e.actor, actor, e.type);
      assert.ok(e.requestId && e.correlationId, e.type);
      assert.equal((e as Entry & { causationId?: string }).causationId, e.requestId, e.type);
      assert.match(e.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/, e.type);
    }
    assert.equal(events.at(-1)!.actor, 'system:reaper');
    assert.equal(events[3]!.correlationId, 'change-42');
    const traceId = events[3]!.traceparent!.split('-')[1];
    assert.ok(t.logs.some((l) => l.includes(`"trace_id":"${traceId}"`)), 'the request\'s log lines carry its trace id');
    assert.equal((await t.call('GET', `/v1/accounts/${randomUUID()}/history`)).status, 404);
  });

  it('state as of an instant and who held the account then match the timeline worked out by hand', async () => {
    const events = await history();
    const between = (i: number) => new Date((Date.parse(events[i]!.at) + Date.parse(events[i + 1]!.at)) / 2).toISOString();
    const asOf = async (at: string) => (await t.call('GET', `/v1/accounts/${accountId}/as-of?at=${encodeURIComponent(at)}`)).body;
    // By hand: after 0 imported and free; after 1 alpha holds it; after 2 free; after 3 disabled; after 4 active; after 5 beta.
    const expected = [
      { status: 'active', heldBy: null }, { status: 'active', heldBy: 'alpha' }, { status: 'active', heldBy: null },
      { status: 'disabled', heldBy: null }, { status: 'active', heldBy: null }, { status: 'active', heldBy: 'beta' },
    ];
    for (const [i, want] of expected.entries()) {
      const got = await asOf(between(i));
      assert.deepEqual({ status: got.state.status, heldBy: got.heldBy?.holder ?? null }, want, `after event ${i} (${events[i]!.type})`);
      assert.equal(got.position, events[i]!.position);
    }
    assert.equal((await asOf(between(3))).state.disabledReason, 'maintenance');
    const before = await asOf(new Date(Date.parse(events[0]!.at) - 1000).toISOString());
    assert.equal(before.state.exists, false);
    assert.equal(before.position, null);
    const bad = await t.call('GET', `/v1/accounts/${accountId}/as-of?at=yesterday`);
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /at/);
  });

  it('audit queries filter by actor and time range', async () => {
    const head = encodeURIComponent(await t.roster.services.store.headPosition());
    const events = await history();
    const mine = (await t.call('GET', `/v1/audit?actor=${encodeURIComponent(actor)}&limit=1000&position=${head}`)).body;
    assert.ok(mine.items.length > 0 && mine.items.every((e: { actor: string }) => e.actor === actor));
    const reaper = (await t.call('GET', `/v1/audit?actor=system:reaper&position=${head}`)).body;
    assert.deepEqual(reaper.items.map((e: { type: string }) => e.type), ['SessionExpired']);
    const from = events[3]!.at;
    const to = events[5]!.at;
    const range = (await t.call('GET', `/v1/audit?stream=account-${accountId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&position=${head}`)).body;
    assert.deepEqual(range.items.map((e: { type: string }) => e.type), ['AccountDisabled', 'AccountEnabled']);
    const traced = range.items[0];
    assert.equal(traced.traceId, events[3]!.traceparent!.split('-')[1]);
    assert.equal((await t.call('GET', '/v1/audit?from=not-a-time')).status, 400);
  });

  it('npx roster export writes the timeline as JSON Lines; verify replays the log and finds it sound', async () => {
    const exported = await cli('export', accountId);
    assert.equal(exported.code, 0, exported.stderr);
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines, await history());
    const verified = await cli('verify');
    assert.equal(verified.code, 0, verified.stdout + verified.stderr);
    assert.match(verified.stdout, /sessions 0 live, 2 released, 1 expired; 0 violations/);
    assert.equal((await cli('verify', '--grace-ms', 'soon')).code, 2);
  });

  it('verify finds an account leased to two live sessions, written past the decider', async () => {
    const { store } = t.roster.services;
    const held = (await t.call('POST', '/v1/pools/hist/sessions', { holder: 'delta' })).body;
    const ledger = await store.readStream('pool-hist');
    const at = new Date().toISOString();
    await store.append('pool-hist', [{
      id: randomUUID(), type: 'SessionAllocated', metadata: { actor: 'test:forger', correlationId: randomUUID() },
      data: { sessionId: 'forged', holder: 'forger', secretHash: 'x', leases: [{ accountId, fence: 99 }], at, expiresAt: new Date(Date.now() + 60_000).toISOString() },
    }], ledger.length - 1);
    const verified = await cli('verify');
    assert.equal(verified.code, 1);
    assert.match(verified.stdout, new RegExp(`${accountId} leased to forged while live session ${held.sessionId} holds it`));
  });
});
