import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Pool } from 'undici';
import { freePort } from '../../src/store/embedded.ts';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** What it wrote to stdout so far. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export const newToken = () => `roster_${randomBytes(4).toString('hex')}_${randomBytes(24).toString('base64url')}`;

/** What `npm start` passes to node (package.json's start script, `exec node …`), so tests and benches run the server as it does. */
const startArgs = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ').slice(2);

/** A Roster server as its own process (`npm start`'s node command line, with `nodeArgs` first), resolved once it listens. */
export async function spawnServer(env: Record<string, string>, nodeArgs: string[] = [], args = startArgs): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { ...process.env, ROSTER_PORT: String(port), ROSTER_GATEWAY_PORT: '0', ROSTER_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let output = '';
  child.stdout!.on('data', (d: Buffer) => void (output += String(d)));
  await new Promise<void>((ok, fail) => {
    child.stdout!.on('data', () => output.includes('listening') && ok());
    void exited.then(() => fail(new Error(`server exited with ${child.exitCode ?? child.signalCode}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`, child, exited, output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** The sandbox upstream as its own process (`npm run sandbox`), resolved once it listens, with its latency switch set. */
export async function spawnSandbox(latencyMs = 0): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], { env: { ...process.env, SANDBOX_PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((ok) => child.stdout!.on('data', (d: Buffer) => String(d).includes('listening') && ok()));
  const url = `http://127.0.0.1:${port}`;
  await fetch(`${url}/_sandbox/switches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs }) });
  return { url, child };
}

/** JSON calls over a keep-alive undici pool. */
export function client(url: string, token: string, connections: number) {
  const pool = new Pool(url, { connections, pipelining: 1 });
  return {
    pool,
    async call(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
      const res = await pool.request({
        method, path, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: text ? JSON.parse(text) : null };
    },
  };
}

/** Creates a pool and imports `n` accounts into it. */
export async function seedPool(url: string, token: string, poolId: string, n: number, pool: object = {}): Promise<void> {
  const c = client(url, token, 4);
  const created = await c.call('POST', '/v1/pools', { poolId, name: poolId, defaultLeaseTtlMs: 300_000, ...pool });
  if (created.status !== 201) throw new Error(`pool: ${JSON.stringify(created.body)}`);
  for (let i = 0; i < n; i += 500) {
    const lines = Array.from({ length: Math.min(500, n - i) }, (_, j) => `user${i + j}@${poolId}.test:pw${i + j}`).join('\n');
    const r = await c.call('POST', `/v1/pools/${poolId}/accounts`, { lines });
    if (r.status !== 200) throw new Error(`seeding failed: ${JSON.stringify(r.body)}`);
  }
  await c.pool.close();
}
