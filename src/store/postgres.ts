import pg from 'pg';
import {
  DuplicateEventIds, WrongExpectedRevision, pad, START,
  type AppendResult, type EventFilter, type EventStore, type ExpectedRevision, type NewEvent,
  type Position, type ReadAllOptions, type RecordedEvent, type StreamAppend, type SubscribeOptions,
} from './port.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { EventCodec } from './codec.ts';
import { categoryOf, pollSubscribe, wakeSignal, type Page } from './subscription.ts';
import { listen as openListener } from './listen.ts';

/** Encodes PostgreSQL's (transaction id, global position) pair as an ordered string. */
export function toPosition(tx: string, globalPosition: string): Position {
  return `${pad(tx)}.${pad(globalPosition)}`;
}

function fromPosition(position: Position): [string, string] {
  if (position === START) return ['0', '0'];
  const [tx, gp] = position.split('.');
  return [BigInt(tx!).toString(), BigInt(gp!).toString()];
}

/** Events as `roster_append` takes them. */
function payloadOf<E extends DomainEvent>(events: NewEvent<E>[], codec: EventCodec<E>): string {
  return JSON.stringify(events.map((e) => {
    const { id, type, data, metadata } = codec.encode(e);
    return { id, type, data, metadata };
  }));
}

/** The port's error for what `roster_append` raised; other errors as they are. */
function storeError(error: unknown, stream: string, expected: ExpectedRevision): unknown {
  const e = error as { code?: string; message?: string };
  if (e.code === 'RS001') {
    const actual = Number(e.message);
    return new WrongExpectedRevision(stream, expected, actual < 0 ? 'no_stream' : actual);
  }
  if (e.code === 'RS002') return new DuplicateEventIds(stream);
  return error;
}

function expectedCode(expected: ExpectedRevision): number {
  return expected === 'no_stream' ? -1 : expected === 'any' ? -2 : expected;
}

function likePatterns(filter?: EventFilter): string[] | null {
  const prefixes = filter?.streamPrefixes;
  if (!prefixes?.length) return null;
  return prefixes.map((p) => p.replace(/[\\%_]/g, (c) => `\\${c}`) + '%');
}

/**
 * An event as `SELECT_EVENTS` gives it: rows come as arrays (`rowMode: 'array'`), which
 * spares the driver an object per row (some 7% of a read's node CPU, measured).
 */
type EventRow = [
  globalPosition: string, tx: string, stream: string, revision: string, id: string, type: string,
  data: unknown, metadata: RecordedEvent['metadata'],
  /** Milliseconds since 1970 (see `RECORDED_MS`). */
  recordedMs: number,
  /** In a page of the log (`readPage`): whether the event matches its filter. */
  matched?: boolean,
];

function toRaw(row: EventRow): RecordedEvent<DomainEvent> {
  return {
    id: row[4], type: row[5], stream: row[2], revision: Number(row[3]),
    data: row[6], metadata: row[7], recordedAt: new Date(row[8]),
    position: toPosition(row[1], row[0]),
  };
}

/**
 * When an event was recorded, as whole milliseconds (floored, as a JavaScript Date holds
 * it): a number, where the timestamp's text took the driver a parse of its own per event.
 */
const RECORDED_MS = 'floor(extract(epoch FROM recorded_at) * 1000)::float8 AS recorded_ms';

/** The columns of an `EventRow`, in its order. */
const SELECT_EVENTS = `SELECT global_position, transaction_id::text AS tx, stream_id, revision, event_id,
  type, data, metadata, ${RECORDED_MS} FROM events`;
/** As `SELECT_EVENTS`, with only the metadata that decoding needs (`ReadAllOptions.lean`). */
const SELECT_LEAN_EVENTS = SELECT_EVENTS.replace('metadata,', "jsonb_build_object('schemaVersion', metadata->'schemaVersion') AS metadata,");
/** A row's position as `toPosition` writes it. */
const POSITION = "lpad(transaction_id::text, 20, '0') || '.' || lpad(global_position::text, 20, '0')";
/** Events every reader may take: none that a transaction still running could precede (see the class). */
const READABLE = 'transaction_id < pg_snapshot_xmin(pg_current_snapshot())';

/**
 * The PostgreSQL event store (DESIGN.md, Event store). Readers of the global log see only
 * events whose transaction id is below the oldest transaction still running, so an event
 * that commits late can never be skipped by a reader that already passed a later sequence.
 *
 * @example
 * const store = new PostgresEventStore(pool, { codec: rosterCodec });
 * await store.start();
 */
export class PostgresEventStore<E extends DomainEvent> implements EventStore<E> {
  private readonly signal = wakeSignal();
  private listener?: pg.Client;
  private closed = false;

  private readonly codec: EventCodec<E>;
  private readonly listenConfig?: pg.ClientConfig;

