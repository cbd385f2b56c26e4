/** The sandbox upstream's control routes: guarded by a token of their own, and checked. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startTestRoster } from '../support/roster.ts';
import { sandboxProvider, startSandbox, until, type TestSandbox } from '../support/sandbox.ts';

const CONTROL = 'control-token-0123456789';

describe('sandbox upstream control', () => {
  let sb: TestSandbox;
  before(async () => {
    sb = await startSandbox({}, { controlToken: CONTROL });
  });
  after(async () => sb.close());
  const control = (path: string, options: { token?: string; body?: unknown } = {}) => fetch(`${sb.url}${path}`, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });

  it('needs the control token on switches, stats and the mailbox; the upstream API stays open', async () => {
    for (const path of ['/_sandbox/stats', '/mailbox/a@example.test']) {
      assert.equal((await control(path)).status, 401, path);
      assert.equal((await control(path, { token: 'wrong-token-0123456789' })).status, 401, path);
      assert.equal((await control(path, { token: CONTROL })).status, 200, path);
    }
    assert.equal((await control('/_sandbox/switches', { body: { latencyMs: 0 } })).status, 401);
    const signup = await fetch(`${sb.url}/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.test', password: 'password-a' }) });
    assert.equal(signup.status, 201);
  });

  it('refuses bad switch values with 400 and keeps serving as before', async () => {
    for (const body of [{ latencyMs: 'abc' }, { failureRate: 2 }, { latencyMs: -1 }, { colour: 'red' }]) {
      assert.equal((await control('/_sandbox/switches', { token: CONTROL, body })).status, 400, JSON.stringify(body));
    }
    assert.deepEqual([sb.switches.latencyMs, sb.switches.failureRate], [0, 0]);
    const login = await fetch(`${sb.url}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@example.test', password: 'x' }) });
    assert.equal(login.status, 401, 'an ordinary call still answers');
  });

  it('registers accounts through a guarded sandbox when the provider has its control token', async () => {
    const t = await startTestRoster({ ROSTER_PROVIDERS: sandboxProvider(sb.url, {}, { controlToken: CONTROL }) });
    try {
      await t.call('POST', '/v1/pools', { poolId: 'guarded', name: 'Guarded', providerId: 'sandbox' });
      await t.call('POST', '/v1/pools/guarded/identities', { lines: 'g1@example.test:password-g1' });
      const { body } = await t.call('POST', '/v1/pools/guarded/jobs', { concurrency: 1, retries: 1 });
      const done = await until('the job to end', async () => {
        const job = (await t.call('GET', `/v1/jobs/${body.jobId}`)).body;
        return job.status === 'completed' && job;
      });
      assert.equal(done.counts.succeeded, 1);
    } finally {
      await t.stop();
    }
  });

  it('refuses to start beyond loopback without a control token', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], { env: { ...process.env, SANDBOX_HOST: '0.0.0.0', SANDBOX_PORT: '0', SANDBOX_CONTROL_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += String(d)));
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 2);
    assert.match(err, /SANDBOX_CONTROL_TOKEN/);
  });
});
