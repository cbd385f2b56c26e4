import type pg from 'pg';
import { DomainError } from '../domain/errors.ts';

export interface IdentityRow {
  identity_id: string; pool_id: string; email: string; fields: string[]; imported_at: Date; registered: boolean;
}

/** A page of a pool's identities, each marked registered when an account exists for it in the pool. */
export async function listIdentities(
  db: pg.Pool, q: { poolId: string; registered?: boolean; limit: number; offset: number },
): Promise<{ items: IdentityRow[]; total: number }> {
  const where = 'i.pool_id = $1 AND ($2::boolean IS NULL OR (a.account_id IS NOT NULL) = $2)';
  const from = 'FROM rm_identities i LEFT JOIN rm_accounts a ON a.account_id = i.identity_id';
  const params = [q.poolId, q.registered ?? null];
  const [items, count] = await Promise.all([
    db.query<IdentityRow>(
      `SELECT i.*, a.account_id IS NOT NULL AS registered ${from} WHERE ${where} ORDER BY i.imported_at, i.email LIMIT $3 OFFSET $4`,
      [...params, q.limit, q.offset],
    ),
    db.query<{ n: string }>(`SELECT count(*) AS n ${from} WHERE ${where}`, params),
  ]);
  return { items: items.rows, total: Number(count.rows[0]!.n) };
}

export interface JobRow {
  job_id: string; pool_id: string; provider_id: string; status: 'running' | 'paused' | 'stopped' | 'completed'; config: Record<string, unknown>; stalled: boolean;
  succeeded: number; failed: number; retrying: number; attempts: number; started_at: Date; updated_at: Date; ended_at: Date | null;
  node_id: string | null; heartbeat_at: Date | null;
}

const JOB_SELECT = 'SELECT j.*, o.node_id, o.heartbeat_at FROM rm_jobs j LEFT JOIN registration_owners o USING (job_id)';

/** One job with its counters and its supervisor's last heartbeat; `job_not_found` when unknown. */
export async function getJob(db: pg.Pool, jobId: string): Promise<JobRow> {
  const { rows } = await db.query<JobRow>(`${JOB_SELECT} WHERE j.job_id = $1`, [jobId]);
  if (!rows[0]) throw new DomainError('job_not_found', `job ${jobId} does not exist`);
  return rows[0];
}

/** A pool's jobs, newest first. */
export async function listJobs(db: pg.Pool, poolId: string, limit: number): Promise<JobRow[]> {
  return (await db.query<JobRow>(`${JOB_SELECT} WHERE j.pool_id = $1 ORDER BY j.started_at DESC LIMIT $2`, [poolId, limit])).rows;
}

export interface AttemptRow {
  seq: number; identity_id: string; email: string; attempt: number; outcome: 'succeeded' | 'retrying' | 'failed'; step: string; duration_ms: number;
  error: string | null; retry_at: Date | null; at: Date;
}

/** A job's run log in order, after `after` (a `seq`). */
export async function listAttempts(db: pg.Pool, jobId: string, after: number, limit: number): Promise<AttemptRow[]> {
  return (await db.query<AttemptRow>(
    'SELECT * FROM rm_job_attempts WHERE job_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [jobId, after, limit],
  )).rows;
}

export interface UsageRow {
  model: string; day: string; units: number; requests: number; rate_limited: number; failures: number;
}

/** An account's usage per model and day, newest day first. */
export async function accountUsage(db: pg.Pool, accountId: string, days: number): Promise<UsageRow[]> {
  return (await db.query<UsageRow>(
    `SELECT model, to_char(day, 'YYYY-MM-DD') AS day, units, requests, rate_limited, failures FROM rm_usage
     WHERE account_id = $1 ORDER BY day DESC, model LIMIT $2`, [accountId, days * 50],
  )).rows;
}

/** The pool of a registration job; undefined when the job is not known (yet). */
export async function poolOfJob(db: pg.Pool, jobId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ pool_id: string }>('SELECT pool_id FROM rm_jobs WHERE job_id = $1', [jobId]);
  return rows[0]?.pool_id;
}

/**
 * What the running and paused jobs of a pool, on every node, have still to register: the
 * sum of their limits left, and whether one of them has no limit (it registers every
 * identity left).
 */
export async function jobsRegistering(db: pg.Pool, poolId: string): Promise<{ left: number; unlimited: boolean }> {
  const { rows } = await db.query<{ left: string; unlimited: boolean }>(
    `SELECT coalesce(sum(greatest((config->>'limit')::int - succeeded - failed, 0)), 0) AS left,
            coalesce(bool_or(config->>'limit' IS NULL), false) AS unlimited
     FROM rm_jobs WHERE pool_id = $1 AND status IN ('running', 'paused')`, [poolId],
  );
  return { left: Number(rows[0]!.left), unlimited: rows[0]!.unlimited };
}

/** How many identities of a pool have no account yet. */
export async function countUnregistered(db: pg.Pool, poolId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM rm_identities i LEFT JOIN rm_accounts a ON a.account_id = i.identity_id
     WHERE i.pool_id = $1 AND a.account_id IS NULL`, [poolId],
  );
  return Number(rows[0]!.n);
}

/**
 * Identities of a pool with no account yet, oldest first, leaving out `tried`; with
 * `importedBy`, only those imported by then.
 */
export async function unregisteredIdentities(
  db: pg.Pool, poolId: string, options: { tried: string[]; limit: number; importedBy: string | null },
): Promise<Array<{ identity_id: string; email: string }>> {
  const { rows } = await db.query<{ identity_id: string; email: string }>(
    `SELECT i.identity_id, i.email FROM rm_identities i LEFT JOIN rm_accounts a ON a.account_id = i.identity_id
     WHERE i.pool_id = $1 AND a.account_id IS NULL AND NOT (i.identity_id = ANY($2::uuid[]))
       AND ($4::timestamptz IS NULL OR i.imported_at <= $4)
     ORDER BY i.imported_at, i.email LIMIT $3`,
    [poolId, options.tried, options.limit, options.importedBy],
  );
  return rows;
}

/** An identity's email; undefined when the identity is not known (yet). */
export async function identityEmail(db: pg.Pool, identityId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ email: string }>('SELECT email FROM rm_identities WHERE identity_id = $1', [identityId]);
  return rows[0]?.email;
}

/** The jobs the log says are running or paused (a node should supervise them). */
export async function liveJobIds(db: pg.Pool | pg.PoolClient): Promise<string[]> {
  const { rows } = await db.query<{ job_id: string }>(`SELECT job_id FROM rm_jobs WHERE status IN ('running', 'paused')`);
  return rows.map((r) => r.job_id);
}
