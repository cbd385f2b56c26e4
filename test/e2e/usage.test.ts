import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { sandboxProvider, startSandbox, until, type TestSandbox } from '../support/sandbox.ts';

describe('usage, cooldowns and credits against the sandbox upstream', () => {
  let sb: TestSandbox;
  let t: TestRoster;
  let ids: string[];
  let emails: Map<string, string>;
  before(async () => {
    sb = await startSandbox();
    // Scans run when a test calls them; a cooling account is due a probe a second after the last.
    t = await startTestRoster({ ROSTER_PROVIDERS: sandboxProvider(sb.url), ROSTER_SCHEDULER_INTERVAL_MS: '100000', ROSTER_PROBE_INTERVAL_MS: '1000' });
    await t.call('POST', '/v1/pools', {
      poolId: 'use', name: 'Use', providerId: 'sandbox', dailyLimits: { m1: 10 },
      cooldown: { baseMs: 60_000, maxMs: 600_000, failureThreshold: 2, failureWindowMs: 60_000 },
    });
    await t.call('POST', '/v1/pools/use/identities', { lines: 'u1@example.test:password-u1\nu2@example.test:password-u2' });
    const { body } = await t.call('POST', '/v1/pools/use/jobs', { concurrency: 2, retries: 1 });
    await until('registration', async () => (await t.call('GET', `/v1/jobs/${body.jobId}`)).body.status === 'completed');
    const list = await t.call('GET', `/v1/accounts?pool=use&position=${encodeURIComponent(await t.roster.services.store.headPosition())}`);
    ids = list.body.items.map((a: { accountId: string }) => a.accountId);
    emails = new Map(list.body.items.map((a: { accountId: string; login: string }) => [a.accountId, a.login]));
    assert.equal(ids.length, 2);
  });
  after(async () => {
    await t?.stop();
    await sb?.close();
  });

  const allocate = (body: Record<string, unknown> = {}) => t.call('POST', '/v1/pools/use/sessions', body);
  const outcome = (session: { sessionId: string; leaseSecret: string }, accountId: string, report: Record<string, unknown>) =>
    t.call('POST', `/v1/pools/use/sessions/${session.sessionId}/outcomes`, { leaseSecret: session.leaseSecret, accountId, ...report });
  const release = (s: { sessionId: string; leaseSecret: string }) => t.call('POST', `/v1/pools/use/sessions/${s.sessionId}/release`, { leaseSecret: s.leaseSecret });
  const account = async (id: string) => (await t.call('GET', `/v1/accounts/${id}?position=${encodeURIComponent(await t.roster.services.store.headPosition())}`)).body;

  it('needs the lease secret and an account of the session; bad input changes nothing', async () => {
    const s = (await allocate()).body;
    const leased = s.leases[0].accountId;
    assert.equal((await outcome({ ...s, leaseSecret: 'wrong' }, leased, { outcome: 'success' })).status, 403);
    const other = ids.find((id) => id !== leased)!;
    const notMine = await outcome(s, other, { outcome: 'success' });
    assert.deepEqual([notMine.status, notMine.body.errors[0].field], [400, 'accountId']);
    const bad = await outcome(s, leased, { outcome: 'exploded' });
    assert.equal(bad.status, 400);
    assert.ok(bad.body.errors.some((e: { field: string }) => e.field.includes('outcome')));
    const { rows } = await t.db.pool.query("SELECT count(*) AS n FROM events WHERE type = 'UsageReported'");
    assert.equal(Number(rows[0].n), 0);
    await release(s);
  });

  it('a 429 with Retry-After cools the account for that model only; an operator can end it', async () => {
    const s = (await allocate()).body;
    const a = s.leases[0].accountId;
    const r = await outcome(s, a, { outcome: 'rate_limited', retryAfterSeconds: 120, model: 'm2' });
    assert.deepEqual(r.body.events, ['UsageReported', 'AccountCooledDown']);
    await release(s);
    const view = await account(a);
    assert.equal(view.cooldowns[0].model, 'm2');
    assert.match(view.cooldowns[0].reason, /429 with Retry-After 120s/);
    assert.ok(Math.abs(Date.parse(view.cooldowns[0].until) - Date.now() - 120_000) < 5000, 'ends when the upstream said');
    for (let i = 0; i < 4; i++) {
      const m2 = (await allocate({ model: 'm2' })).body;
      assert.notEqual(m2.leases[0].accountId, a, 'not allocated for the cooling model');
      await release(m2);
    }
    const two = (await allocate({ count: 2 })).body;
    assert.equal(two.leases.length, 2, 'still allocated for other models');
    await release(two);
    const ended = await t.call('DELETE', `/v1/accounts/${a}/cooldown?model=m2`);
    assert.deepEqual(ended.body.events, ['CooldownEnded']);
  });

  it('N failures within the window cool the account for all models until a successful probe brings it back', async () => {
    const s = (await allocate()).body;
    const a = s.leases[0].accountId;
    await outcome(s, a, { outcome: 'server_error' });
    const second = await outcome(s, a, { outcome: 'timeout' });
    assert.deepEqual(second.body.events, ['UsageReported', 'AccountCooledDown']);
    await release(s);
    const view = await account(a);
    assert.match(view.cooldowns[0].reason, /2 failures within 60s/);
    assert.ok(view.cooldownUntil);
    const other = (await allocate({ count: 2, waitMs: 0 }));
    assert.equal(other.status, 503, 'only one account is allocatable');
    const probe = await t.call('POST', `/v1/accounts/${a}/probe`);
    assert.equal(probe.body.credits, 100);
    const back = await account(a);
    assert.deepEqual([back.cooldowns, back.cooldownUntil], [[], null]);
    const both = (await allocate({ count: 2 })).body;
    assert.equal(both.leases.length, 2, 'back in the pool');
    await release(both);
  });

  it('a per-model daily limit keeps an account out of allocations for that model once reached', async () => {
    const s = (await allocate({ model: 'm1' })).body;
    const a = s.leases[0].accountId;
    await outcome(s, a, { outcome: 'success', model: 'm1', units: 6 });
    const last = await outcome(s, a, { outcome: 'success', model: 'm1', units: 4 });
    await release(s);
    const usage = await t.call('GET', `/v1/accounts/${a}/usage?position=${encodeURIComponent(last.body.position)}`);
    assert.deepEqual(usage.body.map((u: { model: string; units: number; requests: number }) => [u.model, u.units, u.requests]), [['m1', 10, 2]]);
    for (let i = 0; i < 3; i++) {
      const m1 = (await allocate({ model: 'm1' })).body;
      assert.notEqual(m1.leases[0].accountId, a, 'the limit of 10 is reached');
      await release(m1);
    }
    const any = (await allocate({ count: 2 })).body;
    assert.equal(any.leases.length, 2, 'other models still get it');
    await release(any);
  });

  it('credits are probed after use; an allocation that needs credits skips an account with none', async () => {
    const s = (await allocate()).body;
    const a = s.leases[0].accountId;
    await fetch(`${sb.url}/_sandbox/credits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: emails.get(a), credits: 0 }) });
    await outcome(s, a, { outcome: 'success', units: 1 });
    await release(s);
    await until('the probe after use', async () => t.roster.services.accounts.find(a)?.state.credits === 0, 10_000);
    assert.equal((await account(a)).credits, 0);
    for (let i = 0; i < 3; i++) {
      const paid = (await allocate({ needsCredits: true })).body;
      assert.notEqual(paid.leases[0].accountId, a);
      await release(paid);
    }
  });

  it('a holder reporting its credential refused cools the account for every model at once, until new credentials or a healthy probe', async () => {
    const s = (await allocate()).body;
    const a = s.leases[0].accountId;
    const r = await outcome(s, a, { outcome: 'refused', model: 'm2' });
    assert.deepEqual(r.body.events, ['UsageReported', 'AccountCooledDown'], 'the first refusal cools it');
    await release(s);
    const view = await account(a);
    assert.deepEqual(view.cooldowns.map((c: { reason: string; model?: string }) => [c.reason, c.model]), [['the upstream refused its credential', undefined]]);
    assert.equal((await allocate({ count: 2, waitMs: 0 })).status, 503, 'only one account is allocatable');
    // The sandbox still takes its credential: the probe finds it healthy.
    await t.call('POST', `/v1/accounts/${a}/probe`);
    assert.deepEqual((await account(a)).cooldowns, []);
  });

  it('a holder reporting no credits cools the account for every model until a probe finds credits', async () => {
    const s = (await allocate()).body;
    const a = s.leases[0].accountId;
    const credits = (n: number) => fetch(`${sb.url}/_sandbox/credits`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: emails.get(a), credits: n }) });
    await credits(0);
    const checked = () => t.roster.services.accounts.find(a)!.state.creditsCheckedAt;
    const before = checked();
    assert.deepEqual((await outcome(s, a, { outcome: 'no_credits' })).body.events, ['UsageReported', 'AccountCooledDown']);
    await release(s);
    // A report is followed by a probe of the account's credits, which only records them.
    await until('the probe after use', async () => checked() !== before, 10_000);
    await t.call('POST', `/v1/accounts/${a}/probe`);
    assert.deepEqual((await account(a)).cooldowns.map((c: { reason: string }) => c.reason), ['the upstream says it has no credits left'], 'none found: it stays out');
    await credits(40);
    // The scheduler's prober takes such an account as it takes one a probe may bring back.
    await new Promise((r) => setTimeout(r, 1100));
    await t.roster.services.prober.scan();
    await until('the probe that finds credits', async () => !t.roster.services.accounts.find(a)!.state.cooldowns.some((c) => c.until > Date.now()), 10_000);
    const back = await account(a);
    assert.deepEqual([back.cooldowns, back.credits], [[], 40], 'topped up: back in the pool');
  });
});
