import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { deriveKey, digestOf as hash, open, seal } from './secrets.ts';

/**
 * Refresh tokens, stored hashed, in families (one per sign-in). A rotated token keeps its
 * successor sealed for the grace window, so that concurrent refreshes of one token get
 * the same successor.
 */
export const refreshTokensSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS refresh_families (
  family_id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  revoked_reason text
);
CREATE INDEX IF NOT EXISTS refresh_families_user ON refresh_families (user_id) WHERE revoked_at IS NULL;
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash text PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES refresh_families ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  rotated_at timestamptz,
  successor bytea
);
CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens (family_id);
`;

/** What a refresh came to: a (new or, within the grace window, the same) successor, or why not. */
export type Rotation =
  | { outcome: 'rotated'; token: string; familyId: string; userId: string; expiresAt: Date }
  | { outcome: 'invalid' }
  /** A token rotated before the grace window was used again: its whole family is revoked (RFC 9700 §4.14.2). */
  | { outcome: 'reused'; familyId: string; userId: string };

const newToken = () => `rt_${randomBytes(32).toString('base64url')}`;

/**
 * Revokes every refresh family of a user; needs no key (the CLI's `users disable` runs
 * without the master key). Returns how many were live.
 *
 * @example
 * await revokeFamiliesOf(pool, userId, 'disabled') // → 2
 */
export async function revokeFamiliesOf(pool: pg.Pool, userId: string, reason: string): Promise<number> {
  const { rowCount } = await pool.query(
    'UPDATE refresh_families SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL', [userId, reason],
  );
  return rowCount ?? 0;
}

/**
 * Refresh token families on PostgreSQL.
 *
 * @example
 * const { token } = await tokens.start(userId);
 * const next = await tokens.rotate(token); // { outcome: 'rotated', token: … }
 */
export class RefreshTokens {
  private readonly key: Buffer;

  constructor(
    private readonly pool: pg.Pool, masterKey: Buffer,
    private readonly options: { ttlMs: number; graceMs: number } = { ttlMs: 30 * 86_400_000, graceMs: 10_000 },
  ) {
    this.key = deriveKey(masterKey, 'refresh-successor');
  }

  /** A new family (a sign-in) and its first token. */
  async start(userId: string): Promise<{ token: string; familyId: string; expiresAt: Date }> {
    const familyId = randomUUID();
    const token = newToken();
    const expiresAt = new Date(Date.now() + this.options.ttlMs);
    await this.pool.query(
      `WITH f AS (INSERT INTO refresh_families (family_id, user_id) VALUES ($1, $2) RETURNING family_id)
       INSERT INTO refresh_tokens (token_hash, family_id, expires_at) SELECT $3, family_id, $4 FROM f`,
      [familyId, userId, hash(token), expiresAt],
    );
    return { token, familyId, expiresAt };
  }

  /**
   * Exchanges a token for its successor. The token's row is locked, so concurrent refreshes
   * of one token line up: the first rotates it, the others (within `graceMs`) get the same
   * successor; after the grace window a rotated token is a reuse and revokes the family.
   */
  async rotate(token: string): Promise<Rotation> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{
        family_id: string; user_id: string; expires_at: Date; rotated_at: Date | null; successor: Buffer | null; revoked_at: Date | null; grace: boolean;
      }>(
        `SELECT t.family_id, f.user_id, t.expires_at, t.rotated_at, t.successor, f.revoked_at,
                t.rotated_at > now() - make_interval(secs => $2::double precision / 1000) AS grace
         FROM refresh_tokens t JOIN refresh_families f USING (family_id) WHERE t.token_hash = $1 FOR UPDATE`,
        [hash(token), this.options.graceMs],
      );
      const row = rows[0];
      let result: Rotation;
      if (!row || row.revoked_at || row.expires_at.getTime() <= Date.now()) result = { outcome: 'invalid' };
      else if (row.rotated_at && row.grace && row.successor) {
        const successor = open(this.key, row.successor, row.family_id).toString();
        const { rows: next } = await client.query<{ expires_at: Date }>('SELECT expires_at FROM refresh_tokens WHERE token_hash = $1', [hash(successor)]);
        result = { outcome: 'rotated', token: successor, familyId: row.family_id, userId: row.user_id, expiresAt: next[0]!.expires_at };
      } else if (row.rotated_at) {
        await client.query("UPDATE refresh_families SET revoked_at = now(), revoked_reason = 'reuse' WHERE family_id = $1", [row.family_id]);
        result = { outcome: 'reused', familyId: row.family_id, userId: row.user_id };
      } else {
        const successor = newToken();
        const expiresAt = new Date(Date.now() + this.options.ttlMs);
        await client.query('INSERT INTO refresh_tokens (token_hash, family_id, expires_at) VALUES ($1, $2, $3)', [hash(successor), row.family_id, expiresAt]);
        await client.query('UPDATE refresh_tokens SET rotated_at = now(), successor = $2 WHERE token_hash = $1', [hash(token), seal(this.key, Buffer.from(successor), row.family_id)]);
        result = { outcome: 'rotated', token: successor, familyId: row.family_id, userId: row.user_id, expiresAt };
      }
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Revokes the family a token belongs to (logout); the user it belonged to, or undefined when the token is unknown. */
  async revokeFamilyOf(token: string, reason = 'logout'): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      `UPDATE refresh_families f SET revoked_at = coalesce(f.revoked_at, now()), revoked_reason = coalesce(f.revoked_reason, $2)
       FROM refresh_tokens t WHERE t.token_hash = $1 AND t.family_id = f.family_id RETURNING f.user_id`,
      [hash(token), reason],
    );
    return rows[0]?.user_id;
  }

  /** Revokes every family of a user (logout everywhere); returns how many were live. */
  async revokeUser(userId: string, reason = 'logout_all'): Promise<number> {
    return revokeFamiliesOf(this.pool, userId, reason);
  }

  /** Families of a user and whether each is live (for tests and the console). */
  async families(userId: string): Promise<Array<{ familyId: string; revokedReason: string | null; tokens: number }>> {
    const { rows } = await this.pool.query<{ family_id: string; revoked_reason: string | null; tokens: string }>(
      `SELECT f.family_id, f.revoked_reason, count(t.token_hash) AS tokens FROM refresh_families f LEFT JOIN refresh_tokens t USING (family_id)
       WHERE f.user_id = $1 GROUP BY f.family_id ORDER BY f.created_at`, [userId],
    );
    return rows.map((r) => ({ familyId: r.family_id, revokedReason: r.revoked_reason, tokens: Number(r.tokens) }));
  }
}
