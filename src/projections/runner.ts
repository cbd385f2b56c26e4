import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { matchesFilter, START, type EventStore, type Position, type RecordedEvent } from '../store/port.ts';
import { startSpan, tracesRecorded } from '../telemetry.ts';
import type { Row, RowProjection } from './projection.ts';
import { keepRunningUntil } from '../effect.ts';
import { insertByCopy, upsertByCopy } from './copy.ts';
import { PostgresEventStore } from '../store/postgres.ts';
import type { DomainEvent } from '../domain/events.ts';

export interface RunnerOptions {
  /** Write a projection to another table than its own (rebuild does). */
  tableOf?: (p: RowProjection) => string;
  /** Checkpoint name of a projection; its name by default. */
  checkpointOf?: (p: RowProjection) => string;
  batchSize?: number;
  /**
   * The least time from one batch to the next while events keep coming, so that events
   * close together share a batch (a read model then trails the log by up to this much).
   * An event after a quiet spell is applied at once.
   */
  minIntervalMs?: number;
  /**
   * How the runner waits out its interval: by default a plain sleep; `ReadModelWaits.pause`
   * ends it when a reader waits (after `since`) for a position past `reached`, the one
   * the runner's last batch brought the read models to.
   */
  pause?: (ms: number, signal: AbortSignal, since: number, reached: Position) => Promise<void>;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

/** The checkpoint a projection has reached, START when it has none. */
export async function readCheckpoint(db: Queryable, name: string): Promise<Position> {
  const { rows } = await db.query<{ position: string }>('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
  return rows[0]?.position ?? START;
}

/** The checkpoints of the named projections, and the slowest of them (START for one that has none). */
async function checkpoints(db: Queryable, names: string[]): Promise<{ at: Map<string, Position>; slowest: Position }> {
  const { rows } = await db.query<{ name: string; position: string }>('SELECT name, position FROM projection_checkpoints WHERE name = ANY($1)', [names]);
  const at = new Map(rows.map((r) => [r.name, r.position]));
  return { at, slowest: names.map((n) => at.get(n) ?? START).sort()[0] ?? START };
}

/**
 * Moves the named checkpoints to `to` in one statement, each only from the position the
 * runner read (compare-and-set); `own` undefined means the checkpoint does not exist yet.
 */
async function moveCheckpoints(db: Queryable, moving: Array<{ name: string; own?: Position }>, to: Position): Promise<void> {
  if (!moving.length) return;
  const { rows } = await db.query<{ n: number }>(
    `WITH want AS (SELECT * FROM unnest($1::text[], $2::text[]) AS w(name, own)),
     moved AS (UPDATE projection_checkpoints c SET position = $3 FROM want w WHERE c.name = w.name AND c.position = w.own RETURNING c.name),
     added AS (INSERT INTO projection_checkpoints (name, position) SELECT name, $3 FROM want WHERE own IS NULL ON CONFLICT DO NOTHING RETURNING name)
     SELECT ((SELECT count(*) FROM moved) + (SELECT count(*) FROM added))::int AS n`,
    [moving.map((m) => m.name), moving.map((m) => m.own ?? null), to],
  );
  if (rows[0]!.n !== moving.length) throw new Error(`a checkpoint of ${moving.map((m) => m.name).join(', ')} moved under this runner`);
}

/**
 * From how many rows a batch writes them with COPY (`upsertByCopy`): below it, the two
 * statements more than COPY needs cost more than PostgreSQL's reading the rows as JSON.
 */
const COPY_ROWS = 100;

/**
 * The log, when a read model's rows are written by the database from it (`fromLog`, one
 * row per event, on the PostgreSQL log: it is in the read models' database) instead of
 * folded in node; else undefined. The runner and the rebuild both ask it.
 *
 * @example
 * const filler = databaseFiller(store, auditProjection); // the PostgreSQL store, or undefined
 */
export function databaseFiller(store: EventStore, p: RowProjection): PostgresEventStore<DomainEvent> | undefined {
  return store instanceof PostgresEventStore && p.insertOnly && p.fromLog ? store : undefined;
}

/**
 * Folds a batch of events into the projection's table: loads the touched rows (unless the
 * projection only inserts), applies the events in order, writes the rows back in one
 * statement each for its new rows and the rest. Many rows go by COPY: new ones straight into
 * the table (an import's accounts, the sessions of a busy spell), held ones staged and upserted.
 */
export async function applyBatch(db: Queryable, projection: RowProjection, table: string, events: RecordedEvent[]): Promise<void> {
  const touched = new Set<string>();
  for (const e of events) for (const k of projection.keysOf(e)) touched.add(k);
  if (touched.size === 0) return;
  const current = new Map<string, Row>();
  if (!projection.insertOnly) {
    const { rows } = await db.query<Row>(`SELECT * FROM ${table} WHERE ${projection.key} = ANY($1::${projection.keyType ?? 'text'}[])`, [[...touched]]);
    for (const r of rows) current.set(String(r[projection.key]), r);
  }
  const held = new Set(current.keys());
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
  const onConflict = `(${projection.key}) ${projection.insertOnly
    ? 'DO NOTHING'
    : `DO UPDATE SET ${projection.columns.filter((c) => c !== projection.key).map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`}`;
  const rowsOf = (some: string[]) => some.map((k) => current.get(k)!);
  const keys = [...changed];
  // A row not loaded is new (an insert-only projection loads none): this runner alone
  // writes the table, under its lock.
  const fresh = keys.filter((k) => !held.has(k));
  const copied = fresh.length >= COPY_ROWS;
  if (copied) await insertByCopy(db, table, projection.columns, rowsOf(fresh), onConflict);
  const rows = rowsOf(copied ? keys.filter((k) => held.has(k)) : keys);
  if (rows.length === 0) return;
  if (rows.length >= COPY_ROWS) return upsertByCopy(db, table, projection.columns, rows, onConflict);
  await db.query(
    `INSERT INTO ${table} (${cols}) SELECT ${cols} FROM json_populate_recordset(NULL::${table}, $1::json) ON CONFLICT ${onConflict}`,
    [JSON.stringify(rows)],
  );
}

/**
 * Runs a group of projections off one read of the log: each batch is applied and every
 * projection's checkpoint moved (compare-and-set) in one transaction, so every event takes
 * effect exactly once. One runner per group runs at a time across all nodes: it holds an
 * advisory lock on its own connection. A projection whose checkpoint is ahead of the
 * others (just rebuilt) skips the events it already has. On the PostgreSQL log a
 * read model with `fromLog` is filled by the database, not folded (`databaseFiller`).
 *
 * @example
 * const runner = new ProjectionRunner(pool, store, [accountsProjection, sessionsProjection]);
 * void runner.run(abort.signal);
 */
export class ProjectionRunner {
  constructor(
    private readonly pool: pg.Pool,
    private readonly store: EventStore,
    private readonly projections: RowProjection[],
    private readonly options: RunnerOptions = {},
  ) {}

  /** The position the last batch this runner applied reached. */
  private reached: Position = START;

  private pause(ms: number, signal: AbortSignal, since: number): Promise<void> {
    if (this.options.pause) return this.options.pause(ms, signal, since, this.reached);
    return sleep(ms, undefined, { signal }).catch(() => undefined);
  }

  private get batchSize(): number {
    return this.options.batchSize ?? 2000;
  }

  private checkpointOf(p: RowProjection): string {
    return this.options.checkpointOf?.(p) ?? p.name;
  }

  /**
   * Applies the next batch. Returns how many events it read: 0 when caught up. With
   * `ownTransaction` false it runs inside the caller's transaction.
   */
  async step(db: Queryable, ownTransaction = true): Promise<number> {
    const names = this.projections.map((p) => this.checkpointOf(p));
    const { at, slowest: from } = await checkpoints(db, names);
    // Read every event, not only the projections' streams, so that checkpoints pass the
    // others too and a reader waiting for any position is not kept waiting; without the
    // metadata when only read models filled in the database use it (and no span needs it).
    const lean = !tracesRecorded && this.projections.every((p) => !p.readsMetadata || databaseFiller(this.store, p));
    const read = await this.store.readAll({ from, limit: this.batchSize, lean });
    if (read.length === 0) return 0;
    const to = read.at(-1)!.position;
    // One span in the trace of each request whose events this batch projects.
    const traces = new Set(tracesRecorded ? read.map((e) => e.metadata?.traceparent).filter((t) => t !== undefined) : []);
    const spans = [...traces].map((t) => startSpan('project', t, { 'roster.projections': names.join(','), 'roster.position': to }));
    try {
      // Read models can be rebuilt from the log; losing the last moments on a crash only replays them.
      await db.query(`${ownTransaction ? 'BEGIN; ' : ''}SET LOCAL synchronous_commit = off`);
      const moving = this.projections.map((p, i) => ({ p, name: names[i]!, own: at.get(names[i]!) })).filter((m) => (m.own ?? START) < to);
      await moveCheckpoints(db, moving, to);
      for (const { p, own = START } of moving) {
        const table = this.options.tableOf?.(p) ?? p.table;
        const filler = databaseFiller(this.store, p);
        if (filler) {
          await filler.copyRange(db, table, p.fromLog!, own, to, { streamPrefixes: p.streamPrefixes });
          continue;
        }
        const events = read.filter((e) => e.position > own && matchesFilter(e.stream, { streamPrefixes: p.streamPrefixes }));
        await applyBatch(db, p, table, events);
      }
      if (ownTransaction) await db.query('COMMIT');
      this.reached = to;
      return read.length;
    } catch (error) {
      if (ownTransaction) await db.query('ROLLBACK').catch(() => undefined);
      for (const span of spans) span.setStatus({ code: 2, message: (error as Error).message });
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /** Applies batches until caught up with what is readable now. */
  async catchUp(db: Queryable): Promise<void> {
    while ((await this.step(db)) > 0);
  }

  /**
   * Runs until the signal aborts: waits for the lock, then follows the log. After a failure
   * (reported) it starts again, on a fresh connection, after a pause.
   */
  async run(signal: AbortSignal, onError: (e: unknown) => void = () => undefined): Promise<void> {
    const lock = `roster:projection:${this.projections.map((p) => this.checkpointOf(p)).join(',')}`;
    await keepRunningUntil(signal, (running) => this.lead(lock, running), onError);
  }

  /**
   * One turn: takes the lock and follows the log, or, while another node holds the lock,
   * gives the connection back and waits (the caller tries again).
   */
  private async lead(lock: string, signal: AbortSignal): Promise<void> {
    const client = await this.pool.connect();
    // Destroyed rather than released after leading (or failing), so that its advisory lock is let go.
    let destroy = true;
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lock]);
      destroy = rows[0]!.ok;
      if (destroy) await this.follow(client, signal);
    } finally {
      client.release(destroy);
    }
    if (!destroy) await this.store.waitForAppend(1000, signal);
  }

  /** Applies what the log has, then what is appended, until the signal aborts. */
  private async follow(client: pg.PoolClient, signal: AbortSignal): Promise<void> {
    const interval = this.options.minIntervalMs ?? 0;
    while (!signal.aborted) {
      const readAt = performance.now();
      const read = await this.step(client);
      if (read === 0) await this.store.waitForAppend(1000, signal, readAt);
      else if (read < this.batchSize && interval > 0) await this.pause(readAt + interval - performance.now(), signal, readAt);
    }
  }
}

/**
 * How far the slowest of the named projections trails the log: the age in seconds of the
 * oldest event it has not applied, 0 when it is caught up. Events a long open transaction
 * holds back from every reader count: the read models wait for them as well.
 *
 * @example
 * await projectionLag(db, store, readModels.map((p) => p.name)) // → 0.004
 */
export async function projectionLag(db: Queryable, store: EventStore, names: string[]): Promise<number> {
  const [next] = await store.readAll({ from: (await checkpoints(db, names)).slowest, limit: 1, committed: true });
  return next ? Math.max(0, (Date.now() - next.recordedAt.getTime()) / 1000) : 0;
}
