import type pg from 'pg';
import { apiKeyEvents } from '../domain/api-key.ts';
import { userEvents } from '../domain/user.ts';
import type { Row, RowProjection } from './projection.ts';

/** `rm_users`: one row per user, for admins' lists; no secret (the log holds none). */
export const usersProjection: RowProjection = {
  name: 'users',
  table: 'rm_users',
  key: 'user_id',
  keyType: 'uuid',
  columns: ['user_id', 'email', 'role', 'status', 'verified', 'limits', 'created_at', 'updated_at'],
  streamPrefixes: ['user-'],
  keysOf: (e) => (userEvents.has(e) ? [e.data.userId] : []),
  apply(row, e, userId) {
    if (!userEvents.has(e)) return row;
    const at = e.data.at;
    if (e.type === 'UserRegistered') {
      const { email, role, verified } = e.data;
      return { user_id: userId, email, role, status: 'active', verified, limits: {}, created_at: at, updated_at: at };
    }
    if (!row) return row;
    const changed = (fields: Row) => ({ ...row, ...fields, updated_at: at });
    switch (e.type) {
      case 'UserEmailVerified': return changed({ verified: true });
      case 'UserRoleChanged': return changed({ role: e.data.role });
      case 'UserDisabled': return changed({ status: 'disabled' });
      case 'UserEnabled': return changed({ status: 'active' });
      case 'UserLimitsChanged': return changed({ limits: e.data.limits });
      default: return row;
    }
  },
};

/** `rm_api_keys`: one row per key (its prefix, never its secret), for admins' lists and the console. */
export const apiKeysProjection: RowProjection = {
  name: 'api_keys',
  table: 'rm_api_keys',
  key: 'key_id',
  keyType: 'uuid',
  columns: ['key_id', 'user_id', 'name', 'prefix', 'status', 'scopes', 'limits', 'expires_at', 'created_at', 'updated_at'],
  streamPrefixes: ['apikey-'],
  keysOf: (e) => (apiKeyEvents.has(e) ? [e.data.keyId] : []),
  apply(row, e, keyId) {
    if (!apiKeyEvents.has(e)) return row;
    const at = e.data.at;
    if (e.type === 'ApiKeyCreated') {
      const { userId, name, prefix, scopes, limits, expiresAt } = e.data;
      return { key_id: keyId, user_id: userId, name, prefix, status: 'active', scopes, limits, expires_at: expiresAt, created_at: at, updated_at: at };
    }
    if (!row) return row;
    switch (e.type) {
      case 'ApiKeyRotated': return { ...row, prefix: e.data.prefix, updated_at: at };
      case 'ApiKeyChanged': {
        const { name, scopes, limits, expiresAt } = e.data;
        return { ...row, name, scopes, limits, expires_at: expiresAt, updated_at: at };
      }
      case 'ApiKeyRevoked': return { ...row, status: 'revoked', updated_at: at };
      default: return row;
    }
  },
};

export interface UserRow {
  userId: string;
  email: string;
  role: string;
  status: string;
  verified: boolean;
  limits: Record<string, unknown>;
  createdAt: string;
}

/**
 * Users for an admin, by email, a page at a time (`after`: the last email of the page before).
 *
 * @example
 * const { items, next } = await listUsers(db, { role: 'operator', limit: 50 });
 */
export async function listUsers(
  db: pg.Pool, q: { role?: string; status?: string; search?: string; keyPrefix?: string; after?: string; limit: number },
): Promise<{ items: UserRow[]; next: string | null }> {
  const { rows } = await db.query<{ user_id: string; email: string; role: string; status: string; verified: boolean; limits: Record<string, unknown>; created_at: Date }>(
    `SELECT user_id, email, role, status, verified, limits, created_at FROM rm_users
     WHERE ($1::text IS NULL OR role = $1) AND ($2::text IS NULL OR status = $2)
       AND ($3::text IS NULL OR strpos(email, lower($3)) > 0) AND ($4::text IS NULL OR email > $4)
       AND ($6::text IS NULL OR user_id IN (SELECT user_id FROM rm_api_keys WHERE prefix = $6))
     ORDER BY email LIMIT $5`,
    [q.role ?? null, q.status ?? null, q.search ?? null, q.after ?? null, q.limit + 1, q.keyPrefix ?? null],
  );
  const items = rows.slice(0, q.limit).map((r) => ({
    userId: r.user_id, email: r.email, role: r.role, status: r.status, verified: r.verified, limits: r.limits, createdAt: r.created_at.toISOString(),
  }));
  return { items, next: rows.length > q.limit ? items[items.length - 1]!.email : null };
}
