import type pg from 'pg';
import { matchesFilter, START, type EventStore, type Position } from '../store/port.ts';
import type { Row, RowProjection } from './projection.ts';
import { databaseFiller, ProjectionRunner, readCheckpoint } from './runner.ts';
import { copyRows } from './copy.ts';
import * as Effect from 'effect/Effect';
import * as Either from 'effect/Either';
import { run } from '../effect.ts';

/** Events read a page. */
const PAGE = 10_000;
/** Insert-only rows gathered before they are written. */
const CHUNK = 10_000;

/**
 * A read model being rebuilt: its rows folded and not yet written, the write under way, and
 * the position its rows reach (a filled one's once its fill is done).
 */
interface Fold {
  projection: RowProjection;
  rows: Map<string, Row>;
  writing: Promise<void>;
  position: Position;
  /** Filled inside the database (`RowProjection.fromLog`) instead of folded. */
  filled: boolean;
  /** Whether a row is written (`RebuildOptions.keep`). */
  keep?: (row: Row) => boolean;
}

export interface RebuildOptions {
  /** Whether a folded row goes into the rebuilt table (all do by default). */
  keep?: (projection: RowProjection, row: Row) => boolean;
}

const nextTable = (p: RowProjection) => `${p.table}_next`;
const rebuildCheckpoint = (p: RowProjection) => `${p.name}:rebuild`;

/**
 * Rebuilds read models from the whole log without stopping the live ones. The log is read
 * once for all of them and folded in memory (insert-only read models are written as they
 * fill, while the next page folds), the rows are copied (`COPY`) into new tables beside the live ones,
 * which get their indexes once filled (one table's while another's rows go in);
 * then, for each read model (several at once), holding the live checkpoint and table, the
 * events since are applied and the tables swapped. When the log is in the same database, a read model
 * with SQL for its rows (`fromLog`: the audit trail) is filled there and indexed, while the
 * others fold, and the others read the log without the metadata they do not use. `keep` leaves
 * out folded rows a retention would delete anyway (ended sessions: `sessionsToKeep`).
 * Returns the events gone through and each table's rows.
 *
 * @example
 * const { events, rows } = await rebuildAll(pool, store, readModels, { keep: sessionsToKeep(86_400_000) });
 */
export async function rebuildAll(
  pool: pg.Pool, store: EventStore, projections: RowProjection[], options: RebuildOptions = {},
): Promise<{ events: number; rows: Map<string, number> }> {
  // The live tables' storage settings (a fillfactor: LIKE does not copy them), and no
  // indexes while they fill: they are built once the rows are in (`index`). One round trip.
  const { rows: settings } = await pool.query<{ name: string; reloptions: string[] | null }>(
    'SELECT relname AS name, reloptions FROM pg_class WHERE oid = ANY($1::regclass[])', [projections.map((p) => p.table)],
  );
  const storage = (p: RowProjection) => {
    const options = settings.find((r) => r.name === p.table)?.reloptions;
    return options?.length ? ` WITH (${options.join(', ')})` : '';
  };
  await pool.query(projections.map((p) =>
    `DROP TABLE IF EXISTS ${nextTable(p)}; CREATE TABLE ${nextTable(p)} (LIKE ${p.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)${storage(p)};`).join('\n'));

  let events = 0;
  const folds: Fold[] = projections.map((projection) => {
    const { keep } = options;
    const fold: Fold = { projection, rows: new Map(), writing: Promise.resolve(), position: START, filled: false, keep: keep && ((row) => keep(projection, row)) };
    const filler = databaseFiller(store, projection);
    if (filler) {
      fold.filled = true;
      fold.writing = filler.copyInto(nextTable(projection), projection.fromLog!, { streamPrefixes: projection.streamPrefixes })
        .then(async ({ rows, position }) => {
          fold.position = position;
          events = Math.max(events, rows);
          // Its indexes at once, on one core: the fold is still under way.
          await index(pool, projection, { oneCore: true });
        });
      // Awaited with the writes at the end; marked handled so that a failure meanwhile is not unhandled.
      fold.writing.catch(() => undefined);
    }
    return fold;
  });
  const folded = folds.filter((f) => !f.filled);
  if (folded.length) events = await foldLog(pool, store, folded);
  // Each table on its own connection, at once: its last rows, then its indexes, so that
  // one table's indexes build while another's rows go in.
  await Promise.all(folds.map(async (fold) => {
    await writeRows(pool, fold);
    await fold.writing;
    if (!fold.filled) await index(pool, fold.projection);
  }));
  await pool.query(
    `INSERT INTO projection_checkpoints (name, position) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position`,
    [folds.map((f) => rebuildCheckpoint(f.projection)), folds.map((f) => f.position)],
  );
  // Several read models swap at once (each holds its own table and checkpoint, and reads
  // the log on a second connection): the swaps of the empty ones wait for round trips, not the CPU.
  const swaps = Math.max(1, Math.floor((pool.options.max ?? 10) / 2));
  // Each swap runs to its end, so that none is still at work when the first failure is thrown.
  const swapped = await run(Effect.forEach(projections, (p) => Effect.either(Effect.tryPromise({ try: () => swapIn(pool, store, p), catch: (e) => e })), { concurrency: swaps }));
  const failed = swapped.find(Either.isLeft);
  if (failed) throw failed.left;
  return { events, rows: new Map(projections.map((p, i) => [p.table, Either.getOrThrow(swapped[i]!)])) };
}

/**
 * Reads the whole log once and folds it into each read model's rows, writing insert-only
 * rows out as they fill. Returns the events read; each fold's position is the last one.
 */
