import type pg from 'pg';
import { ledgerEvents } from '../domain/ledger.ts';
import { poolIdOf, type Row, type RowProjection } from './projection.ts';

/** `rm_sessions`: one row per session of every pool, live or ended (until `pruneEndedSessions`). */
export const sessionsProjection: RowProjection = {
  name: 'sessions',
  table: 'rm_sessions',
  key: 'session_key',
  columns: ['session_key', 'pool_id', 'session_id', 'holder', 'status', 'account_ids', 'fences', 'expires_at', 'allocated_at', 'ended_at'],
  streamPrefixes: ['pool-'],
  afterSwap: 'SELECT roster_session_counts_reset()',
  keysOf: (e) => (ledgerEvents.has(e) ? [`${poolIdOf(e.stream)}/${e.data.sessionId}`] : []),
  apply(row, e, key) {
    switch (e.type) {
      case 'SessionAllocated': {
        const { sessionId, leases, holder, expiresAt, at } = e.data;
        return {
          session_key: key, pool_id: poolIdOf(e.stream), session_id: sessionId, holder, status: 'live',
          account_ids: leases.map((l) => l.accountId), fences: leases.map((l) => l.fence),
          expires_at: expiresAt, allocated_at: at, ended_at: null,
        };
      }
      case 'SessionRenewed':
        return row && { ...row, expires_at: e.data.expiresAt };
      case 'SessionReleased':
        return row && { ...row, status: 'released', ended_at: e.data.at };
      case 'SessionExpired':
        return row && { ...row, status: 'expired', ended_at: e.data.at };
      default:
        return row;
    }
  },
};

/**
 * Deletes at most `limit` sessions that ended (released or expired) before `before`; their
 * events stay in the log. Returns how many went. A session gets no event once ended, so
 * the runner never writes a deleted row again.
 *
 * @example
 * await pruneEndedSessions(db, new Date(Date.now() - 86_400_000), 10_000);
 */
export async function pruneEndedSessions(db: pg.Pool, before: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    // allocated_at < $1 follows from ended_at < $1; it lets the (pool_id, status, allocated_at) index find them.
    `DELETE FROM rm_sessions WHERE session_key IN (
       SELECT session_key FROM rm_sessions
       WHERE status IN ('released', 'expired') AND allocated_at < $1 AND ended_at < $1 LIMIT $2)`,
    [before.toISOString(), limit],
  );
  return rowCount ?? 0;
}

/**
 * For `rebuildAll`'s `keep`: leaves out the sessions that ended more than `retentionMs`
 * ago (what the scheduler's pruning would delete); every other row stays. `0` keeps all.
 *
 * @example
 * await rebuildAll(pool, store, readModels, { keep: sessionsToKeep(config.ROSTER_SESSION_RETENTION_MS) });
 */
export function sessionsToKeep(retentionMs: number, now = Date.now()): (projection: RowProjection, row: Row) => boolean {
  const cut = now - retentionMs;
  return (projection, row) => retentionMs === 0 || projection !== sessionsProjection || row.status === 'live'
    || !(Date.parse(String(row.ended_at)) < cut);
}
