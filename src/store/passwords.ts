import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { digestOf as sha256 } from './secrets.ts';

/** Users' password hashes and the hashes of the codes mailed to them; never in the log. */
export const passwordsSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS user_passwords (
  user_id uuid PRIMARY KEY,
  hash text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS user_codes (
  code_hash text PRIMARY KEY,
  user_id uuid NOT NULL,
  code_id text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS user_codes_expires ON user_codes (expires_at);
`;

/**
 * Argon2id with OWASP's parameters for it (Password Storage Cheat Sheet: 19 MiB, two
 * passes, one lane), set here rather than left to the library's defaults.
 */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/**
 * Password hashes (argon2id) and single-use codes (stored as SHA-256 of 32 random bytes;
 * a code is shown once, in the mail that carries it).
 *
 * @example
 * await passwords.set(userId, 'correct horse battery staple');
 * await passwords.verify(userId, 'correct horse battery staple') // → true
 */
export class Passwords {
  /** A hash of a random password: checked against when a user has none, so that an unknown user costs the same time. */
  private readonly decoy: Promise<string> = argon2.hash(randomBytes(16).toString('hex'), ARGON2_OPTIONS);

  constructor(private readonly pool: pg.Pool) {}

  async set(userId: string, password: string): Promise<void> {
    const hash = await argon2.hash(password, ARGON2_OPTIONS);
    await this.pool.query(
      `INSERT INTO user_passwords (user_id, hash) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET hash = EXCLUDED.hash, updated_at = now()`, [userId, hash],
    );
  }

  /** Whether `password` is the user's; false when the user has none, after as long a check. */
  async verify(userId: string | undefined, password: string): Promise<boolean> {
    const { rows } = userId
      ? await this.pool.query<{ hash: string }>('SELECT hash FROM user_passwords WHERE user_id = $1', [userId])
      : { rows: [] };
    const hash = rows[0]?.hash;
    const ok = await argon2.verify(hash ?? await this.decoy, password).catch(() => false);
    return hash !== undefined && ok;
  }

  /** A new code for the user: the code to mail (shown once) and its id (recorded in the user's events). */
  async issueCode(userId: string, ttlMs: number): Promise<{ code: string; codeId: string; expiresAt: Date }> {
    const code = randomBytes(32).toString('base64url');
    const codeId = randomBytes(8).toString('hex');
    const expiresAt = new Date(Date.now() + ttlMs);
    await this.pool.query('DELETE FROM user_codes WHERE expires_at < now()');
    await this.pool.query('INSERT INTO user_codes (code_hash, user_id, code_id, expires_at) VALUES ($1, $2, $3, $4)', [sha256(code), userId, codeId, expiresAt]);
    return { code, codeId, expiresAt };
  }

  /** Whose code this is, if it is one; its use is decided by the user's stream (single use, expiry). */
  async findCode(code: string): Promise<{ userId: string; codeId: string } | undefined> {
    const { rows } = await this.pool.query<{ user_id: string; code_id: string }>(
      'SELECT user_id, code_id FROM user_codes WHERE code_hash = $1', [sha256(code)],
    );
    return rows[0] && { userId: rows[0].user_id, codeId: rows[0].code_id };
  }
}
