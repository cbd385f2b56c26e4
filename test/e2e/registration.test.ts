import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { sandboxProvider, startSandbox, until, type TestSandbox } from '../support/sandbox.ts';

const calls = (sb: TestSandbox, route: string, outcome: string) => sb.stats().calls[route]?.[outcome] ?? 0;

describe('registration jobs against the sandbox upstream', () => {
  let sb: TestSandbox;
  let t: TestRoster;
  before(async () => {
    sb = await startSandbox();
    // Jobs read 4 identities at a time, so that every job here takes its identities over many reads.
    // The scheduler waits an hour between rounds: the replenishment test replenishes itself, and a
    // round of the scheduler's between its steps would start the job it asks for first.
    t = await startTestRoster({
      ROSTER_PROVIDERS: sandboxProvider(sb.url), ROSTER_HEARTBEAT_MS: '200', ROSTER_FLOW_THREADS: '8', ROSTER_JOB_FETCH_BATCH: '4',
      ROSTER_SCHEDULER_INTERVAL_MS: '3600000', ROSTER_JOB_STALL_MS: '1000',
    });
  });
  after(async () => {
    await t?.stop();
    await sb?.close();
  });

  const job = async (jobId: string) => (await t.call('GET', `/v1/jobs/${jobId}`)).body;
  const finished = (jobId: string) => until(`job ${jobId} to end`, async () => {
    const j = await job(jobId);
    return j.status === 'completed' || j.status === 'stopped' ? j : undefined;
  }, 60_000);

  it('refuses a job that cannot run, naming what is missing', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'manual-pool', name: 'M' });
    const manual = await t.call('POST', '/v1/pools/manual-pool/jobs', { concurrency: 2, retries: 9 });
    assert.equal(manual.status, 400);
    assert.equal(manual.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.ok(manual.body.errors.some((e: { field: string }) => e.field.includes('retries')), JSON.stringify(manual.body));
    const refused = await t.call('POST', '/v1/pools/manual-pool/jobs', { concurrency: 2, retries: 2 });
    assert.deepEqual(refused.body.errors.map((e: { field: string }) => e.field), ['providerId']);
    const ghost = await t.call('POST', '/v1/pools/ghost/jobs', { concurrency: 2, retries: 2 });
    assert.deepEqual([ghost.status, ghost.body.errors.map((e: { field: string }) => e.field)], [400, ['poolId']]);
    await t.call('POST', '/v1/pools', { poolId: 'limits', name: 'L', providerId: 'sandbox' });
    const tooMany = await t.call('POST', '/v1/pools/limits/jobs', { concurrency: 1000, retries: 2 });
    assert.deepEqual(tooMany.body.errors.map((e: { field: string }) => e.field), ['concurrency']);
    assert.equal((await t.call('GET', '/v1/pools/limits/jobs')).body.length, 0, 'nothing was written');
    // A job that does not exist: 404 job_not_found, to read and to control, and nothing written.
    const head = await t.roster.services.store.headPosition();
    for (const [method, path] of [['GET', '/v1/jobs/no-such-job'], ['GET', '/v1/jobs/no-such-job/attempts'], ['POST', '/v1/jobs/no-such-job/pause'], ['POST', '/v1/jobs/no-such-job/stop']] as const) {
      const res = await t.call(method, path);
      assert.deepEqual([res.status, res.body.code], [404, 'job_not_found'], `${method} ${path}`);
    }
    assert.equal(await t.roster.services.store.headPosition(), head, 'no event was appended');
  });

  it('50 identities, concurrency 8, 3 retries, 20% injected failures: every identity ends as the policy says, and the counts agree', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'p50', name: 'Fifty', providerId: 'sandbox' });
    const lines = Array.from({ length: 50 }, (_, i) => `user${i}@example.test:password-${i}`).join('\n');
    const imported = await t.call('POST', '/v1/pools/p50/identities', { lines: `${lines}\nuser0@example.test:again\nnot-an-email` });
    assert.deepEqual([imported.body.imported, imported.body.duplicates, imported.body.invalid], [50, 1, 1]);
    const listed = await t.call('GET', `/v1/pools/p50/identities?registered=false&limit=1000&position=${imported.body.position}`);
    assert.equal(listed.body.total, 50);

    sb.switches.failureRate = 0.2;
    const started = await t.call('POST', '/v1/pools/p50/jobs', { concurrency: 8, retries: 3, backoffMs: 20 });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const done = await finished(started.body.jobId);
    sb.switches.failureRate = 0;
    assert.equal(done.status, 'completed');

    const log = (await t.call('GET', `/v1/jobs/${done.jobId}/attempts?limit=1000`)).body as Array<{ email: string; attempt: number; outcome: string; error: string | null }>;
    const beyond = await t.call('GET', `/v1/jobs/${done.jobId}/attempts?after=100000000000000000000`);
    assert.deepEqual([beyond.status, beyond.body.errors?.[0]?.field], [400, 'after'], 'a seq past what PostgreSQL can hold is refused, not a 500');
    const byEmail = new Map<string, typeof log>();
    for (const a of log) byEmail.set(a.email, [...(byEmail.get(a.email) ?? []), a]);
    assert.equal(byEmail.size, 50, 'every identity was tried');
    let succeeded = 0;
    let failed = 0;
    for (const [email, attempts] of byEmail) {
      assert.deepEqual(attempts.map((a) => a.attempt), attempts.map((_, i) => i + 1), `${email}: attempts numbered in order`);
      const last = attempts.at(-1)!;
      for (const a of attempts.slice(0, -1)) assert.equal(a.outcome, 'retrying', `${email}: only the last attempt ends it`);
      if (last.outcome === 'succeeded') succeeded++;
      else {
        assert.equal(last.outcome, 'failed', `${email}: ${JSON.stringify(attempts)}\n${t.logs.filter((l) => l.includes('"level":50')).join('\n').slice(0, 2000)}`);
        assert.equal(attempts.length, 4, `${email}: fails only after 1 + 3 attempts`);
        assert.match(last.error!, /HTTP 503/);
        failed++;
      }
    }
    assert.deepEqual([done.counts.succeeded, done.counts.failed, done.counts.retrying, done.counts.attempts], [succeeded, failed, 0, log.length]);
    assert.ok(failed + succeeded === 50 && log.length > 50, `failures were injected (${log.length} attempts)`);

    const events = async (type: string) => Number((await t.db.pool.query('SELECT count(*) AS n FROM events WHERE type = $1 AND stream_id LIKE $2', [type, `${type === 'AccountRegistered' ? 'account' : 'registration'}-%`])).rows[0].n);
    assert.equal(await events('RegistrationAttempted'), log.length);
    // Each attempt is one flow in the metrics, by outcome: ok for each success, a failure's kind for the rest.
    const flows = [...String((await t.call('GET', '/metrics')).body).matchAll(/^roster_flow_duration_seconds_count\{kind="register",provider="sandbox",outcome="([^"]+)"[^}]*\} (\d+)$/gm)];
    const byOutcome = Object.fromEntries(flows.map((m) => [m[1]!, Number(m[2])]));
    assert.equal(byOutcome.ok, succeeded);
    assert.equal(Object.values(byOutcome).reduce((n, c) => n + c, 0), log.length, JSON.stringify(byOutcome));
    assert.equal(await events('AccountRegistered'), succeeded);
    // The sandbox saw one successful login per registered account and one injected 503 per failed attempt.
    assert.equal(calls(sb, 'login', 'ok'), succeeded);
    const injected = ['signup', 'verify', 'login'].reduce((n, r) => n + calls(sb, r, 'injected_503'), 0);
    assert.equal(injected, log.length - succeeded);
    const head = encodeURIComponent(await t.roster.services.store.headPosition());
    const registered = await t.call('GET', `/v1/pools/p50/identities?registered=true&limit=1000&position=${head}`);
    assert.equal(registered.body.total, succeeded);
    const accounts = await t.call('GET', `/v1/accounts?pool=p50&limit=1000&position=${head}`);
    assert.equal(accounts.body.total, succeeded);
    assert.ok(accounts.body.items.every((a: { credentialsExpiresAt: string | null }) => a.credentialsExpiresAt), 'each account knows when its tokens expire');
    // A sandbox token is at_/rt_ and 32 base64url characters; an HMAC fingerprint (43 base64url characters) may hold "at_" by chance, so match whole tokens only.
    const secretsInEvents = await t.db.pool.query("SELECT count(*) AS n FROM events WHERE data::text ~ '(password-|(^|[^A-Za-z0-9_-])(at|rt)_[A-Za-z0-9_-]{32}($|[^A-Za-z0-9_-]))'");
    assert.equal(Number(secretsInEvents.rows[0].n), 0, 'no password or token in any event');
  });

  it('a worker thread killed in the middle of a flow fails only that attempt; the retry registers the account once', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'kill', name: 'Kill', providerId: 'sandbox' });
    await t.call('POST', '/v1/pools/kill/identities', { identities: [{ email: 'victim@example.test', password: 'victim-password' }] });
    sb.switches.latencyMs = 300;
    const before = calls(sb, 'signup', 'created');
    const existsBefore = calls(sb, 'signup', 'exists');
    const started = await t.call('POST', '/v1/pools/kill/jobs', { concurrency: 1, retries: 2, backoffMs: 10 });
    await until('the flow to sign up', async () => calls(sb, 'signup', 'created') > before);
    const { flows } = t.roster;
    const threads = flows.threads.filter((w) => flows.busyThreads.has(w.threadId));
    assert.equal(threads.length, 1, 'one thread runs the flow');
    await threads[0]!.terminate();
    assert.equal((await t.call('GET', '/health')).status, 200, 'the service keeps serving');
    const done = await finished(started.body.jobId);
    sb.switches.latencyMs = 0;
    const log = (await t.call('GET', `/v1/jobs/${done.jobId}/attempts`)).body;
    assert.deepEqual(log.map((a: { outcome: string }) => a.outcome), ['retrying', 'succeeded'], JSON.stringify(log));
    assert.match(log[0].error, /worker thread/);
    assert.equal(calls(sb, 'signup', 'exists') - existsBefore, 1, 'the retry found the sign-up done');
    assert.equal(calls(sb, 'signup', 'created') - before, 1);
    const accounts = await t.call('GET', `/v1/accounts?pool=kill&position=${encodeURIComponent(await t.roster.services.store.headPosition())}`);
    assert.equal(accounts.body.total, 1, 'one account, no duplicate');
  });

  it('a job that is not continuous takes every identity imported before it started, over many reads, and none imported after', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'snap', name: 'Snapshot', providerId: 'sandbox' });
    const before = Array.from({ length: 10 }, (_, i) => `early${i}@example.test`);
    await t.call('POST', '/v1/pools/snap/identities', { lines: before.map((e) => `${e}:password-${e}`).join('\n') });
    sb.switches.latencyMs = 50;
    const { body } = await t.call('POST', '/v1/pools/snap/jobs', { concurrency: 2, retries: 1 });
    const late = await t.call('POST', '/v1/pools/snap/identities', { lines: 'late0@example.test:password-late0\nlate1@example.test:password-late1' });
    assert.equal(late.body.imported, 2);
    const done = await finished(body.jobId);
    sb.switches.latencyMs = 0;
    assert.equal(done.status, 'completed');
    const log = (await t.call('GET', `/v1/jobs/${body.jobId}/attempts?limit=100`)).body as Array<{ email: string; outcome: string }>;
    assert.deepEqual(log.map((a) => a.email).sort(), [...before].sort(), 'each early identity once, no late one');
    assert.ok(log.every((a) => a.outcome === 'succeeded'));
    const head = encodeURIComponent(await t.roster.services.store.headPosition());
    const waiting = await t.call('GET', `/v1/pools/snap/identities?registered=false&limit=100&position=${head}`);
    assert.deepEqual(waiting.body.items.map((i: { email: string }) => i.email).sort(), ['late0@example.test', 'late1@example.test']);
  });

  it('pause holds new attempts, resume continues, stop ends the job', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'ctl', name: 'Control', providerId: 'sandbox' });
    await t.call('POST', '/v1/pools/ctl/identities', { lines: Array.from({ length: 6 }, (_, i) => `c${i}@example.test:password-c${i}`).join('\n') });
    sb.switches.latencyMs = 100;
    const { body } = await t.call('POST', '/v1/pools/ctl/jobs', { concurrency: 1, retries: 1 });
    const paused = await t.call('POST', `/v1/jobs/${body.jobId}/pause`);
    assert.equal(paused.body.status, 'paused');
    await new Promise((r) => setTimeout(r, 1500));
    const held = await job(body.jobId);
    assert.ok(held.counts.attempts <= 1, `at most the flow already running finished (${held.counts.attempts})`);
    assert.equal(held.status, 'paused');
    await t.call('POST', `/v1/jobs/${body.jobId}/resume`);
    await until('an attempt after resuming', async () => (await job(body.jobId)).counts.attempts >= 2);
    const stopped = await t.call('POST', `/v1/jobs/${body.jobId}/stop`);
    assert.equal(stopped.body.status, 'stopped');
    const end = await finished(body.jobId);
    sb.switches.latencyMs = 0;
    assert.ok(end.counts.succeeded < 6, 'stopped before registering everything');
    assert.equal((await t.call('POST', `/v1/jobs/${body.jobId}/resume`)).status, 409);
  });

  it('a job with no progress for its stall time (ROSTER_JOB_STALL_MS when it names none) is marked stalled until it moves again', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'slow', name: 'Slow', providerId: 'sandbox' });
    await t.call('POST', '/v1/pools/slow/identities', { lines: 's1@example.test:password-s1' });
    sb.switches.latencyMs = 1500;
    const { body } = await t.call('POST', '/v1/pools/slow/jobs', { concurrency: 1, retries: 1 });
    const stalled = await until('the job to be marked stalled', async () => ((await job(body.jobId)).stalled ? true : undefined), 15_000);
    assert.ok(stalled);
    sb.switches.latencyMs = 0;
    const done = await finished(body.jobId);
    assert.equal(done.stalled, false, 'moving again clears the stall');
    const { rows } = await t.db.pool.query("SELECT count(*) AS n FROM events WHERE stream_id = $1 AND type = 'JobStalled'", [`registration-${body.jobId}`]);
    assert.ok(Number(rows[0].n) >= 1);
  });

  it('replenishment keeps a pool at its minimum without passing its maximum', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'stock', name: 'Stock', providerId: 'sandbox', minSize: 3, maxSize: 4 });
    await t.call('POST', '/v1/pools/stock/identities', { lines: Array.from({ length: 8 }, (_, i) => `r${i}@example.test:password-r${i}`).join('\n') });
    const first = await t.call('POST', '/v1/pools/stock/replenish', {});
    assert.equal(first.status, 202);
    assert.equal(first.body.registering, 3);
    await until('three accounts', async () => (await t.call('GET', '/v1/accounts?pool=stock&status=available')).body.total === 3);
    const again = await t.call('POST', '/v1/pools/stock/replenish', {});
    assert.equal(again.body.registering, 0, again.body.detail);
    const asked = await t.call('POST', '/v1/pools/stock/replenish', { count: 5 });
    assert.equal(asked.body.registering, 1, 'bounded by the maximum of 4');
    await until('four accounts', async () => (await t.call('GET', '/v1/accounts?pool=stock')).body.total === 4);
    const [a, b] = (await t.call('GET', '/v1/accounts?pool=stock')).body.items.map((x: { accountId: string }) => x.accountId);
    await t.call('POST', `/v1/accounts/${a}/disable`, { reason: 'test' });
    await t.call('POST', `/v1/accounts/${b}/disable`, { reason: 'test' });
    const refill = await t.call('POST', '/v1/pools/stock/replenish', {});
    assert.equal(refill.body.registering, 1, 'two available of three: one more, and disabled accounts leave room under the maximum');
  });

  it('counts a running job without a limit as registering every identity left', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'open', name: 'Open', providerId: 'sandbox', minSize: 2, maxSize: 10 });
    await t.call('POST', '/v1/pools/open/identities', { lines: Array.from({ length: 4 }, (_, i) => `o${i}@example.test:password-o${i}`).join('\n') });
    sb.switches.latencyMs = 3000; // the job is still under way when the pool is replenished
    try {
      const started = await t.call('POST', '/v1/pools/open/jobs', { concurrency: 1, retries: 1 });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const asked = await t.call('POST', '/v1/pools/open/replenish', {});
      assert.deepEqual([asked.body.registering, asked.body.jobId, asked.body.detail], [0, null, 'the pool is at its minimum'], JSON.stringify(asked.body));
      await t.call('POST', `/v1/jobs/${started.body.jobId}/stop`);
    } finally {
      sb.switches.latencyMs = 0;
    }
  });

  it('replenishments asked at once start one job for what the pool lacks, not one each', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'rush', name: 'Rush', providerId: 'sandbox', minSize: 3, maxSize: 10 });
    await t.call('POST', '/v1/pools/rush/identities', { lines: Array.from({ length: 10 }, (_, i) => `q${i}@example.test:password-q${i}`).join('\n') });
    const asked = await Promise.all(Array.from({ length: 4 }, () => t.call('POST', '/v1/pools/rush/replenish', {})));
    const registering = asked.map((r) => r.body.registering as number);
    assert.equal(registering.reduce((a, b) => a + b, 0), 3, `one job of 3, the others told the pool is at its minimum: ${JSON.stringify(asked.map((r) => r.body))}`);
    await until('three accounts', async () => (await t.call('GET', '/v1/accounts?pool=rush&status=available')).body.total === 3);
    // Long enough for a second job's registrations to show, had one started.
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await t.call('GET', '/v1/accounts?pool=rush')).body.total, 3);
  });
});

