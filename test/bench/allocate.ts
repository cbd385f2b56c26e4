/**
 * `npm run bench`: allocate+release pairs per second and allocate latency, with 1,000
 * accounts, at 1, 16 and 64 connections, against a Roster server process on embedded
 * PostgreSQL with fsync on (as `npm start` runs it); then the same client against a no-op
 * fastify server (`noop-server.ts`), and Roster's share of its pair rate. Prints figures;
 * never fails on a time. `BENCH_NOOP=0` leaves the baseline out.
 *
 *   BENCH_SECONDS=10 BENCH_CONNECTIONS=1,16,64 npm run bench
 *   BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench   # profile the server
 */
import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { client, newToken, seedPool, spawnServer } from '../support/servers.ts';

export { seedPool };

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connectionCounts = (process.env.BENCH_CONNECTIONS ?? '1,16,64').split(',').map(Number);
const accounts = Number(process.env.BENCH_ACCOUNTS ?? 1000);

export interface BenchServer {
  url: string;
  token: string;
  pid: number;
  /** The server's data directory (embedded PostgreSQL's among it). */
  dir?: string;
  /** Stops the server and removes its data directory, unless `keepData`. */
  stop(keepData?: boolean): Promise<void>;
}

/** A Roster server process as the quick start runs it: on its embedded PostgreSQL (fsync on), in a fresh data directory. */
export async function startBenchServer(extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<BenchServer> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-bench-'));
  await chmod(dir, 0o755);
  const token = newToken();
  const server = await spawnServer({ ROSTER_DATA_DIR: dir, ROSTER_ADMIN_TOKEN: token, ...extraEnv }, nodeArgs);
  return {
    url: server.url, token, pid: server.child.pid!, dir,
    async stop(keepData = false) {
      await server.stop();
      if (!keepData) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The no-op fastify server (`noop-server.ts`) as its own process: the baseline a client gets from fastify alone. */
export async function startNoopServer(): Promise<BenchServer> {
  const server = await spawnServer({}, [], ['--import', 'tsx', 'test/bench/noop-server.ts']);
  return { url: server.url, token: newToken(), pid: server.child.pid!, stop: () => server.stop() };
}

/** CPU seconds used so far by a process (all its threads) and by its children it has reaped, from /proc; 0 when it is gone. */
export async function cpuOf(pid: number | string): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return ((f[11] ?? 0) + (f[12] ?? 0) + (f[13] ?? 0) + (f[14] ?? 0)) / 100;
}

/** CPU seconds used so far by the server process and by all PostgreSQL processes (the postmaster counts the backends that ended). */
export async function cpuNow(serverPid: number): Promise<{ server: number; postgres: number }> {
  let postgres = 0;
  for (const pid of await readdir('/proc')) {
    if (/^\d+$/.test(pid) && (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === 'postgres') postgres += await cpuOf(pid);
  }
  return { server: await cpuOf(serverPid), postgres };
}

/** The resident memory of a process, in MB, from /proc. */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export interface PairResult {
  connections: number;
  pairsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  pairs: number;
  /** Every allocate latency, in ms, sorted. */
  latencies: number[];
  /** CPU milliseconds per pair used by the server process and by PostgreSQL. */
  serverCpuMs: number;
  postgresCpuMs: number;
  /** The server's event-loop delay during the run (ms, from `/metrics`); undefined for a server without it. */
  loopDelay?: LoopDelay;
}

interface LoopDelay { p99: number; max: number }

/**
 * The server's event-loop delay since its `/metrics` was last read (p99 and longest, in
 * ms); reading starts a new period. Undefined for a server without the gauge (the no-op).
 */
async function loopDelayOf(server: BenchServer): Promise<LoopDelay | undefined> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.token}` } }).catch(() => undefined);
  if (!res?.ok) return undefined;
  const text = await res.text();
  const ms = (quantile: string) =>
    1000 * Number(new RegExp(`^roster_event_loop_delay_seconds\\{[^}]*quantile="${quantile}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1]);
  return { p99: ms('0.99'), max: ms('1') };
}

/** `connections` loops of allocate then release for `durationS` seconds against `server`. */
export async function runPairs(server: BenchServer, poolId: string, connections: number, durationS: number): Promise<PairResult> {
  const c = client(server.url, server.token, connections);
  await loopDelayOf(server);
  const cpuBefore = await cpuNow(server.pid);
  const latencies: number[] = [];
  let errors = 0;
  let pairs = 0;
  const until = performance.now() + durationS * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < until) {
      const t0 = performance.now();
      const a = await c.call('POST', `/v1/pools/${poolId}/sessions`, { count: 1 }).catch(() => ({ status: 0, body: null }));
      latencies.push(performance.now() - t0);
      if (a.status !== 201) {
        errors++;
        continue;
      }
      const r = await c.call('POST', `/v1/pools/${poolId}/sessions/${a.body.sessionId}/release`, { leaseSecret: a.body.leaseSecret })
        .catch(() => ({ status: 0, body: null }));
      if (r.status !== 200) errors++;
      else pairs++;
    }
  }));
  const cpuAfter = await cpuNow(server.pid);
  const loopDelay = await loopDelayOf(server);
  await c.pool.close();
  latencies.sort((x, y) => x - y);
  const perPair = (s: number) => (1000 * s) / Math.max(pairs, 1);
  return {
    connections, pairs, pairsPerSecond: pairs / durationS, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors, latencies,
    serverCpuMs: perPair(cpuAfter.server - cpuBefore.server), postgresCpuMs: perPair(cpuAfter.postgres - cpuBefore.postgres), loopDelay,
  };
}