async function foldLog(pool: pg.Pool, store: EventStore, folds: Fold[]): Promise<number> {
  const lean = !folds.some((f) => f.projection.readsMetadata);
  let position: Position = START;
  let events = 0;
  for (let page = await store.readAll({ limit: PAGE, lean }); page.length; page = await store.readAll({ from: position, limit: PAGE, lean })) {
    for (const e of page) {
      for (const fold of folds) {
        const { projection, rows } = fold;
        if (!matchesFilter(e.stream, { streamPrefixes: projection.streamPrefixes })) continue;
        for (const key of projection.keysOf(e)) {
          // As the live runner does: insert-only rows are made once, never loaded, never replaced.
          if (projection.insertOnly && rows.has(key)) continue;
          const next = projection.apply(projection.insertOnly ? undefined : rows.get(key), e, key);
          if (next) rows.set(key, next);
        }
      }
    }
    events += page.length;
    position = page.at(-1)!.position;
    // Insert-only rows never change again: write them out (while the next page folds) so that memory stays flat.
    for (const fold of folds) if (fold.projection.insertOnly && fold.rows.size >= CHUNK) await writeRows(pool, fold);
  }
  for (const fold of folds) fold.position = position;
  return events;
}

/**
 * Gives a filled new table the live table's primary key, then its other indexes, then the
 * planner's statistics (without them, until autovacuum came by, the accounts listing by
 * status took a bitmap scan and a sort: 35 ms instead of 0.2 at 100,000 accounts); from a
 * sample of 3,000 rows, since the default target's 30,000 cost 10% of a rebuild. Indexes at once,
 * each on a connection of its own (building indexes only shares the table's lock); or, with
 * `oneCore`, one after another on one connection and without parallel workers, so that
 * they take what the fold leaves of the CPU and not the fold's share (with parallel
 * workers beside the fold the rebuild took longer).
 */
async function index(pool: pg.Pool, p: RowProjection, { oneCore = false } = {}): Promise<void> {
  const { rows } = await pool.query<{ def: string; primary: boolean }>(
    'SELECT pg_get_indexdef(indexrelid) AS def, indisprimary AS primary FROM pg_index WHERE indrelid = $1::regclass', [p.table],
  );
  const primary = rows.some((r) => r.primary) ? `ALTER TABLE ${nextTable(p)} ADD PRIMARY KEY (${p.key})` : undefined;
  const others = rows.filter((r) => !r.primary).map(({ def }) => def.replace(/INDEX \S+ ON (ONLY )?\S+/, `INDEX ON ${nextTable(p)}`));
  const analyze = `SET LOCAL default_statistics_target = 10; ANALYZE ${nextTable(p)}`;
  if (!oneCore) {
    if (primary) await pool.query(primary);
    await Promise.all(others.map((sql) => pool.query(sql)));
    await pool.query(analyze);
    return;
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL max_parallel_maintenance_workers = 0');
    for (const sql of primary ? [primary, ...others] : others) await client.query(sql);
    await client.query(analyze);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Starts writing a fold's rows into its new table with COPY, and forgets them; waits for
 * the fold's previous write first, so at most one runs per table and its failure surfaces
 * here. Each key is written once (a fold holds one row per key; insert-only keys are
 * unique per event), so the table needs no key yet.
 */
async function writeRows(pool: pg.Pool, fold: Fold): Promise<void> {
  await fold.writing;
  let rows = [...fold.rows.values()];
  fold.rows = new Map();
  if (fold.keep) rows = rows.filter(fold.keep);
  if (!rows.length) return;
  const write = async () => {
    const client = await pool.connect();
    try {
      await copyRows(client, nextTable(fold.projection), fold.projection.columns, rows);
    } finally {
      client.release();
    }
  };
  fold.writing = write();
  // Awaited by the next write or at the end; marked handled so that a failure meanwhile is not unhandled.
  fold.writing.catch(() => undefined);
}

/**
 * Brings a rebuilt table up to the live one's position and swaps it in: catches up, then,
 * holding the live checkpoint and table, applies the last events and swaps. Returns the
 * rows of the new table.
 */
async function swapIn(pool: pg.Pool, store: EventStore, projection: RowProjection): Promise<number> {
  const next = nextTable(projection);
  const checkpoint = rebuildCheckpoint(projection);
  const runner = new ProjectionRunner(pool, store, [projection], { tableOf: () => next, checkpointOf: () => checkpoint });
  const client = await pool.connect();
  try {
    await runner.catchUp(client);
    await client.query('BEGIN');
    await client.query(`INSERT INTO projection_checkpoints (name, position) VALUES ($1, '') ON CONFLICT DO NOTHING`, [projection.name]);
    await client.query('SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [projection.name]);
    await client.query(`LOCK TABLE ${projection.table} IN ACCESS EXCLUSIVE MODE`);
    while ((await runner.step(client, false)) > 0);
    const position = await readCheckpoint(client, checkpoint);
    await client.query(`ALTER TABLE ${projection.table} RENAME TO ${projection.table}_old`);
    await client.query(`ALTER TABLE ${next} RENAME TO ${projection.table}`);
    await client.query(`DROP TABLE ${projection.table}_old`);
    if (projection.afterSwap) await client.query(projection.afterSwap);
    await client.query('UPDATE projection_checkpoints SET position = $2 WHERE name = $1', [projection.name, position]);
    await client.query('DELETE FROM projection_checkpoints WHERE name = $1', [checkpoint]);
    await client.query('COMMIT');
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${projection.table}`);
    return Number(rows[0]!.n);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Rebuilds one read model (see `rebuildAll`). Returns the rows of the new table.
 *
 * @example
 * await rebuild(pool, store, accountsProjection);
 */
export async function rebuild(pool: pg.Pool, store: EventStore, projection: RowProjection): Promise<number> {
  return (await rebuildAll(pool, store, [projection])).rows.get(projection.table)!;
}
