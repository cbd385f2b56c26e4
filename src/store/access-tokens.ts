import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type pg from 'pg';
import { deriveKey } from './secrets.ts';

/** The key ids access tokens are signed with; each key is derived from the master key and its id, so no key is stored. */
export const accessKeysSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS access_token_keys (
  kid text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  retired_at timestamptz
);
`;

/** What an access token says: the user, its role, the sign-in (refresh family) and when it was issued (ms). */
export interface AccessClaims {
  sub: string;
  role: string;
  sid: string;
  /** Issued at, in ms: tokens issued before the user's session epoch are over. */
  ses: number;
}

/** How often a node reads the key ring again (a rotation reaches every node within it). */
const RING_REFRESH_MS = 5000;

/**
 * Short-lived JWT access tokens (HS256, `kid` in the header). `rotate` adds a key that
 * new tokens are signed with; tokens signed with older keys stay valid until their key is
 * retired, so a rotation logs nobody out.
 *
 * @example
 * const token = await keys.sign({ sub: userId, role: 'member', sid, ses: Date.now() }, 900);
 * await keys.verify(token) // → { sub, role, sid, ses, … }
 */
export class AccessTokens {
  private ring?: { at: number; kids: string[] };

  constructor(private readonly pool: pg.Pool, private readonly masterKey: Buffer) {}

  private keyOf(kid: string): Buffer {
    return deriveKey(this.masterKey, `access-token:${kid}`);
  }

  /** The live key ids, newest first; makes the first one when there is none. */
  private async kids(): Promise<string[]> {
    if (this.ring && performance.now() - this.ring.at < RING_REFRESH_MS) return this.ring.kids;
    let { rows } = await this.pool.query<{ kid: string }>('SELECT kid FROM access_token_keys WHERE retired_at IS NULL ORDER BY created_at DESC');
    if (!rows.length) {
      await this.pool.query('INSERT INTO access_token_keys (kid) VALUES ($1) ON CONFLICT DO NOTHING', [randomBytes(6).toString('hex')]);
      ({ rows } = await this.pool.query<{ kid: string }>('SELECT kid FROM access_token_keys WHERE retired_at IS NULL ORDER BY created_at DESC'));
    }
    this.ring = { at: performance.now(), kids: rows.map((r) => r.kid) };
    return this.ring.kids;
  }

  /** Adds a key; new tokens are signed with it from now on (on other nodes within `RING_REFRESH_MS`). */
  async rotate(): Promise<string> {
    const kid = randomBytes(6).toString('hex');
    await this.pool.query('INSERT INTO access_token_keys (kid) VALUES ($1)', [kid]);
    this.ring = undefined;
    return kid;
  }

  /** Retires a key: tokens signed with it stop verifying. */
  async retire(kid: string): Promise<void> {
    await this.pool.query('UPDATE access_token_keys SET retired_at = now() WHERE kid = $1', [kid]);
    this.ring = undefined;
  }

  async sign(claims: AccessClaims, ttlSeconds: number): Promise<string> {
    const [kid] = await this.kids();
    return jwt.sign(claims, this.keyOf(kid!), { algorithm: 'HS256', expiresIn: ttlSeconds, keyid: kid, issuer: 'roster', audience: 'roster' });
  }

  /** The claims of a valid token (signature by a live key, not expired); undefined otherwise. */
  async verify(token: string): Promise<(AccessClaims & { exp: number }) | undefined> {
    const kid = jwt.decode(token, { complete: true })?.header.kid;
    if (!kid || !(await this.kids()).includes(kid)) return undefined;
    try {
      const claims = jwt.verify(token, this.keyOf(kid), { algorithms: ['HS256'], issuer: 'roster', audience: 'roster' });
      return typeof claims === 'object' && typeof claims.sub === 'string' ? claims as AccessClaims & { exp: number } : undefined;
    } catch {
      return undefined;
    }
  }
}
