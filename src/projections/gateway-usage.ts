import type pg from 'pg';
import { gatewayEvents, usageRowKey, type UsageRow } from '../domain/gateway.ts';
import type { RecordedEvent } from '../store/port.ts';
import type { RowProjection } from './projection.ts';

/** The rows of one event by key, made once per event (a batch's keys are applied one by one). */
const rowsByKey = new WeakMap<RecordedEvent, Map<string, UsageRow>>();
function rowsOf(e: RecordedEvent): Map<string, UsageRow> {
  let rows = rowsByKey.get(e);
  if (!rows && gatewayEvents.has(e)) rowsByKey.set(e, (rows = new Map(e.data.rows.map((r) => [usageRowKey(r), r]))));
  return rows ?? new Map();
}

/** `rm_gateway_usage`: the gateway's usage summed per key, account, model and day. */
export const gatewayUsageProjection: RowProjection = {
  name: 'gateway_usage',
  table: 'rm_gateway_usage',
  key: 'usage_key',
  columns: [
    'usage_key', 'key_id', 'user_id', 'account_id', 'pool_id', 'model', 'day', 'requests', 'failures', 'input_tokens', 'output_tokens', 'estimated', 'spend',
    'rate_limited', 'timeouts', 'updated_at',
  ],
  streamPrefixes: ['gatewayusage-'],
  keysOf: (e) => [...rowsOf(e).keys()],
  apply(row, e, key) {
    const r = rowsOf(e).get(key);
    if (!r || !gatewayEvents.has(e)) return row;
    const n = (column: string) => Number(row?.[column] ?? 0);
    return {
      usage_key: key, key_id: r.keyId, user_id: r.userId, account_id: r.accountId, pool_id: r.poolId, model: r.model, day: r.day,
      requests: n('requests') + r.requests, failures: n('failures') + r.failures, input_tokens: n('input_tokens') + r.inputTokens,
      output_tokens: n('output_tokens') + r.outputTokens, estimated: n('estimated') + r.estimated, spend: n('spend') + r.spend,
      rate_limited: n('rate_limited') + (r.rateLimited ?? 0), timeouts: n('timeouts') + (r.timeouts ?? 0), updated_at: e.data.at,
    };
  },
};

export interface GatewayUsageTotal {
  keyId: string; userId: string; model: string; day: string;
  requests: number; failures: number; inputTokens: number; outputTokens: number; estimated: number; spend: number;
}

/**
 * Gateway usage summed per key, model and day, filtered.
 *
 * @example
 * await gatewayUsage(db, { userId, from: '2026-12-01' })
 */
export async function gatewayUsage(db: pg.Pool, q: { keyId?: string; userId?: string; model?: string; from?: string; to?: string }): Promise<GatewayUsageTotal[]> {
  const { rows } = await db.query<{ key_id: string; user_id: string; model: string; day: string; requests: string; failures: string; input_tokens: string; output_tokens: string; estimated: string; spend: number }>(
    `SELECT key_id, user_id, model, day, sum(requests) AS requests, sum(failures) AS failures, sum(input_tokens) AS input_tokens,
       sum(output_tokens) AS output_tokens, sum(estimated) AS estimated, sum(spend)::float8 AS spend
     FROM rm_gateway_usage
     WHERE ($1::text IS NULL OR key_id = $1) AND ($2::text IS NULL OR user_id = $2) AND ($3::text IS NULL OR model = $3)
       AND ($4::text IS NULL OR day >= $4) AND ($5::text IS NULL OR day <= $5)
     GROUP BY key_id, user_id, model, day ORDER BY day, key_id, model`,
    [q.keyId ?? null, q.userId ?? null, q.model ?? null, q.from ?? null, q.to ?? null],
  );
  return rows.map((r) => ({
    keyId: r.key_id, userId: r.user_id, model: r.model, day: r.day, requests: Number(r.requests), failures: Number(r.failures),
    inputTokens: Number(r.input_tokens), outputTokens: Number(r.output_tokens), estimated: Number(r.estimated), spend: r.spend,
  }));
}

