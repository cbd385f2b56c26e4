/**
 * `npm run bench:projections`: what the busiest read models cost an allocate+release pair,
 * by batch size. Logs a run of pairs on a fresh server (embedded PostgreSQL, 1,000
 * accounts, 64 connections), then replays the run's events through `rm_accounts`,
 * `rm_sessions` and `rm_audit` into scratch tables, one batch at a time on one connection
 * (node and PostgreSQL take turns): µs of wall time and of node's CPU a pair. Prints
 * figures; never fails on a time.
 *
 *   BENCH_BATCHES=250,1000,2000,4000 BENCH_SECONDS=6 npm run bench:projections
 */
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { runPairs, startBenchServer } from './allocate.ts';
import { seedPool } from '../support/servers.ts';
import { startEmbeddedPostgres } from '../../src/store/embedded.ts';
import { PostgresEventStore } from '../../src/store/postgres.ts';
import { rosterCodec } from '../../src/store/codec.ts';
import { readModels } from '../../src/projections/read-models.ts';
import { applyBatch } from '../../src/projections/runner.ts';
import { matchesFilter, type RecordedEvent } from '../../src/store/port.ts';

const batches = (process.env.BENCH_BATCHES ?? '250,1000,2000,4000').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const tables = ['rm_accounts', 'rm_sessions', 'rm_audit'];

const server = await startBenchServer();
await seedPool(server.url, server.token, 'bench', 1000);
const run = await runPairs(server, 'bench', 64, seconds);
await server.stop(true);

const db = await startEmbeddedPostgres(server.dir!);
const pool = new pg.Pool({ connectionString: db.url.replace(/\/postgres$/, '/roster'), options: '-c synchronous_commit=off' });
try {
  const store = new PostgresEventStore(pool, { codec: rosterCodec });
  const events: RecordedEvent[] = [];
  for (let page = await store.readAll({ limit: 10_000 }); page.length; page = await store.readAll({ from: page.at(-1)!.position, limit: 10_000 })) events.push(...page);
  const first = events.findIndex((e) => e.type === 'SessionAllocated');
  const [seed, logged] = [events.slice(0, first), events.slice(first)];
  const pairs = logged.filter((e) => e.type === 'SessionAllocated').length;
  console.log(`\nlogged ${pairs} pairs (${run.pairsPerSecond.toFixed(0)} pairs/s at 64 connections), replayed per read model; µs a pair, wall / node CPU`);
  console.log(`| batch (events) | ${tables.join(' | ')} | sum |\n| ---: |${tables.map(() => ' ---: |').join('')} ---: |`);
  const client = await pool.connect();
  const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  try {
    // The first pass warms the code up and is not printed.
    for (const [n, size] of [batches[0]!, ...batches].entries()) {
      const cells: Array<{ wall: number; node: number }> = [];
      for (const p of readModels.filter((m) => tables.includes(m.table))) {
        const mine = (list: RecordedEvent[]) => list.filter((e) => matchesFilter(e.stream, { streamPrefixes: p.streamPrefixes }) && p.keysOf(e).length);
        const scratch = `${p.table}_bench`;
        await client.query(`DROP TABLE IF EXISTS ${scratch}; CREATE TABLE ${scratch} (LIKE ${p.table} INCLUDING ALL)`);
        const apply = async (batch: RecordedEvent[]) => {
          await client.query('BEGIN');
          await applyBatch(client, p, scratch, batch);
          await client.query('COMMIT');
        };
        for (let i = 0; i < seed.length; i += 2000) await apply(mine(seed.slice(i, i + 2000)));
        await client.query(`VACUUM ANALYZE ${scratch}`);
        const [wall0, node0] = [performance.now(), cpuMs()];
        for (let i = 0; i < logged.length; i += size) await apply(mine(logged.slice(i, i + size)));
        cells.push({ wall: ((performance.now() - wall0) * 1000) / pairs, node: ((cpuMs() - node0) * 1000) / pairs });
        await client.query(`DROP TABLE ${scratch}`);
      }
      if (n === 0) continue;
      const sum = cells.reduce((s, c) => ({ wall: s.wall + c.wall, node: s.node + c.node }), { wall: 0, node: 0 });
      console.log(`| ${size} | ${[...cells, sum].map((c) => `${c.wall.toFixed(1)} / ${c.node.toFixed(1)}`).join(' | ')} |`);
    }
  } finally {
    client.release();
  }
} finally {
  await pool.end();
  await db.stop();
  await rm(server.dir!, { recursive: true, force: true });
}
