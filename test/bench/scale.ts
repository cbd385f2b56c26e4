/**
 * `npm run bench:scale`: how Roster grows with the pool. For each pool size (1,000, 10,000
 * and 100,000 accounts by default) a fresh server process on embedded PostgreSQL (fsync on)
 * imports the accounts over HTTP in batches of 1,000; then rounds of allocate+release pairs
 * at 16 connections go from one server to the next (`BENCH_ROUNDS`, 2), so that the sizes
 * are compared at the same moments of a shared machine; then each server stops and `roster
 * rebuild` rebuilds every read model from its log (`BENCH_REBUILDS` times, 2). Prints one
 * table: import accounts/s, pairs/s and CPU per pair each round (and as a share of the first
 * size's in that round), the time to read the pool's status (`GET /v1/pools/:id`, its
 * counts), server RSS, rebuild events/s of each rebuild. Prints figures; never fails on a
 * time.
 *
 *   BENCH_SCALE_SIZES=1000,10000,100000 BENCH_SECONDS=10 BENCH_ROUNDS=2 BENCH_REBUILDS=2 npm run bench:scale
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { importAccounts, percentile, rssMb, runPairs, startBenchServer, type BenchServer, type PairResult } from './allocate.ts';
import { client } from '../support/servers.ts';

const sizes = (process.env.BENCH_SCALE_SIZES ?? '1000,10000,100000').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
/** How many times each size's log is rebuilt (each run rebuilds every read model from the start). */
const rebuilds = Number(process.env.BENCH_REBUILDS ?? 2);

/**
 * Runs `roster rebuild` on a stopped server's data directory; returns the events and the
 * seconds it reports for the read models (its own start, embedded PostgreSQL's, left out).
 */
async function rebuildRun(server: BenchServer): Promise<{ events: number; seconds: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'rebuild'], {
    env: { ...process.env, ROSTER_DATA_DIR: server.dir!, ROSTER_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += String(d)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`roster rebuild exited with ${code}`);
  // Its last line: `rebuilt from <events> events in <ms> ms (<rate> events/s)`.
  const said = /rebuilt from (\d+) events in (\d+) ms/.exec(out);
  if (!said) throw new Error(`roster rebuild said: ${out}`);
  return { events: Number(said[1]), seconds: Number(said[2]) / 1000 };
}

/** The median time of 21 reads of a pool's status, one at a time, in ms. */
async function statusMs(server: BenchServer, poolId: string): Promise<number> {
  const c = client(server.url, server.token, 1);
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    const r = await c.call('GET', `/v1/pools/${poolId}`);
    if (r.status !== 200) throw new Error(`pool status: ${r.status}`);
    times.push(performance.now() - t0);
  }
  await c.pool.close();
  return percentile(times.sort((x, y) => x - y), 50);
}

interface Row {
  accounts: number;
  server: BenchServer;
  statusMs: number;
  importRate: number;
  /** One per round. */
  rounds: PairResult[];
  rssAfterImport: number;
  rssAfterPairs: number;
  events: number;
  /** Seconds of each rebuild. */
  rebuildS: number[];
}

// Every size is imported into a server of its own first; then the rounds of pairs go from
// one server to the next, so that each size meets the same moments of a shared machine.
const rows: Row[] = [];
try {
  for (const n of sizes) {
    const server = await startBenchServer();
    const row: Row = { accounts: n, server, statusMs: 0, importRate: 0, rounds: [], rssAfterImport: 0, rssAfterPairs: 0, events: 0, rebuildS: [] };
    rows.push(row);
    const { rate, catchUpS } = await importAccounts(server, 'scale', n);
    console.error(`${n} accounts: read models caught up ${catchUpS.toFixed(1)} s after the import`);
    await sleep(2000);
    row.importRate = rate;
    row.rssAfterImport = await rssMb(server.pid);
    row.statusMs = await statusMs(server, 'scale');
    await runPairs(server, 'scale', 16, 2); // warm-up
  }
  for (let round = 1; round <= rounds; round++) {
    for (const row of rows) row.rounds.push(await runPairs(row.server, 'scale', 16, seconds));
    console.error(`round ${round} done`);
  }
  for (const row of rows) {
    row.rssAfterPairs = await rssMb(row.server.pid);
    await row.server.stop(true);
    for (let i = 0; i < rebuilds; i++) {
      const rebuilt = await rebuildRun(row.server);
      row.events = rebuilt.events;
      row.rebuildS.push(rebuilt.seconds);
    }
  }
} finally {
  for (const { server } of rows) {
    await server.stop(true).catch(() => undefined);
    await rm(server.dir!, { recursive: true, force: true });
  }
}

/** Figures of each round, joined (`1,201 / 1,150`). */
const each = (r: Row, figure: (p: PairResult) => string) => r.rounds.map(figure).join(' / ');
const first = rows[0]!;
console.log(`\nbench:scale, ${rounds} interleaved round(s) of ${seconds} s of pairs at 16 connections per size, embedded PostgreSQL (fsync on), ${new Date().toISOString().slice(0, 10)}`);
console.log(`| accounts | import accounts/s | pairs/s | of ${first.accounts}'s pairs/s | allocate p99 (ms) | server CPU ms/pair | of ${first.accounts}'s | PostgreSQL CPU ms/pair | pool status (ms) | RSS after import (MB) | RSS after pairs (MB) | rebuild events | rebuild s | rebuild events/s |`);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  const share = r.rounds.map((p, i) => `${((p.pairsPerSecond / first.rounds[i]!.pairsPerSecond) * 100).toFixed(0)}%`).join(' / ');
  const cpu = r.rounds.map((p, i) => `${(p.serverCpuMs / first.rounds[i]!.serverCpuMs).toFixed(2)}×`).join(' / ');
  console.log(`| ${r.accounts} | ${r.importRate.toFixed(0)} | ${each(r, (p) => p.pairsPerSecond.toFixed(0))} | ${share} | ${each(r, (p) => p.p99.toFixed(1))} | ${each(r, (p) => p.serverCpuMs.toFixed(3))} | ${cpu} | `
    + `${each(r, (p) => p.postgresCpuMs.toFixed(3))} | ${r.statusMs.toFixed(1)} | ${r.rssAfterImport.toFixed(0)} | ${r.rssAfterPairs.toFixed(0)} | ${r.events} | ${r.rebuildS.map((x) => x.toFixed(2)).join(' / ')} | ${r.rebuildS.map((x) => (r.events / x).toFixed(0)).join(' / ')} |`);
}
