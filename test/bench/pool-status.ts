/**
 * A pool's status read (`poolStatuses`: the live feed, `/v1/pools`, `/metrics`) with 1,000
 * to 100,000 live sessions in the pool, against the same statement counting the live
 * sessions by a scan of `rm_sessions` (as it did before `rm_pool_sessions`). Embedded
 * PostgreSQL in a temporary directory. Prints ms per read, three alternating rounds; never
 * fails on a time.
 *
 *   npx tsx test/bench/pool-status.ts
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { poolStatuses } from '../../src/projections/queries.ts';
import { startEmbeddedPostgres } from '../../src/store/embedded.ts';

const dir = await mkdtemp(join(tmpdir(), 'roster-bench-status-'));
await chmod(dir, 0o755);
const embedded = await startEmbeddedPostgres(dir, {});
process.env.ROSTER_TEST_DATABASE_URL = embedded.url;
const { testDatabase } = await import('../support/db.ts');
const db = await testDatabase();
try {
  for (const pool of ['p1', 'p2']) {
    await db.pool.query(`INSERT INTO rm_pools VALUES ($1, $1, 'manual', '{"minSize": 0, "health": {"lowRatio": 0.5, "criticalRatio": 0.2}}', now(), now())`, [pool]);
  }
  let kept = '';
  void poolStatuses({ query: (text: string) => ((kept = text), Promise.resolve({ rows: [] })) } as never);
  const scan = kept.replace('coalesce(s.live, 0) AS active_sessions', "(SELECT count(*) FROM rm_sessions s WHERE s.pool_id = p.pool_id AND s.status = 'live') AS active_sessions")
    .replace(' LEFT JOIN rm_pool_sessions s ON s.pool_id = p.pool_id', '');
  if (scan === kept) throw new Error('the statement changed: update this bench');
  /** ms per call, after a warm-up. */
  const time = async (read: () => Promise<unknown>) => {
    for (let i = 0; i < 5; i++) await read();
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) await read();
    return (performance.now() - t0) / 50;
  };
  console.log('| live sessions | counted by a scan (ms a read) | kept by triggers (ms a read) |\n| ---: | ---: | ---: |');
  for (const live of [1000, 10_000, 100_000]) {
    await db.pool.query('DELETE FROM rm_sessions');
    await db.pool.query(
      `INSERT INTO rm_sessions SELECT 'p1/s' || i, 'p1', 's' || i, 'h', 'live', '{}', '{}', now() + interval '1 hour', now(), NULL FROM generate_series(1, $1) i`, [live],
    );
    await db.pool.query('VACUUM ANALYZE rm_sessions');
    const statuses = await poolStatuses(db.pool);
    if (statuses.find((p) => p.poolId === 'p1')?.activeSessions !== live) throw new Error('the kept count is wrong');
    const cells: Array<[number, number]> = [];
    for (let round = 0; round < 3; round++) cells.push([await time(() => db.pool.query(scan, [null])), await time(() => poolStatuses(db.pool))]);
    console.log(`| ${live} | ${cells.map((c) => c[0].toFixed(2)).join(' / ')} | ${cells.map((c) => c[1].toFixed(2)).join(' / ')} |`);
  }
} finally {
  await db.drop();
  await embedded.stop();
  await rm(dir, { recursive: true, force: true });
}
