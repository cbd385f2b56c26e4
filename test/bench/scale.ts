/**
 * `npm run bench:scale`: how Roster grows with the pool. For each pool size (1,000, 10,000
 * and 100,000 accounts by default) a fresh server process on embedded PostgreSQL (fsync on)
 * imports the accounts over HTTP in batches of 1,000, then allocate+release pairs run at 16
 * connections; then the server stops and `roster rebuild` rebuilds every read model from
 * its log. Prints one table: import accounts/s, pairs/s, CPU per pair, server RSS, rebuild
 * events/s. Prints figures; never fails on a time.
 *
 *   BENCH_SCALE_SIZES=1000,10000,100000 BENCH_SECONDS=10 npm run bench:scale
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { importAccounts, rssMb, runPairs, startBenchServer, type BenchServer, type PairResult } from './allocate.ts';

const sizes = (process.env.BENCH_SCALE_SIZES ?? '1000,10000,100000').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);

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

interface Row {
  accounts: number;
  importRate: number;
  pairs: PairResult;
  rssAfterImport: number;
  rssAfterPairs: number;
  events: number;
  rebuildS: number;
}

const rows: Row[] = [];
for (const n of sizes) {
  const server = await startBenchServer();
  let row: Omit<Row, 'rebuildS' | 'events'>;
  try {
    const { rate: importRate, catchUpS } = await importAccounts(server, 'scale', n);
    console.error(`${n} accounts: read models caught up ${catchUpS.toFixed(1)} s after the import`);
    await sleep(2000);
    const rssAfterImport = await rssMb(server.pid);
    await runPairs(server, 'scale', 16, 2); // warm-up
    const pairs = await runPairs(server, 'scale', 16, seconds);
    const rssAfterPairs = await rssMb(server.pid);
    row = { accounts: n, importRate, pairs, rssAfterImport, rssAfterPairs };
  } catch (error) {
    await server.stop();
    throw error;
  }
  await server.stop(true);
  try {
    const rebuilt = await rebuildRun(server);
    rows.push({ ...row, events: rebuilt.events, rebuildS: rebuilt.seconds });
  } finally {
    await rm(server.dir!, { recursive: true, force: true });
  }
  console.error(`done: ${n} accounts`);
}

console.log(`\nbench:scale, ${seconds} s of pairs at 16 connections per size, embedded PostgreSQL (fsync on), ${new Date().toISOString().slice(0, 10)}`);
console.log('| accounts | import accounts/s | pairs/s | allocate p99 (ms) | server CPU ms/pair | PostgreSQL CPU ms/pair | RSS after import (MB) | RSS after pairs (MB) | rebuild events | rebuild s | rebuild events/s |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.accounts} | ${r.importRate.toFixed(0)} | ${r.pairs.pairsPerSecond.toFixed(0)} | ${r.pairs.p99.toFixed(1)} | ${r.pairs.serverCpuMs.toFixed(3)} | ${r.pairs.postgresCpuMs.toFixed(3)} | `
    + `${r.rssAfterImport.toFixed(0)} | ${r.rssAfterPairs.toFixed(0)} | ${r.events} | ${r.rebuildS.toFixed(1)} | ${(r.events / r.rebuildS).toFixed(0)} |`);
}
