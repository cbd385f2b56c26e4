import type pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { DomainError, invalid } from '../domain/errors.ts';
import type { PoolConfig } from '../domain/pool.ts';
import type { Position } from '../store/port.ts';
import { readModels } from './read-models.ts';

export type HealthLevel = 'healthy' | 'low' | 'critical';

export interface PoolStatus {
  poolId: string;
  name: string;
  config: PoolConfig;
  counts: { total: number; available: number; leased: number; cooling: number; disabled: number; retired: number };
  activeSessions: number;
  health: HealthLevel;
}

/**
 * Waits, bounded, until every read model has reached `position` (a command's answer), so
 * that a client reads its own writes. Throws `projection_behind` when time runs out, and
 * (given the log's `head`) 400 at once for a position past it. `behind` is called at each
 * look that finds them short of it (`ReadModelWaits` wakes the runner so).
 *
 * @example
 * await waitForPosition(pool, res.position, 2000);
 */
export async function waitForPosition(
  pool: pg.Pool, position: Position | undefined, timeoutMs: number, head?: () => Promise<Position>, behind?: () => void,
): Promise<void> {
  if (!position) return;
  const deadline = Date.now() + timeoutMs;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    const { rows } = await pool.query<{ behind: string }>(
      `SELECT count(*) AS behind FROM unnest($2::text[]) AS p(name)
       LEFT JOIN projection_checkpoints c USING (name) WHERE coalesce(c.position, '') < $1`,
      [position, readModels.map((p) => p.name)],
    );
    if (rows[0]!.behind === '0') return;
    behind?.();
    // Not reached at once: a position past the log's head never will be.
    if (delay === 2 && head && position > (await head())) throw invalid([{ field: 'position', message: 'is past the end of the log' }]);
    if (Date.now() >= deadline) throw new DomainError('projection_behind', `read models have not reached ${position} yet`, [], 1);
    await sleep(delay);
  }
}

/** Health of a pool: `healthy` at or above its minimum, `low` below it, `critical` below the critical share or when nothing is free. */
export function healthOf(available: number, config: Pick<PoolConfig, 'minSize' | 'health'>): HealthLevel {
  if (available === 0) return 'critical';
  if (available >= config.minSize * config.health.lowRatio) return 'healthy';
  return available >= config.minSize * config.health.criticalRatio ? 'low' : 'critical';
}

interface PoolRow {
  pool_id: string; name: string; config: PoolConfig;
  total: string; available: string; leased: string; cooling: string; disabled: string; retired: string; active_sessions: string;
}

function toStatus(r: PoolRow): PoolStatus {
  const counts = {
    total: Number(r.total), available: Number(r.available), leased: Number(r.leased),
    cooling: Number(r.cooling), disabled: Number(r.disabled), retired: Number(r.retired),
  };
  return {
    poolId: r.pool_id, name: r.name, config: r.config, counts,
    activeSessions: Number(r.active_sessions), health: healthOf(counts.available, r.config),
  };
}

/**
 * Every pool with its counts and health, or one pool when `poolId` is given. The counts
 * that do not change with the time are kept per pool (`rm_pool_counts`, and the live
 * sessions in `rm_pool_sessions`); the accounts cooling down now are counted through their
 * index. So the cost follows the number of pools and of accounts cooling down, not the
 * number of accounts or sessions.
 */
export async function poolStatuses(pool: pg.Pool, poolId?: string): Promise<PoolStatus[]> {
  const { rows } = await pool.query<PoolRow>(
    `SELECT p.pool_id, p.name, p.config, coalesce(c.total, 0) AS total, coalesce(c.idle, 0) - cool.idle AS available,
       coalesce(c.leased, 0) AS leased, cool.cooling, coalesce(c.disabled, 0) AS disabled, coalesce(c.retired, 0) AS retired,
       coalesce(s.live, 0) AS active_sessions
     FROM rm_pools p LEFT JOIN rm_pool_counts c ON c.pool_id = p.pool_id LEFT JOIN rm_pool_sessions s ON s.pool_id = p.pool_id
     CROSS JOIN LATERAL (
       SELECT count(*) AS cooling, count(*) FILTER (WHERE a.session_id IS NULL) AS idle FROM rm_accounts a
        WHERE a.pool_id = p.pool_id AND ${STATUS_SQL.cooling}
     ) cool
     WHERE $1::text IS NULL OR p.pool_id = $1
     ORDER BY p.pool_id`,
    [poolId ?? null],
  );
  return rows.map(toStatus);
}

