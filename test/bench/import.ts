/**
 * `npm run bench:import`: bulk import speed, over HTTP (batches of 1,000, one and two
 * requests under way) and through `roster import` (a file of `email:password` lines, beside
 * the running server, and with the server stopped), each into a new pool of a fresh server
 * on embedded PostgreSQL (fsync on). Prints accounts/s and the CPU seconds the server,
 * PostgreSQL and the CLI used.
 *
 *   BENCH_ACCOUNTS=100000 npm run bench:import
 *   BENCH_IMPORT_ONLY='2 requests' BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:import
 *   BENCH_IMPORT_ONLY='roster import' BENCH_CLI_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:import   # profile the CLI
 */
import { spawnSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuNow, startBenchServer, type BenchServer } from './allocate.ts';
import { client } from '../support/servers.ts';

const accounts = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
const line = (pool: string, i: number) => `user${i}@${pool}.test:pw${i}`;

interface Run { how: string; rate: number; server: number; postgres: number; cli?: { cpu: number; said: number } }

/** Imports `accounts` lines over HTTP, `inFlight` requests of 1,000 lines under way. */
async function overHttp(server: BenchServer, pool: string, inFlight: number): Promise<void> {
  const c = client(server.url, server.token, inFlight);
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < accounts) {
      const from = next;
      next += 1000;
      const lines = Array.from({ length: Math.min(1000, accounts - from) }, (_, j) => line(pool, from + j)).join('\n');
      const r = await c.call('POST', `/v1/pools/${pool}/accounts`, { lines });
      if (r.status !== 200) throw new Error(`import failed: ${JSON.stringify(r.body).slice(0, 300)}`);
    }
  }));
  await c.pool.close();
}

/**
 * Imports through `roster import` on the server's data directory; returns the CLI's CPU
 * seconds and the rate it printed (its own start and migrations left out).
 */
async function throughCli(server: BenchServer, pool: string): Promise<{ cpu: number; said: number }> {
  const file = join(tmpdir(), `roster-bench-import-${process.pid}.txt`);
  await writeFile(file, Array.from({ length: accounts }, (_, i) => line(pool, i)).join('\n'));
  try {
    const nodeArgs = process.env.BENCH_CLI_ARGS?.split(' ').filter(Boolean) ?? [];
    const run = spawnSync('/usr/bin/time', ['-f', '%U %S', process.execPath, ...nodeArgs, '--import', 'tsx', 'src/cli.ts', 'import', pool, file], {
      env: { ...process.env, ROSTER_DATA_DIR: server.dir!, ROSTER_LOG_LEVEL: 'warn' }, encoding: 'utf8', maxBuffer: 1 << 30,
    });
    if (run.status !== 0) throw new Error(`roster import: ${run.stderr.slice(-500)}`);
    const [user, sys] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    return { cpu: user! + sys!, said: Number(/\((\d+) accounts\/s\)/.exec(run.stderr)?.[1] ?? NaN) };
  } finally {
    await rm(file, { force: true });
  }
}

const runs: Run[] = [];
const only = process.env.BENCH_IMPORT_ONLY;
const hows = ['HTTP, 1 request under way', 'HTTP, 2 requests under way', 'roster import', 'roster import, server stopped'];
for (const how of hows.filter((h) => !only || h.includes(only))) {
  const server = await startBenchServer({}, process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean));
  try {
    const pool = `imp${runs.length}`;
    const c = client(server.url, server.token, 1);
    await c.call('POST', '/v1/pools', { poolId: pool, name: pool });
    await c.pool.close();
    // Stopped, the server leaves the machine to the CLI, which starts the embedded PostgreSQL itself (its CPU is then the CLI's).
    if (how.endsWith('stopped')) await server.stop(true);
    const before = await cpuNow(server.pid);
    const started = performance.now();
    const cli = how.startsWith('roster import') ? await throughCli(server, pool) : (await overHttp(server, pool, how.includes('2') ? 2 : 1), undefined);
    const seconds = (performance.now() - started) / 1000;
    const after = await cpuNow(server.pid);
    runs.push({ how, rate: accounts / seconds, server: after.server - before.server, postgres: after.postgres - before.postgres, cli });
  } finally {
    await server.stop();
  }
}
console.log(`\nimport of ${accounts} accounts, each into a fresh server on embedded PostgreSQL (fsync on)`);
console.log('(accounts/s from the outside: for `roster import` its process start included; the CLI\'s own figure leaves it out;');
console.log('with the server stopped, the CLI starts PostgreSQL, whose CPU is counted as the CLI\'s)');
console.log('| how | accounts/s | CLI\'s own figure | server CPU s | PostgreSQL CPU s | CLI CPU s |\n| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of runs) {
  console.log(`| ${r.how} | ${r.rate.toFixed(0)} | ${r.cli?.said ?? ''} | ${r.server.toFixed(1)} | ${r.postgres.toFixed(1)} | ${r.cli?.cpu.toFixed(1) ?? ''} |`);
}