  /** `listen`: where to LISTEN for appends (else subscribers poll). */
  constructor(private readonly pool: pg.Pool, options: { codec: EventCodec<E>; listen?: pg.ClientConfig }) {
    this.codec = options.codec;
    this.listenConfig = options.listen;
  }

  private readonly toRecorded = (row: EventRow): RecordedEvent<E> => this.codec.decode(toRaw(row));

  /** Starts listening for appends, so that subscribers wake at once instead of polling. */
  async start(): Promise<void> {
    await this.listen();
  }

  private async listen(): Promise<void> {
    if (!this.listenConfig || this.closed) return;
    this.listener = await openListener(this.listenConfig, 'roster_events', {
      onNotify: (payload) => this.heard(payload),
      closed: () => this.closed,
    }, (client) => (this.listener = client));
  }

  private readonly appendedListeners: Array<(stream: string, revision: number) => void> = [];

  onAppended(listener: (stream: string, revision: number) => void): void {
    this.appendedListeners.push(listener);
  }

  /** A notification's payload: streams with their revision (`pool-p1@41`), or categories. */
  private heard(payload: string): void {
    if (!payload) return this.signal.notify();
    const entries = payload.split(',');
    this.signal.notify(entries.map(categoryOf));
    for (const entry of entries) {
      const at = entry.lastIndexOf('@');
      if (at < 0) continue;
      for (const listener of this.appendedListeners) listener(entry.slice(0, at), Number(entry.slice(at + 1)));
    }
  }