/** Requests each account served well per model on a day, as of a position of the log. */
export interface AccountUse {
  rows: Array<{ accountId: string; model: string; requests: number }>;
  /** The usage read model's checkpoint: every usage event up to it is counted, none after. */
  position: string;
}

/**
 * Requests each account served well (not failed) per model on a usage day, over every
 * node's flushed usage: what gateway daily limits count. Read in one statement, so that the
 * rows are those of the checkpoint answered with them.
 *
 * @example
 * await accountUseOn(db, '2026-12-03') // → { rows: [{ accountId, model: 'small', requests: 12 }], position }
 */
export async function accountUseOn(db: pg.Pool, day: string): Promise<AccountUse> {
  const { rows } = await db.query<{ position: string | null; rows: Array<{ account_id: string; model: string; requests: string }> }>(
    `SELECT (SELECT position FROM projection_checkpoints WHERE name = $2) AS position,
       (SELECT coalesce(json_agg(u), '[]') FROM (
         SELECT account_id, model, sum(requests - failures)::text AS requests FROM rm_gateway_usage WHERE day = $1 GROUP BY account_id, model
       ) u) AS rows`,
    [day, gatewayUsageProjection.name],
  );
  const [row] = rows;
  return { position: row?.position ?? '', rows: (row?.rows ?? []).map((r) => ({ accountId: r.account_id, model: r.model, requests: Number(r.requests) })) };
}

/**
 * What one account answered the gateway for one model on one day: tries, failures, and of
 * the failures those answered 429 and those that timed out (the rest: 5xx, refused
 * connections and credentials, streams broken off).
 */
export interface UpstreamOutcome {
  poolId: string; accountId: string; login: string | null; model: string; day: string; tries: number; failures: number; rateLimited: number; timeouts: number;
}

/**
 * The gateway's tries of each account per model and day, and how many failed (429, 5xx,
 * timeouts, refused connections): the upstream error rates, worst first.
 *
 * @example
 * await upstreamOutcomes(db, { poolId: 'gw', from: '2026-12-01' }) // → [{ poolId, accountId, login, model, day, tries: 40, failures: 3, rateLimited: 2, timeouts: 0 }]
 */
export async function upstreamOutcomes(db: pg.Pool, q: { poolId?: string; model?: string; from?: string; to?: string; limit: number }): Promise<UpstreamOutcome[]> {
  const { rows } = await db.query<{ pool_id: string; account_id: string; login: string | null; model: string; day: string; tries: string; failures: string; rate_limited: string; timeouts: string }>(
    `SELECT u.pool_id, u.account_id, a.login, u.model, u.day, sum(u.requests) AS tries, sum(u.failures) AS failures,
       sum(u.rate_limited) AS rate_limited, sum(u.timeouts) AS timeouts
     FROM rm_gateway_usage u LEFT JOIN rm_accounts a ON a.account_id::text = u.account_id
     WHERE ($1::text IS NULL OR u.pool_id = $1) AND ($2::text IS NULL OR u.model = $2)
       AND ($3::text IS NULL OR u.day >= $3) AND ($4::text IS NULL OR u.day <= $4)
     GROUP BY u.pool_id, u.account_id, a.login, u.model, u.day
     ORDER BY u.day DESC, sum(u.failures)::float8 / NULLIF(sum(u.requests), 0) DESC NULLS LAST, sum(u.requests) DESC, a.login LIMIT $5`,
    [q.poolId ?? null, q.model ?? null, q.from ?? null, q.to ?? null, q.limit],
  );
  return rows.map((r) => ({
    poolId: r.pool_id, accountId: r.account_id, login: r.login, model: r.model, day: r.day, tries: Number(r.tries), failures: Number(r.failures),
    rateLimited: Number(r.rate_limited), timeouts: Number(r.timeouts),
  }));
}
