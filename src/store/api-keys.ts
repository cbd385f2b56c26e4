import { randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { digestOf } from './secrets.ts';
import { KEY_PREFIX } from '../domain/api-key.ts';

/** API keys' hashes and owners; never in the log. */
export const apiKeysSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS api_key_secrets (
  key_id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  digest text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS api_key_secrets_user ON api_key_secrets (user_id, created_at);
`;

/** A key as its holder sends it: `rk_` + the key id (32 hex digits) + `_` + 32 random bytes (base64url). */
const KEY = /^rk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

const uuidOf = (hex: string) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/**
 * Whether a bearer token has the form of an API key.
 *
 * @example
 * isApiKey('rk_0123456789abcdef0123456789abcdef_' + 'x'.repeat(43)) // → true
 */
export const isApiKey = (token: string | undefined): token is string => token !== undefined && KEY.test(token);

/** The part of a key a list shows: `rk_` and the first 8 digits of its id. */
export const prefixOf = (keyId: string) => `rk_${keyId.replace(/-/g, '').slice(0, 8)}`;

/**
 * API keys' secrets: a key is made from its id and 32 random bytes, shown once, and kept as
 * its SHA-256 (a key has 256 bits of entropy, so a fast hash is enough).
 *
 * @example
 * const key = await keys.issue(keyId, userId); // 'rk_…', shown once
 * await keys.check(key) // → { keyId, userId }
 */
export class ApiKeySecrets {
  constructor(private readonly pool: pg.Pool) {}

  /** A new secret for the key (a rotation replaces the old one, which stops working at once). */
  async issue(keyId: string, userId: string): Promise<string> {
    const key = `rk_${keyId.replace(/-/g, '')}_${randomBytes(32).toString('base64url')}`;
    await this.pool.query(
      `INSERT INTO api_key_secrets (key_id, user_id, digest) VALUES ($1, $2, $3)
       ON CONFLICT (key_id) DO UPDATE SET digest = EXCLUDED.digest, updated_at = now()`,
      [keyId, userId, digestOf(key)],
    );
    return key;
  }

  /** The key and its owner if `key` is a current secret; else undefined. */
  async check(key: string): Promise<{ keyId: string; userId: string } | undefined> {
    const match = KEY.exec(key);
    if (!match) return undefined;
    const keyId = uuidOf(match[1]!);
    const { rows } = await this.pool.query<{ user_id: string; digest: string }>('SELECT user_id, digest FROM api_key_secrets WHERE key_id = $1', [keyId]);
    const row = rows[0];
    if (!row) return undefined;
    const [given, kept] = [Buffer.from(digestOf(key)), Buffer.from(row.digest)];
    return given.length === kept.length && timingSafeEqual(given, kept) ? { keyId, userId: row.user_id } : undefined;
  }

  /** The ids of a user's keys, oldest first. */
  async idsOf(userId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ key_id: string }>('SELECT key_id FROM api_key_secrets WHERE user_id = $1 ORDER BY created_at, key_id', [userId]);
    return rows.map((r) => r.key_id);
  }

  /**
   * The ids of the keys whose prefix is this (`rk_` and the first 8 hex digits of the id:
   * what lists and log lines show); more than one is rare but possible.
   *
   * @example
   * await keys.idsByPrefix('rk_0123abcd') // → ['0123abcd-…']
   */
  async idsByPrefix(prefix: string): Promise<string[]> {
    const hex = KEY_PREFIX.exec(prefix)?.[1];
    if (!hex) return [];
    const { rows } = await this.pool.query<{ key_id: string }>(
      'SELECT key_id FROM api_key_secrets WHERE key_id BETWEEN $1 AND $2 ORDER BY key_id', [`${hex}-0000-0000-0000-000000000000`, `${hex}-ffff-ffff-ffff-ffffffffffff`],
    );
    return rows.map((r) => r.key_id);
  }

  /** A revoked key's secret is forgotten (the key stays in its owner's list). */
  async forget(keyId: string): Promise<void> {
    await this.pool.query(`UPDATE api_key_secrets SET digest = '', updated_at = now() WHERE key_id = $1`, [keyId]);
  }
}
