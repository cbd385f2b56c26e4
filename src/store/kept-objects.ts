import type pg from 'pg';
import type { KeptKind } from '../domain/kept.ts';

/**
 * Which account made each object an upstream keeps: responses (OpenAI's Responses API
 * stores them unless asked not to), files, batches, vector stores, fine-tuning jobs,
 * conversations, containers, assistants, threads, runs and Anthropic's message batches. A
 * request continuing, reading or naming one (`previous_response_id`,
 * `GET /v1/files/{id}/content`, a batch's `input_file_id`) must reach the same account,
 * whose upstream alone knows it; and only the Roster user who made it may (the account is
 * shared by many). All kinds but responses keep the object as the upstream last showed it,
 * to list a user's own without asking upstreams (whose lists would show every user of a
 * shared account). Objects whose tokens come after they are made (batches, runs,
 * background responses) also keep the key that made them and whether, and when, their
 * tokens were counted.
 *
 * A table of its own (named for its first kind): a routing fact, not a change of any
 * account, so not an event. Responses and runs are forgotten after the upstream's 30 days;
 * the others when deleted; batches and fine-tuning jobs are kept.
 */
export const keptObjectsSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS gateway_response_owners (
  response_id text PRIMARY KEY,
  account_id text NOT NULL,
  pool_id text NOT NULL,
  model text NOT NULL,
  user_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS gateway_response_owners_created ON gateway_response_owners (created_at);
ALTER TABLE gateway_response_owners ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'response';
ALTER TABLE gateway_response_owners ADD COLUMN IF NOT EXISTS object jsonb;
ALTER TABLE gateway_response_owners ADD COLUMN IF NOT EXISTS late_usage_counted_at timestamptz;
ALTER TABLE gateway_response_owners ADD COLUMN IF NOT EXISTS key_id text;
ALTER TABLE gateway_response_owners ADD COLUMN IF NOT EXISTS late_usage_pending boolean NOT NULL DEFAULT false;
ALTER TABLE gateway_response_owners ADD COLUMN IF NOT EXISTS late_usage_checked_at timestamptz;
CREATE INDEX IF NOT EXISTS gateway_response_owners_late ON gateway_response_owners (created_at) WHERE late_usage_pending AND late_usage_counted_at IS NULL;
CREATE INDEX IF NOT EXISTS gateway_response_owners_listed ON gateway_response_owners (user_id, kind, created_at, response_id) WHERE object IS NOT NULL;
`;

/** How long upstreams keep responses (OpenAI: 30 days), and their owners are remembered. */
export const RESPONSE_RETENTION_MS = 30 * 86_400_000;
/** The kinds forgotten after that: responses, runs, and uploads (which last an hour upstream; a completed one's file is kept apart). */
const FORGOTTEN: readonly KeptKind[] = ['response', 'thread.run', 'upload'];

/** The account an object was made through, the model (route) it was asked of, and the Roster user (and key) who asked. */
export interface KeptOwner {
  accountId: string;
  poolId: string;
  model: string;
  userId: string;
  /** The key that made it (objects remembered before keys were kept have none). */
  keyId?: string;
}

/** An object whose tokens come after it was made, not yet counted: to be read at its account. */
export interface DueObject {
  id: string;
  kind: KeptKind;
  owner: KeptOwner;
  object?: Record<string, unknown>;
}

/** Which of a user's kept objects a list shows: the models and pools a key may use (null: any), a page after an id. */
export interface KeptQuery {
  userId: string;
  kind: KeptKind;
  models: readonly string[] | null;
  pools: readonly string[] | null;
  /** Only objects whose `purpose` is this (files). */
  purpose?: string;
  /** Newest first (the default), or oldest. */
  order: 'asc' | 'desc';
  /** The page after this object's id. */
  after?: string;
  /** Only these objects (Anthropic's Files API lists by `ids`). */
  ids?: readonly string[];
  limit: number;
}

/** Where the owners of kept objects are kept. */
export interface KeptObjects {
  /**
   * Remembers an object's owner (the first one stays) and, when given, the object as its
   * upstream showed it (to its owner only); `late`: its tokens are counted once it has finished.
   */
  remember(id: string, kind: KeptKind, owner: KeptOwner, object?: object, late?: boolean): Promise<void>;
  find(id: string): Promise<KeptOwner | undefined>;
  /** The object as its upstream last showed it, when it was kept (all kinds but responses). */
  shown(id: string): Promise<Record<string, unknown> | undefined>;
  /** Forgets an object (deleted at its upstream). */
  forget(id: string): Promise<void>;
  /**
   * Claims the counting of the tokens of an object whose tokens come after it was made:
   * true the first time for a remembered object (on any node), false ever after.
   */
  claimLateUsage(id: string): Promise<boolean>;
  /**
   * Up to `limit` objects whose tokens are not counted yet, made between `since` and
   * `before` and not looked at since `before`, oldest first; marked looked at `now` (each
   * node takes others than another node takes).
   */
  dueLateUsage(before: Date, since: Date, limit: number, now?: Date): Promise<DueObject[]>;
  /** A page of a user's objects of one kind, as their upstream last showed them (those it showed). */
  list(query: KeptQuery): Promise<object[]>;
  /** Forgets responses, runs and uploads made before `before`; answers how many. */
  prune(before: Date): Promise<number>;
}

/** The owner columns of a row of `gateway_response_owners`. */
interface OwnerRow { account_id: string; pool_id: string; model: string; user_id: string; key_id: string | null }
const ownerOf = (r: OwnerRow): KeptOwner => ({ accountId: r.account_id, poolId: r.pool_id, model: r.model, userId: r.user_id, ...(r.key_id ? { keyId: r.key_id } : {}) });

/** Whether PostgreSQL's text can hold an id: not one with a NUL (which no kept object's id has). */
const storable = (id: string) => !id.includes('\u0000');

/**
 * @example
 * await kept.remember('resp_1', 'response', { accountId, poolId: 'openai', model: 'gpt-small', userId });
 * (await kept.find('resp_1'))?.accountId // → accountId
 */
export class PgKeptObjects implements KeptObjects {
  constructor(private readonly pool: pg.Pool) {}

  async remember(id: string, kind: KeptKind, owner: KeptOwner, object?: object, late = false): Promise<void> {
    await this.pool.query(
      `INSERT INTO gateway_response_owners (response_id, kind, account_id, pool_id, model, user_id, object, key_id, late_usage_pending) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (response_id) DO UPDATE SET object = EXCLUDED.object
       WHERE EXCLUDED.object IS NOT NULL AND gateway_response_owners.user_id = EXCLUDED.user_id`,
      [id, kind, owner.accountId, owner.poolId, owner.model, owner.userId, object === undefined ? null : JSON.stringify(object), owner.keyId ?? null, late],
    );
  }

  async find(id: string): Promise<KeptOwner | undefined> {
    if (!storable(id)) return undefined;
    const { rows } = await this.pool.query<OwnerRow>('SELECT account_id, pool_id, model, user_id, key_id FROM gateway_response_owners WHERE response_id = $1', [id]);
    return rows[0] && ownerOf(rows[0]);
  }

  async shown(id: string): Promise<Record<string, unknown> | undefined> {
    if (!storable(id)) return undefined;
    const { rows } = await this.pool.query<{ object: Record<string, unknown> | null }>('SELECT object FROM gateway_response_owners WHERE response_id = $1', [id]);
    return rows[0]?.object ?? undefined;
  }

  async dueLateUsage(before: Date, since: Date, limit: number, now = new Date()): Promise<DueObject[]> {
    const { rows } = await this.pool.query<OwnerRow & { response_id: string; kind: KeptKind; object: Record<string, unknown> | null }>(
      `UPDATE gateway_response_owners SET late_usage_checked_at = $4
       WHERE response_id IN (
         SELECT response_id FROM gateway_response_owners
         WHERE late_usage_pending AND late_usage_counted_at IS NULL AND created_at < $1 AND created_at > $2 AND (late_usage_checked_at IS NULL OR late_usage_checked_at < $1)
         ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING response_id, kind, account_id, pool_id, model, user_id, key_id, object`,
      [before, since, limit, now],
    );
    return rows.map((r) => ({
      id: r.response_id, kind: r.kind, owner: ownerOf(r),
      ...(r.object ? { object: r.object } : {}),
    }));
  }

  async forget(id: string): Promise<void> {
    if (!storable(id)) return;
    await this.pool.query('DELETE FROM gateway_response_owners WHERE response_id = $1', [id]);
  }

  async claimLateUsage(id: string): Promise<boolean> {
    if (!storable(id)) return false;
    const { rowCount } = await this.pool.query('UPDATE gateway_response_owners SET late_usage_counted_at = now() WHERE response_id = $1 AND late_usage_counted_at IS NULL', [id]);
    return rowCount === 1;
  }

  async list(q: KeptQuery): Promise<object[]> {
    if ((q.after !== undefined && !storable(q.after)) || (q.purpose !== undefined && !storable(q.purpose))) return [];
    const [cmp, dir] = q.order === 'asc' ? ['>', 'ASC'] : ['<', 'DESC'];
    const { rows } = await this.pool.query<{ object: object }>(
      `SELECT object FROM gateway_response_owners k
       WHERE user_id = $1 AND kind = $2 AND object IS NOT NULL
         AND ($3::text[] IS NULL OR model = ANY($3)) AND ($4::text[] IS NULL OR pool_id = ANY($4))
         AND ($5::text IS NULL OR object->>'purpose' = $5)
         AND ($6::text IS NULL OR (created_at, response_id) ${cmp} (SELECT created_at, response_id FROM gateway_response_owners WHERE response_id = $6 AND user_id = $1))
         AND ($8::text[] IS NULL OR response_id = ANY($8))
       ORDER BY created_at ${dir}, response_id ${dir} LIMIT $7`,
      [q.userId, q.kind, q.models, q.pools, q.purpose ?? null, q.after ?? null, q.limit, q.ids?.filter(storable) ?? null],
    );
    return rows.map((r) => r.object);
  }

  async prune(before: Date): Promise<number> {
    return (await this.pool.query('DELETE FROM gateway_response_owners WHERE kind = ANY($2) AND created_at < $1', [before, FORGOTTEN])).rowCount ?? 0;
  }
}

/** In memory, for one process (unit tests). */
export class MemoryKeptObjects implements KeptObjects {
  private readonly kept = new Map<string, KeptOwner & { kind: KeptKind; at: number; seq: number; object?: object; late?: boolean; lateUsageCounted?: boolean; checkedAt?: number }>();
  private seq = 0;

  async remember(id: string, kind: KeptKind, owner: KeptOwner, object?: object, late = false): Promise<void> {
    const found = this.kept.get(id);
    if (!found) this.kept.set(id, { ...owner, kind, at: Date.now(), seq: this.seq++, late, ...(object ? { object } : {}) });
    else if (object && found.userId === owner.userId) found.object = object;
  }

  async find(id: string): Promise<KeptOwner | undefined> {
    const found = this.kept.get(id);
    return found && { accountId: found.accountId, poolId: found.poolId, model: found.model, userId: found.userId, ...(found.keyId ? { keyId: found.keyId } : {}) };
  }

  async shown(id: string): Promise<Record<string, unknown> | undefined> {
    return this.kept.get(id)?.object as Record<string, unknown> | undefined;
  }

  async forget(id: string): Promise<void> {
    this.kept.delete(id);
  }

  async dueLateUsage(before: Date, since: Date, limit: number, now = new Date()): Promise<DueObject[]> {
    const due = [...this.kept.entries()]
      .filter(([, k]) => k.late && !k.lateUsageCounted && k.at < before.getTime() && k.at > since.getTime() && (k.checkedAt === undefined || k.checkedAt < before.getTime()))
      .slice(0, limit);
    for (const [, k] of due) k.checkedAt = now.getTime();
    return due.map(([id, k]) => ({
      id, kind: k.kind, owner: { accountId: k.accountId, poolId: k.poolId, model: k.model, userId: k.userId, ...(k.keyId ? { keyId: k.keyId } : {}) },
      ...(k.object ? { object: k.object as Record<string, unknown> } : {}),
    }));
  }

  async claimLateUsage(id: string): Promise<boolean> {
    const found = this.kept.get(id);
    if (!found || found.lateUsageCounted) return false;
    found.lateUsageCounted = true;
    return true;
  }

  async list(q: KeptQuery): Promise<object[]> {
    const mine = [...this.kept.entries()].filter(([id, k]) => k.userId === q.userId && k.kind === q.kind && k.object
      && (q.models === null || q.models.includes(k.model)) && (q.pools === null || q.pools.includes(k.poolId))
      && (q.purpose === undefined || (k.object as { purpose?: string }).purpose === q.purpose)
      && (q.ids === undefined || q.ids.includes(id)));
    if (q.order === 'desc') mine.reverse();
    const from = q.after === undefined ? 0 : mine.findIndex(([id]) => id === q.after) + 1;
    return (q.after !== undefined && from === 0 ? [] : mine.slice(from, from + q.limit)).map(([, k]) => k.object!);
  }

  async prune(before: Date): Promise<number> {
    let n = 0;
    for (const [id, k] of this.kept) if (FORGOTTEN.includes(k.kind) && k.at < before.getTime() && this.kept.delete(id)) n++;
    return n;
  }
}