describe('replenishing many pools at once', () => {
  it('answers every one on a node with the fewest connections allowed: the leaders\' connections come on top, and the locks take a share of them, not one each', { timeout: 90_000 }, async () => {
    const sb = await startSandbox();
    const t = await startTestRoster({ ROSTER_PROVIDERS: sandboxProvider(sb.url), ROSTER_DB_POOL_SIZE: '2', ROSTER_SCHEDULER_INTERVAL_MS: '3600000' });
    try {
      const pools = Array.from({ length: 8 }, (_, i) => `many${i}`);
      for (const poolId of pools) {
        await t.call('POST', '/v1/pools', { poolId, name: poolId, providerId: 'sandbox', minSize: 1, maxSize: 2 });
        await t.call('POST', `/v1/pools/${poolId}/identities`, { lines: `${poolId}@example.test:password-${poolId}` });
      }
      const asked = await Promise.all(pools.map((poolId) => t.call('POST', `/v1/pools/${poolId}/replenish`, {})));
      assert.deepEqual(asked.map((r) => [r.status, r.body.registering]), pools.map(() => [202, 1]), JSON.stringify(asked.map((r) => r.body)));
    } finally {
      await t.stop();
      await sb.close();
    }
  });
});

describe('a registration flow that runs past its timeout', () => {
  it('is cut off at its timeout, fails only its own attempt, and the retry registers the account once', async () => {
    const sb = await startSandbox();
    // A timeout of 2 s: the retry's whole flow fits in it on a busy machine (at 1 s one did not, once, and was retried again).
    const t = await startTestRoster({ ROSTER_PROVIDERS: sandboxProvider(sb.url), ROSTER_FLOW_TIMEOUT_MS: '2000', ROSTER_FLOW_THREADS: '2' });
    try {
      await t.call('POST', '/v1/pools', { poolId: 'slow', name: 'Slow', providerId: 'sandbox' });
      await t.call('POST', '/v1/pools/slow/identities', { identities: [{ email: 'slow@example.test', password: 'slow-password' }] });
      sb.switches.latencyMs = 6000; // the upstream answers long after the flow's timeout
      const { body } = await t.call('POST', '/v1/pools/slow/jobs', { concurrency: 1, retries: 2, backoffMs: 2000 });
      const attempts = () => t.call('GET', `/v1/jobs/${body.jobId}/attempts`).then((r) => r.body as Array<{ outcome: string; step: string; error: string | null; durationMs: number }>);
      const [first] = await until('the first attempt to end', async () => {
        const log = await attempts();
        return log.length > 0 && log;
      });
      sb.switches.latencyMs = 0; // before the retry, 2 s later
      assert.equal(first!.outcome, 'retrying');
      assert.equal(first!.step, 'signup');
      assert.match(first!.error ?? '', /timed out or cancelled at signup/);
      assert.ok(first!.durationMs >= 2000 && first!.durationMs < 6000, `cut off at the timeout, not when the upstream answered (${first!.durationMs} ms)`);
      assert.equal((await t.call('GET', '/health')).status, 200, 'the service keeps serving');
      await until('the job to complete', async () => (await t.call('GET', `/v1/jobs/${body.jobId}`)).body.status === 'completed', 30_000);
      assert.deepEqual((await attempts()).map((a) => a.outcome), ['retrying', 'succeeded']);
      const head = encodeURIComponent(await t.roster.services.store.headPosition());
      assert.equal((await t.call('GET', `/v1/accounts?pool=slow&position=${head}`)).body.total, 1, 'one account, no duplicate');
    } finally {
      await t.stop();
      await sb.close();
    }
  });
});