  async append(stream: string, events: NewEvent<E>[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    try {
      const { rows } = await this.pool.query<{ next_revision: string; tx: string; last_position: string }>(
        'SELECT next_revision, tx::text AS tx, last_position FROM roster_append($1, $2, $3::jsonb)',
        [stream, expectedCode(expected), payloadOf(events, this.codec)],
      );
      const row = rows[0]!;
      return { nextRevision: Number(row.next_revision), position: toPosition(row.tx, row.last_position) };
    } catch (error) {
      if ((error as { code?: string; constraint?: string }).code === '23505' && (error as { constraint?: string }).constraint === 'events_event_id_key') {
        // A concurrent append of the same ids won the race: answer as a re-append does.
        return this.append(stream, events, expected);
      }
      throw storeError(error, stream, expected);
    }
  }

  /** Every part in one statement, so in one transaction: all or nothing. */
  async appendMany(appends: StreamAppend<E>[]): Promise<AppendResult[]> {
    if (appends.length === 0) return [];
    if (appends.some((a) => a.events.length === 0)) throw new Error('append needs at least one event');
    if (appends.length > 1 && appends.every((a) => a.expected === 'no_stream') && new Set(appends.map((a) => a.stream)).size === appends.length) {
      const created = await this.appendNew(appends);
      if (created) return created;
    }
    try {
      const { rows } = await this.pool.query<{ n: string; next_revision: string; tx: string; last_position: string }>(
        `SELECT a.n, r.next_revision, r.tx::text AS tx, r.last_position
         FROM unnest($1::text[], $2::bigint[], $3::jsonb[]) WITH ORDINALITY AS a(stream, expected, events, n),
              LATERAL roster_append(a.stream, a.expected, a.events) r
         ORDER BY a.n`,
        [appends.map((a) => a.stream), appends.map((a) => expectedCode(a.expected)), appends.map((a) => payloadOf(a.events, this.codec))],
      );
      return rows.map((row) => ({ nextRevision: Number(row.next_revision), position: toPosition(row.tx, row.last_position) }));
    } catch (error) {
      const only = appends.length === 1 ? appends[0]! : undefined;
      throw storeError(error, only?.stream ?? `one of ${appends.length} streams`, only?.expected ?? 'any');
    }
  }

  /**
   * Every stream new (an import): one set-based statement. Undefined when a stream or an
   * event id exists already (nothing written): the per-stream path then answers exactly.
   */
  private async appendNew(appends: StreamAppend<E>[]): Promise<AppendResult[] | undefined> {
    try {
      const { rows } = await this.pool.query<{ next_revision: string; tx: string; last_position: string }>(
        'SELECT next_revision, tx::text AS tx, last_position FROM roster_append_new($1::text[], $2::jsonb)',
        [appends.map((a) => a.stream), `[${appends.map((a) => payloadOf(a.events, this.codec)).join(',')}]`],
      );
      if (rows.length !== appends.length) return undefined;
      return rows.map((row) => ({ nextRevision: Number(row.next_revision), position: toPosition(row.tx, row.last_position) }));
    } catch (error) {
      if ((error as { code?: string }).code === 'RS003') return undefined;
      throw error;
    }
  }

  async readStream(stream: string, options: { from?: number; limit?: number } = {}): Promise<RecordedEvent<E>[]> {
    const { rows } = await this.pool.query<EventRow>({
      text: `${SELECT_EVENTS} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
      values: [stream, options.from ?? 0, options.limit ?? null], rowMode: 'array',
    });
    return rows.map(this.toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent<E>[]> {
    const [tx, gp] = fromPosition(options.from ?? START);
    const { rows } = await this.pool.query<EventRow>({
      text: `${options.lean ? SELECT_LEAN_EVENTS : SELECT_EVENTS}
       WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
         AND ${options.committed ? 'TRUE' : READABLE}
         AND ($3::text[] IS NULL OR stream_id LIKE ANY ($3::text[]))
       ORDER BY transaction_id, global_position LIMIT $4`,
      values: [tx, gp, likePatterns(options.filter), options.limit ?? 1000], rowMode: 'array',
    });
    return rows.map(this.toRecorded);
  }

  async headPosition(): Promise<Position> {
    // Every committed event, not only those readers may take yet: a caller waiting for
    // the head must wait for events that older open transactions still hold back.
    const row = await this.lastEvent('TRUE');
    return row ? toPosition(row.tx, row.global_position) : START;
  }

  /** The transaction and sequence of the last event that meets `where`, if one does. */
  private async lastEvent(where: string): Promise<{ tx: string; global_position: string } | undefined> {
    const { rows } = await this.pool.query<{ tx: string; global_position: string }>(
      `SELECT transaction_id::text AS tx, global_position FROM events WHERE ${where}
       ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    );
    return rows[0];
  }

  /**
   * Writes one row per event readable now into `table` (of this store's database, where the
   * read models are too), in one statement, without reading the events out: each column is
   * an SQL expression over the log's columns `position` (as positions read), `stream_id`,
   * `type`, `data`, `metadata` and `recorded_at`. Returns the rows written and the position of the last event read
   * (`START` if none): every event up to it, and none after it, is in.
   *
   * @example
   * const { position } = await store.copyInto('rm_audit_next', { position: 'position', type: 'type' });
   */
  async copyInto(table: string, columns: Record<string, string>, filter?: EventFilter): Promise<{ rows: number; position: Position }> {
    const head = await this.lastEvent(READABLE);
    if (!head) return { rows: 0, position: START };
    // Every event up to a readable one is readable too, so the bound fixes what goes in.
    const through = toPosition(head.tx, head.global_position);
    return { rows: await this.copyRange(this.pool, table, columns, START, through, filter), position: through };
  }

  /**
   * As `copyInto`, for the events after `after` up to `through` (a position read, so every
   * event up to it is readable), on `db` (inside its transaction); a row already there stays.
   * Returns the rows written.
   *
   * @example
   * await store.copyRange(client, 'rm_audit', audit.fromLog!, checkpoint, batch.at(-1)!.position);
   */
  async copyRange(
    db: Pick<pg.ClientBase, 'query'>, table: string, columns: Record<string, string>, after: Position, through: Position, filter?: EventFilter,
  ): Promise<number> {
    const { rowCount } = await db.query(
      `INSERT INTO ${table} (${Object.keys(columns).join(', ')})
       SELECT ${Object.values(columns).join(', ')}
       FROM (SELECT *, ${POSITION} AS position FROM events
             WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
               AND (transaction_id, global_position) <= ($3::xid8, $4::bigint)
               AND ($5::text[] IS NULL OR stream_id LIKE ANY ($5::text[]))) e
       ON CONFLICT DO NOTHING`,
      [...fromPosition(after), ...fromPosition(through), likePatterns(filter)],
    );
    return rowCount ?? 0;
  }

  subscribe(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent<E>> {
    return pollSubscribe((from, filter, limit) => this.readPage(from, filter, limit), this.signal.wake, { pollMs: 200, ...options });
  }

  /** A page of the log: every event after `from` is scanned, only matching ones are fetched whole. */
  private async readPage(from: Position, filter: EventFilter | undefined, limit: number): Promise<Page<E>> {
    const [tx, gp] = fromPosition(from);
    // Type, data and metadata only of an event that matches.
    const { rows } = await this.pool.query<EventRow>({
      text: `SELECT global_position, tx, stream_id, revision, event_id,
         CASE WHEN matched THEN type END AS type, CASE WHEN matched THEN data END AS data,
         CASE WHEN matched THEN metadata END AS metadata, ${RECORDED_MS}, matched
       FROM (SELECT e.*, transaction_id::text AS tx, ($3::text[] IS NULL OR stream_id LIKE ANY ($3::text[])) AS matched
             FROM events e
             WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
               AND ${READABLE}
             ORDER BY transaction_id, global_position LIMIT $4) page
       ORDER BY tx::xid8, global_position`,
      values: [tx, gp, likePatterns(filter), limit], rowMode: 'array',
    });
    const last = rows.at(-1);
    return {
      events: rows.filter((r) => r[9]).map(this.toRecorded), scanned: rows.length,
      last: last && toPosition(last[1], last[0]),
    };
  }

  waitForAppend(ms: number, signal?: AbortSignal, since?: number): Promise<void> {
    return this.signal.wake(ms, signal, since);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.signal.notify();
    await this.listener?.end().catch(() => undefined);
  }
}