/** One pool's status; `pool_not_found` when it does not exist. */
export async function poolStatus(pool: pg.Pool, poolId: string): Promise<PoolStatus> {
  const [status] = await poolStatuses(pool, poolId);
  if (!status) throw new DomainError('pool_not_found', `pool ${poolId} does not exist`);
  return status;
}

export interface AccountRow {
  account_id: string; pool_id: string; login: string; status: 'active' | 'disabled' | 'retired'; disabled_reason: string | null;
  capabilities: string[]; region: string | null; cooldowns: { until: string; reason: string; model?: string }[];
  cooldown_until: Date | null; credentials_expires_at: Date | null; session_id: string | null; fence: number;
  leased_until: Date | null; use_count: number; last_used: Date | null; imported_at: Date; updated_at: Date;
  credentials_rotated_at: Date | null; credentials_version: number | null; credits: number | null; credits_checked_at: Date | null;
}

export interface AccountQuery {
  poolId?: string;
  status?: 'active' | 'disabled' | 'retired' | 'leased' | 'available' | 'cooling';
  search?: string;
  capability?: string;
  region?: string;
  /** Accounts that reached their pool's daily limit for this model on `day`: units their leases reported and requests the gateway served. */
  limitReached?: { model: string; day: string };
  limit: number;
  offset: number;
  /** Where the page starts: after this account in the listing's order (pool, login, id); `offset` is then 0. */
  after?: AccountCursor;
}

/** A place in the accounts listing's order. */
export interface AccountCursor { poolId: string; login: string; accountId: string }

/** The accounts listing's condition for each status, over `rm_accounts`' columns. */
export const STATUS_SQL: Record<NonNullable<AccountQuery['status']>, string> = {
  active: "status = 'active'",
  disabled: "status = 'disabled'",
  retired: "status = 'retired'",
  leased: 'session_id IS NOT NULL',
  available: "status = 'active' AND session_id IS NULL AND (cooldown_until IS NULL OR cooldown_until <= now())",
  cooling: "status = 'active' AND cooldown_until > now()",
};

/** Accounts whose use of `$model` on `$day` reached their pool's daily limit for it. */
const LIMIT_REACHED = (model: string, day: string) => `account_id IN (
  SELECT u.account_id FROM (
    SELECT account_id, units AS n FROM rm_usage WHERE model = ${model}::text AND day = ${day}::text::date
    UNION ALL SELECT account_id::uuid, (requests - failures)::float8 FROM rm_gateway_usage WHERE model = ${model}::text AND day = ${day}::text
  ) u JOIN rm_accounts x USING (account_id) JOIN rm_pools p ON p.pool_id = x.pool_id
  WHERE p.config->'dailyLimits' ? ${model}
  GROUP BY u.account_id HAVING sum(u.n) >= max((p.config->'dailyLimits'->>${model})::float8))`;

/**
 * A page of accounts matching the filters, in (pool, login, id) order, how many match in
 * all, and where the next page starts (none after the last page).
 *
 * @example
 * const first = await listAccounts(db, { poolId: 'web', limit: 200, offset: 0 });
 * const second = await listAccounts(db, { poolId: 'web', limit: 200, offset: 0, after: first.next });
 */
export async function listAccounts(pool: pg.Pool, q: AccountQuery): Promise<{ items: AccountRow[]; total: number; next?: AccountCursor }> {
  const params: unknown[] = [q.poolId ?? null, q.search?.replace(/[\\%_]/g, (c) => `\\${c}`) ?? null, q.capability ?? null, q.region ?? null];
  const where = [
    '($1::text IS NULL OR pool_id = $1)',
    "($2::text IS NULL OR login ILIKE '%' || $2 || '%')",
    '($3::text IS NULL OR $3 = ANY(capabilities))',
    '($4::text IS NULL OR region = $4)',
    q.status ? STATUS_SQL[q.status] : 'TRUE',
  ];
  if (q.limitReached) where.push(LIMIT_REACHED(`$${params.push(q.limitReached.model)}`, `$${params.push(q.limitReached.day)}`));
  const counted = [...params];
  const filter = where.join(' AND ');
  const page = q.after ? `${filter} AND (pool_id, login, account_id) > ($${params.push(q.after.poolId)}, $${params.push(q.after.login)}, $${params.push(q.after.accountId)}::uuid)` : filter;
  const byCounts = !q.search && !q.capability && !q.region && !q.limitReached;
  const [items, total] = await Promise.all([
    // One row more than the page: whether a next page exists.
    pool.query<AccountRow>(`SELECT * FROM rm_accounts WHERE ${page} ORDER BY pool_id, login, account_id LIMIT $${params.push(q.limit + 1)} OFFSET $${params.push(q.offset)}`, params),
    byCounts
      ? countByStatus(pool, q.poolId, q.status)
      : pool.query<{ n: string }>(`SELECT count(*) AS n FROM rm_accounts WHERE ${filter}`, counted).then(({ rows }) => Number(rows[0]!.n)),
  ]);
  const rows = items.rows.slice(0, q.limit);
  const end = rows.at(-1);
  return { items: rows, total, ...(end && items.rows.length > q.limit ? { next: { poolId: end.pool_id, login: end.login, accountId: end.account_id } } : {}) };
}

