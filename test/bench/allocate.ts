/**
 * `npm run bench`: allocate+release pairs per second and allocate latency, with 1,000
 * accounts, at 1, 16 and 64 connections, against a Roster server process on embedded
 * PostgreSQL with fsync on. Prints figures; never fails on a time.
 *
 *   BENCH_SECONDS=10 BENCH_CONNECTIONS=1,16,64 npm run bench
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmbeddedPostgres } from '../../src/store/embedded.ts';
import { client, newToken, seedPool, spawnServer } from '../support/servers.ts';

export { seedPool };

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connectionCounts = (process.env.BENCH_CONNECTIONS ?? '1,16,64').split(',').map(Number);
const accounts = Number(process.env.BENCH_ACCOUNTS ?? 1000);

export interface BenchServer {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** Embedded PostgreSQL (fsync on) and a Roster server process on it. */
export async function startBenchServer(extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<BenchServer> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-bench-'));
  await chmod(dir, 0o755);
  const db = await startEmbeddedPostgres(dir);
  const token = newToken();
  const server = await spawnServer({ ROSTER_DATABASE_URL: db.url, ROSTER_MASTER_KEY: randomBytes(32).toString('hex'), ROSTER_ADMIN_TOKEN: token, ...extraEnv }, nodeArgs);
  return {
    url: server.url, token,
    async stop() {
      await server.stop();
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export interface PairResult {
  connections: number;
  pairsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  pairs: number;
}

/** `connections` loops of allocate then release for `durationS` seconds. */
export async function runPairs(url: string, token: string, poolId: string, connections: number, durationS: number): Promise<PairResult> {
  const c = client(url, token, connections);
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
  await c.pool.close();
  latencies.sort((x, y) => x - y);
  return { connections, pairs, pairsPerSecond: pairs / durationS, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

export function printResults(title: string, results: PairResult[]): void {
  console.log(`\n${title}`);
  console.log('| connections | pairs/s | allocate p50 (ms) | allocate p99 (ms) | errors |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(`| ${r.connections} | ${r.pairsPerSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startBenchServer();
  try {
    await seedPool(server.url, server.token, 'bench', accounts);
    await sleep(1000);
    await runPairs(server.url, server.token, 'bench', 16, 2); // warm-up
    const results: PairResult[] = [];
    for (const n of connectionCounts) results.push(await runPairs(server.url, server.token, 'bench', n, seconds));
    printResults(`allocate+release, ${accounts} accounts, ${seconds} s per row, embedded PostgreSQL (fsync on)`, results);
  } finally {
    await server.stop();
  }
}
