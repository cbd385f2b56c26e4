import type pg from 'pg';
import { matchesFilter, START, type EventStore, type Position, type RecordedEvent } from '../store/port.ts';
import type { Row, RowProjection } from './projection.ts';

export interface RunnerOptions {
  /** Write to this table instead of the projection's own (used by rebuild). */
  table?: string;
  /** Checkpoint name, the projection's name by default. */
  checkpoint?: string;
  batchSize?: number;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

/** The checkpoint a projection has reached, START when it has none. */
export async function readCheckpoint(db: Queryable, name: string): Promise<Position> {
  const { rows } = await db.query<{ position: string }>('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
  return rows[0]?.position ?? START;
}

/**
 * Folds a batch of events into the projection's table: loads the touched rows, applies
 * the events in order, writes the rows back in one upsert.
 */
export async function applyBatch(db: Queryable, projection: RowProjection, table: string, events: RecordedEvent[]): Promise<void> {
  const touched = new Set<string>();
  for (const e of events) for (const k of projection.keysOf(e)) touched.add(k);
  if (touched.size === 0) return;
  const { rows } = await db.query<Row>(`SELECT * FROM ${table} WHERE ${projection.key}::text = ANY($1::text[])`, [[...touched]]);
  const current = new Map<string, Row>(rows.map((r) => [String(r[projection.key]), r]));
  const changed = new Set<string>();
  for (const e of events) {
    for (const key of projection.keysOf(e)) {
      const next = projection.apply(current.get(key), e, key);
      if (next) {
        current.set(key, next);
        changed.add(key);
      }
    }
  }
  if (changed.size === 0) return;
  const cols = projection.columns.join(', ');
  const updates = projection.columns.filter((c) => c !== projection.key).map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  await db.query(
    `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)
     ON CONFLICT (${projection.key}) DO UPDATE SET ${updates}`,
    [JSON.stringify([...changed].map((k) => current.get(k)))],
  );
}

/**
 * Runs one projection: each batch is applied and its checkpoint moved (compare-and-set) in
 * one transaction, so every event takes effect exactly once. One runner per projection
 * runs at a time across all nodes: it holds an advisory lock on its own connection.
 *
 * @example
 * const runner = new ProjectionRunner(pool, store, accountsProjection);
 * void runner.run(abort.signal);
 */
export class ProjectionRunner {
  private readonly table: string;
  private readonly checkpoint: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly store: EventStore,
    private readonly projection: RowProjection,
    private readonly options: RunnerOptions = {},
  ) {
    this.table = options.table ?? projection.table;
    this.checkpoint = options.checkpoint ?? projection.name;
  }

  /**
   * Applies the next batch. Returns how many events it read: 0 when caught up. With
   * `ownTransaction` false it runs inside the caller's transaction.
   */
  async step(db: Queryable, ownTransaction = true): Promise<number> {
    const from = await readCheckpoint(db, this.checkpoint);
    // Read every event, not just the projection's streams, so that the checkpoint passes
    // the others too and a reader waiting for any position is not kept waiting.
    const read = await this.store.readAll({ from, limit: this.options.batchSize ?? 2000 });
    if (read.length === 0) return 0;
    const events = read.filter((e) => matchesFilter(e.stream, { streamPrefixes: this.projection.streamPrefixes }));
    if (ownTransaction) await db.query('BEGIN');
    try {
      const to = read.at(-1)!.position;
      const { rowCount } = await db.query(
        `INSERT INTO projection_checkpoints AS c (name, position) VALUES ($1, $2)
         ON CONFLICT (name) DO UPDATE SET position = $2 WHERE c.position = $3`,
        [this.checkpoint, to, from],
      );
      if (rowCount !== 1) throw new Error(`checkpoint ${this.checkpoint} moved under this runner`);
      await applyBatch(db, this.projection, this.table, events);
      if (ownTransaction) await db.query('COMMIT');
      return read.length;
    } catch (error) {
      if (ownTransaction) await db.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Applies batches until caught up with what is readable now. */
  async catchUp(db: Queryable): Promise<void> {
    while ((await this.step(db)) > 0);
  }

  /** Runs until the signal aborts: waits for the lock, then follows the log. */
  async run(signal: AbortSignal, onError: (e: unknown) => void = () => undefined): Promise<void> {
    while (!signal.aborted) {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`roster:projection:${this.checkpoint}`]);
        if (!rows[0]!.ok) {
          client.release();
          client = undefined;
          await this.store.waitForAppend(1000, signal);
          continue;
        }
        while (!signal.aborted) {
          if ((await this.step(client)) === 0) await this.store.waitForAppend(1000, signal);
        }
      } catch (error) {
        if (!signal.aborted) onError(error);
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        // Destroy rather than release, so that the session's advisory lock is let go.
        client?.release(true);
      }
    }
  }
}
