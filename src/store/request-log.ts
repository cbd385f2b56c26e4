import type pg from 'pg';
import { Gate } from '../effect.ts';

/**
 * One row per request the gateway forwarded: who sent it, where it went and what it
 * cost; never a body, a header or a credential. Written in batches, kept
 * `ROSTER_GATEWAY_REQUEST_LOG_DAYS` days.
 */
export const requestLogSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS gateway_requests (
  seq bigserial PRIMARY KEY,
  request_id text NOT NULL,
  at timestamptz NOT NULL,
  user_id text NOT NULL,
  key_id text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  model text,
  pool_id text,
  account_id text,
  status int NOT NULL,
  outcome text NOT NULL,
  tries int NOT NULL,
  input_tokens bigint,
  output_tokens bigint,
  estimated boolean NOT NULL,
  spend double precision,
  duration_ms int NOT NULL,
  upstream_request_id text
);
CREATE INDEX IF NOT EXISTS gateway_requests_at ON gateway_requests (at);
CREATE INDEX IF NOT EXISTS gateway_requests_user ON gateway_requests (user_id, seq);
CREATE INDEX IF NOT EXISTS gateway_requests_key ON gateway_requests (key_id, seq);
CREATE INDEX IF NOT EXISTS gateway_requests_id ON gateway_requests (request_id);
`;

/** Rows deleted at most by one round of pruning (the scheduler's). */
const PRUNED_AT_ONCE = 50_000;

/** A forwarded request as the log keeps it. */
export interface RequestRecord {
  requestId: string;
  at: string;
  userId: string;
  keyId: string;
  method: string;
  /** The path asked for, without the query. */
  path: string;
  model: string | null;
  poolId: string | null;
  accountId: string | null;
  status: number;
  /** The status, or what happened instead (`client_closed`, `failed_mid_stream`). */
  outcome: string;
  tries: number;
  inputTokens: number | null;
  outputTokens: number | null;
  estimated: boolean;
  spend: number | null;
  durationMs: number;
  upstreamRequestId: string | null;
}

/** What `RequestLog.list` filters by; newest first, `before` a row's `seq` for the next page. */
export interface RequestQuery {
  requestId?: string;
  userId?: string;
  keyId?: string;
  model?: string;
  poolId?: string;
  accountId?: string;
  status?: number;
  from?: string;
  to?: string;
  before?: number;
  limit: number;
}

/** Each field of a record, its column and the column's type, in the table's order. */
const COLUMNS: Array<[field: keyof RequestRecord, column: string, type: string]> = [
  ['requestId', 'request_id', 'text'], ['at', 'at', 'timestamptz'], ['userId', 'user_id', 'text'], ['keyId', 'key_id', 'text'],
  ['method', 'method', 'text'], ['path', 'path', 'text'], ['model', 'model', 'text'], ['poolId', 'pool_id', 'text'], ['accountId', 'account_id', 'text'],
  ['status', 'status', 'int'], ['outcome', 'outcome', 'text'], ['tries', 'tries', 'int'], ['inputTokens', 'input_tokens', 'bigint'],
  ['outputTokens', 'output_tokens', 'bigint'], ['estimated', 'estimated', 'boolean'], ['spend', 'spend', 'float8'], ['durationMs', 'duration_ms', 'int'],
  ['upstreamRequestId', 'upstream_request_id', 'text'],
];
const COLUMN_LIST = COLUMNS.map(([, column]) => column).join(', ');

/**
 * The gateway's request log: rows gathered in memory and written together (`flush`, one
 * statement), at most `maxPending` waiting (the oldest beyond it dropped and counted), so
 * that a database that does not answer costs bounded memory.
 *
 * @example
 * log.add(record);
 * await log.flush();
 * const { items } = await log.list({ userId, limit: 50 });
 */
export class RequestLog {
  private pending: RequestRecord[] = [];
  /** One write at a time. */
  private readonly writing = new Gate(1);
  /** Rows dropped: the oldest while too many waited, and those refused as data (`roster_gateway_requests_unlogged_total`). */
  dropped = 0;

  constructor(private readonly db: pg.Pool, private readonly maxPending = 100_000) {}

  add(record: RequestRecord): void {
    // A tenth of the oldest at once, so that a full log costs no more per request than one that is not.
    if (this.pending.length >= this.maxPending) this.drop(Math.ceil(this.maxPending / 10));
    this.pending.push(record);
  }

  private drop(count: number): void {
    this.pending.splice(0, count);
    this.dropped += count;
  }

  /**
   * Writes what waits (after the flush under way, if any); answers the rows written. A
   * failed write keeps its rows for the next, unless PostgreSQL refused them as data.
   */
  flush(): Promise<number> {
    return this.writing.run(() => this.write());
  }

  private async write(): Promise<number> {
    const rows = this.pending;
    if (rows.length === 0) return 0;
    this.pending = [];
    try {
      await this.db.query(
        `INSERT INTO gateway_requests (${COLUMN_LIST}) SELECT * FROM unnest(${COLUMNS.map(([, , type], i) => `$${i + 1}::${type}[]`).join(', ')})`,
        COLUMNS.map(([field]) => rows.map((r) => r[field])),
      );
      return rows.length;
    } catch (error) {
      // Rows PostgreSQL refuses as data (class 22) would be refused again: they go; the rest wait for the next flush.
      if (String((error as { code?: unknown }).code).startsWith('22')) this.dropped += rows.length;
      else this.pending = [...rows, ...this.pending];
      if (this.pending.length > this.maxPending) this.drop(this.pending.length - this.maxPending);
      throw error;
    }
  }

  /** Requests newest first; `next` is the `before` of the following page (absent on the last). */
  async list(q: RequestQuery): Promise<{ items: Array<RequestRecord & { seq: number }>; next?: number }> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT seq, ${COLUMN_LIST} FROM gateway_requests
       WHERE ($11::text IS NULL OR request_id = $11) AND ($1::text IS NULL OR user_id = $1) AND ($2::text IS NULL OR key_id = $2) AND ($3::text IS NULL OR model = $3)
         AND ($4::text IS NULL OR pool_id = $4) AND ($5::text IS NULL OR account_id = $5) AND ($6::int IS NULL OR status = $6)
         AND ($7::timestamptz IS NULL OR at >= $7) AND ($8::timestamptz IS NULL OR at < $8) AND ($9::bigint IS NULL OR seq < $9)
       ORDER BY seq DESC LIMIT $10`,
      [q.userId ?? null, q.keyId ?? null, q.model ?? null, q.poolId ?? null, q.accountId ?? null, q.status ?? null, q.from ?? null, q.to ?? null, q.before ?? null, q.limit + 1, q.requestId ?? null],
    );
    const items = rows.slice(0, q.limit).map((row) => ({
      seq: Number(row.seq),
      ...Object.fromEntries(COLUMNS.map(([field, column]) => [field, row[column] ?? null])),
      at: (row.at as Date).toISOString(),
      inputTokens: row.input_tokens === null ? null : Number(row.input_tokens),
      outputTokens: row.output_tokens === null ? null : Number(row.output_tokens),
    })) as Array<RequestRecord & { seq: number }>;
    return rows.length > q.limit ? { items, next: items.at(-1)!.seq } : { items };
  }

  /**
   * Deletes rows older than `days` days, at most `limit` (a busy gateway's day of rows is
   * left in rounds rather than in one long transaction); answers how many.
   *
   * @example
   * while ((await log.prune(14)) === 50_000); // until none is left
   */
  async prune(days: number, now = Date.now(), limit = PRUNED_AT_ONCE): Promise<number> {
    const { rowCount } = await this.db.query(
      'DELETE FROM gateway_requests WHERE seq IN (SELECT seq FROM gateway_requests WHERE at < $1 LIMIT $2)',
      [new Date(now - days * 86_400_000), limit],
    );
    return rowCount ?? 0;
  }
}