/**
 * How many accounts a listing filtered by pool and status only holds, from the pools'
 * counts (`poolStatuses`) rather than a count of the rows: the same number, in time
 * independent of the pools' size.
 */
async function countByStatus(pool: pg.Pool, poolId: string | undefined, status: AccountQuery['status']): Promise<number> {
  const of = ({ counts: c }: PoolStatus): number => {
    if (!status) return c.total + c.retired;
    return status === 'active' ? c.total - c.disabled : c[status];
  };
  return (await poolStatuses(pool, poolId)).reduce((sum, p) => sum + of(p), 0);
}

/** One account by id; `account_not_found` when unknown. */
export async function getAccount(pool: pg.Pool, accountId: string): Promise<AccountRow> {
  const { rows } = await pool.query<AccountRow>('SELECT * FROM rm_accounts WHERE account_id::text = $1', [accountId]);
  if (!rows[0]) throw new DomainError('account_not_found', `account ${accountId} does not exist`);
  return rows[0];
}

/** One account of a pool by its login (case-insensitive), or undefined. */
export async function findAccountByLogin(pool: pg.Pool, poolId: string, login: string): Promise<AccountRow | undefined> {
  const { rows } = await pool.query<AccountRow>('SELECT * FROM rm_accounts WHERE pool_id = $1 AND lower(login) = lower($2)', [poolId, login]);
  return rows[0];
}

export interface SessionRow {
  pool_id: string; session_id: string; holder: string; status: 'live' | 'released' | 'expired'; account_ids: string[]; fences: number[];
  expires_at: Date; allocated_at: Date; ended_at: Date | null;
}

/** What a session listing may filter by. */
export interface SessionQuery { poolId: string; status?: SessionRow['status']; holder?: string; limit: number; offset: number }

/**
 * A pool's sessions, newest first, each with its accounts' logins (in lease order).
 *
 * @example
 * const { items, total } = await listSessions(db, { poolId: 'default', status: 'live', limit: 50, offset: 0 });
 */
export async function listSessions(pool: pg.Pool, q: SessionQuery): Promise<{ items: Array<SessionRow & { logins: string[] }>; total: number }> {
  const where = ['s.pool_id = $1'];
  const args: unknown[] = [q.poolId];
  if (q.status) where.push(`s.status = $${args.push(q.status)}`);
  if (q.holder !== undefined) where.push(`s.holder = $${args.push(q.holder)}`);
  const filter = where.join(' AND ');
  const [page, count] = await Promise.all([
    pool.query<SessionRow & { logins: string[] }>(
      `SELECT s.*, ARRAY(SELECT a.login FROM unnest(s.account_ids) WITH ORDINALITY u(id, n) JOIN rm_accounts a ON a.account_id = u.id ORDER BY u.n) AS logins
         FROM rm_sessions s WHERE ${filter} ORDER BY s.allocated_at DESC, s.session_id LIMIT $${args.length + 1} OFFSET $${args.length + 2}`,
      [...args, q.limit, q.offset],
    ),
    pool.query<{ n: string }>(`SELECT count(*) AS n FROM rm_sessions s WHERE ${filter}`, args),
  ]);
  return { items: page.rows, total: Number(count.rows[0]!.n) };
}

/** One session of a pool; `session_not_found` when unknown. */
export async function getSession(pool: pg.Pool, poolId: string, sessionId: string): Promise<SessionRow> {
  const { rows } = await pool.query<SessionRow>('SELECT * FROM rm_sessions WHERE session_key = $1', [`${poolId}/${sessionId}`]);
  if (!rows[0]) throw new DomainError('session_not_found', `session ${sessionId} does not exist in pool ${poolId}`);
  return rows[0];
}
