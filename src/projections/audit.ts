import type pg from 'pg';
import type { RowProjection } from './projection.ts';

/**
 * `rm_audit`: who did what and when, one row per event of every stream, from its audit
 * metadata (actor, correlation, causation and request ids, trace id). No event data.
 */
export const auditProjection: RowProjection = {
  // v2: keyed by position (v1 was keyed by event id).
  name: 'audit.v2',
  table: 'rm_audit',
  key: 'position',
  columns: ['position', 'stream', 'type', 'actor', 'correlation_id', 'causation_id', 'request_id', 'trace_id', 'at'],
  insertOnly: true,
  streamPrefixes: [],
  readsMetadata: true,
  fromLog: {
    position: 'position', stream: 'stream_id', type: 'type',
    actor: "coalesce(metadata->>'actor', 'unknown')", correlation_id: "coalesce(metadata->>'correlationId', '')",
    causation_id: "metadata->>'causationId'", request_id: "metadata->>'requestId'",
    // The second part of a traceparent, as `split('-')[1]` takes it.
    trace_id: "CASE WHEN metadata->>'traceparent' LIKE '%-%' THEN split_part(metadata->>'traceparent', '-', 2) END",
    // Whole milliseconds, as event times are read.
    at: "date_trunc('milliseconds', recorded_at)",
  },
  keysOf: (e) => [e.position],
  apply(_row, e) {
    const m = e.metadata ?? { actor: 'unknown', correlationId: '' };
    return {
      position: e.position, stream: e.stream, type: e.type, actor: m.actor, correlation_id: m.correlationId,
      causation_id: m.causationId ?? null, request_id: m.requestId ?? null, trace_id: m.traceparent?.split('-')[1] ?? null,
      at: e.recordedAt.toISOString(),
    };
  },
};

export interface AuditFilter {
  actor?: string; from?: string; to?: string; type?: string; stream?: string; correlationId?: string;
  limit: number; offset: number;
}

/**
 * A page of the audit trail, oldest first, with the number of rows that match.
 *
 * @example
 * const { total, items } = await listAudit(db, { actor: 'admin:ops', limit: 50, offset: 0 });
 */
export async function listAudit(db: pg.Pool, q: AuditFilter): Promise<{ total: number; items: Record<string, unknown>[] }> {
  const { rows } = await db.query(
    `SELECT position, stream, type, actor, correlation_id AS "correlationId", causation_id AS "causationId",
            request_id AS "requestId", trace_id AS "traceId", at, count(*) OVER () AS total
     FROM rm_audit
     WHERE ($1::text IS NULL OR actor = $1) AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
       AND ($4::text IS NULL OR type = $4) AND ($5::text IS NULL OR stream = $5) AND ($6::text IS NULL OR correlation_id = $6)
     ORDER BY position LIMIT $7 OFFSET $8`,
    [q.actor ?? null, q.from ?? null, q.to ?? null, q.type ?? null, q.stream ?? null, q.correlationId ?? null, q.limit, q.offset],
  );
  return { total: Number(rows[0]?.total ?? 0), items: rows.map(({ total: _t, ...r }) => r) };
}
