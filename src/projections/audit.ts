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
