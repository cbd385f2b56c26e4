/** `ROSTER_DEMO=true npm start`: the existing account-pool API serves the demo pool, which fills itself from the sandbox. */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { freePort } from '../../src/store/embedded.ts';
import { newToken, spawnServer, type ServerProcess } from '../support/servers.ts';
import { until } from '../support/sandbox.ts';

describe('demo mode', { timeout: 120_000 }, () => {
  let dir: string;
  let server: ServerProcess;
  let gatewayPort: number;
  let openai: OpenAI;
  const token = newToken();
  // The scheduler's rounds an hour apart: the demo asks for its pool's first accounts itself, at start.
  const start = async () => spawnServer({
    ROSTER_DEMO: 'true', ROSTER_DATA_DIR: dir, ROSTER_SANDBOX_PORT: '0', ROSTER_ADMIN_TOKEN: token, ROSTER_SCHEDULER_INTERVAL_MS: '3600000', ROSTER_GATEWAY_PORT: String(gatewayPort),
    ROSTER_GATEWAY_PUBLIC_URL: 'https://llm.demo.test/',
  });
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-demo-'));
    await chmod(dir, 0o755);
    gatewayPort = await freePort();
    server = await start();
  });
  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('acts on the demo pool through the existing API, and allocates what the sandbox registered', async () => {
    const call = async (method: string, path: string) => {
      const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
      return res.json() as Promise<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    const status = await call('GET', '/api/accounts/status');
    assert.equal(status.min_pool_size, 5, 'the demo pool (minimum 5), not an empty default pool');
    const allocated = await until('an account registered from the sandbox', async () => {
      const a = await call('POST', '/api/accounts/allocate');
      return a.success && a;
    }, 60_000);
    assert.match(allocated.accounts[0].email, /^demo\d+@example\.test$/);
    assert.equal((await call('GET', '/v1/pools/default')).code, 'pool_not_found', 'no separate default pool was made');
  });

  it('serves a working gateway on the demo pool with the key it prints at its first start, through the OpenAI SDK', async () => {
    const printed = await until('the demo key printed', async () => /^Demo gateway key \(shown once, stored hashed; the user (\S+)'s\): (rk_\S+)$/m.exec(server.output()) ?? undefined, 5000);
    assert.equal(printed[1], 'gateway-demo@example.test');
    // Where it listens, and where clients reach it (the address a proxy in front gives it).
    assert.match(server.output(), new RegExp(`^Gateway \\(.*\\): http://127\\.0\\.0\\.1:${gatewayPort}/v1, for clients https://llm\\.demo\\.test/v1; its docs at /docs$`, 'm'));
    openai = new OpenAI({ apiKey: printed[2], baseURL: `http://127.0.0.1:${gatewayPort}/v1`, maxRetries: 0 });
    assert.ok((await openai.models.list()).data.some((m) => m.id === 'sandbox-small'));
    // The first test leased the first account registered; the gateway waits for the next ones.
    const answer = await until('an account free for the gateway', async () => openai.chat.completions.create({ model: 'sandbox-small', messages: [{ role: 'user', content: 'hello demo' }] }).catch(() => undefined), 60_000);
    assert.equal(answer.choices[0]!.message.content, 'echo: hello demo');
  });

  it('keeps working after a restart on the same data directory: the sandbox remembers its users and tokens', async () => {
    await server.stop();
    assert.equal((await stat(join(dir, 'sandbox-state.json'))).mode & 0o777, 0o600, 'the sandbox\'s state is readable by its owner only');
    server = await start();
    assert.doesNotMatch(server.output(), /Demo gateway key/, 'the key is shown once, at the first start');
    // At once: no account's credential is refused by the new sandbox process (and the key made at the first start still works).
    const answer = await openai.chat.completions.create({ model: 'sandbox-small', messages: [{ role: 'user', content: 'after restart' }] });
    assert.equal(answer.choices[0]!.message.content, 'echo: after restart');
    const pool = await (await fetch(`${server.url}/v1/pools/demo`, { headers: { authorization: `Bearer ${token}` } })).json() as { counts: { cooling: number; disabled: number } };
    assert.deepEqual([pool.counts.cooling, pool.counts.disabled], [0, 0]);
  });
});