export function printResults(title: string, results: PairResult[]): void {
  console.log(`\n${title}`);
  console.log('| connections | pairs/s | allocate p50 (ms) | allocate p99 (ms) | errors | server CPU ms/pair | PostgreSQL CPU ms/pair | event-loop delay p99 / longest (ms) |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const loop = r.loopDelay ? `${r.loopDelay.p99.toFixed(1)} / ${r.loopDelay.max.toFixed(1)}` : '';
    console.log(`| ${r.connections} | ${r.pairsPerSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} | ${r.serverCpuMs.toFixed(3)} | ${r.postgresCpuMs.toFixed(3)} | ${loop} |`);
  }
}

/**
 * Imports `n` accounts into a new pool, 1,000 lines a request; returns accounts a second
 * (of the import requests), and the seconds until the read models had caught up with it.
 */
export async function importAccounts(server: BenchServer, poolId: string, n: number): Promise<{ rate: number; catchUpS: number }> {
  const c = client(server.url, server.token, 1);
  const created = await c.call('POST', '/v1/pools', { poolId, name: poolId, defaultLeaseTtlMs: 300_000 });
  if (created.status !== 201) throw new Error(`pool: ${JSON.stringify(created.body)}`);
  const started = performance.now();
  let position = '';
  for (let i = 0; i < n; i += 1000) {
    const lines = Array.from({ length: Math.min(1000, n - i) }, (_, j) => `user${i + j}@${poolId}.test:pw${i + j}`).join('\n');
    const r = await c.call('POST', `/v1/pools/${poolId}/accounts`, { lines });
    if (r.status !== 200) throw new Error(`import failed: ${JSON.stringify(r.body)}`);
    position = r.body.position;
  }
  const imported = performance.now();
  const rate = n / ((imported - started) / 1000);
  // The pairs must not pay for the import's projection: wait until the read models hold it.
  while ((await c.call('GET', `/v1/accounts?pool=${poolId}&limit=1&position=${encodeURIComponent(position)}`)).status !== 200) await sleep(200);
  await c.pool.close();
  return { rate, catchUpS: (performance.now() - imported) / 1000 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startBenchServer({}, process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean));
  try {
    await seedPool(server.url, server.token, 'bench', accounts);
    await sleep(1000);
    await runPairs(server, 'bench', 16, 2); // warm-up
    const results: PairResult[] = [];
    for (const n of connectionCounts) results.push(await runPairs(server, 'bench', n, seconds));
    printResults(`allocate+release, ${accounts} accounts, ${seconds} s per row, embedded PostgreSQL (fsync on)`, results);
    if (process.env.BENCH_NOOP !== '0') await baseline(results);
  } finally {
    await server.stop();
  }
}

/** The same client against the no-op server, each count after Roster's, and Roster's share of it. */
async function baseline(roster: PairResult[]): Promise<void> {
  const noop = await startNoopServer();
  try {
    await runPairs(noop, 'bench', 16, 2); // warm-up
    const results: PairResult[] = [];
    for (const n of connectionCounts) results.push(await runPairs(noop, 'bench', n, seconds));
    printResults('the same client against a no-op fastify route (test/bench/noop-server.ts)', results);
    console.log('\n| connections | Roster pairs/s | no-op pairs/s | Roster share |\n| ---: | ---: | ---: | ---: |');
    roster.forEach((r, i) => {
      const base = results[i]!.pairsPerSecond;
      console.log(`| ${r.connections} | ${r.pairsPerSecond.toFixed(0)} | ${base.toFixed(0)} | ${((100 * r.pairsPerSecond) / base).toFixed(1)}% |`);
    });
  } finally {
    await noop.stop();
  }
}
