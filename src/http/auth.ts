import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { DomainError } from '../domain/errors.ts';

export const authSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS admin_tokens (
  token_id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`;

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** `roster_<id>_<secret>`: the id names the actor in events; only the hash is stored. */
function newToken(): { id: string; token: string } {
  const id = randomBytes(4).toString('hex');
  return { id, token: `roster_${id}_${randomBytes(24).toString('base64url')}` };
}

function idOf(token: string): string | undefined {
  return /^roster_([0-9a-f]{8})_[A-Za-z0-9_-]{20,}$/.exec(token)?.[1];
}

/**
 * Admin bearer tokens, stored hashed. A token is shown once, when it is made.
 *
 * @example
 * const created = await tokens.ensureAdmin(); // { token } on first start, undefined after
 */
export class AdminTokens {
  private readonly known = new Map<string, string>();

  constructor(private readonly pool: pg.Pool) {}

  /**
   * Makes sure an admin token exists. With `given` (ROSTER_ADMIN_TOKEN) that token is
   * registered; otherwise, when there is none yet, one is generated and returned.
   */
  async ensureAdmin(given?: string): Promise<{ id: string; token: string } | undefined> {
    if (given) {
      const id = idOf(given);
      if (!id) throw new Error('ROSTER_ADMIN_TOKEN must look like roster_<8 hex>_<at least 20 base64url characters>');
      await this.pool.query(`INSERT INTO admin_tokens (token_id, token_hash, label) VALUES ($1, $2, 'env') ON CONFLICT DO NOTHING`, [id, hash(given)]);
      return undefined;
    }
    const { rows } = await this.pool.query('SELECT 1 FROM admin_tokens LIMIT 1');
    if (rows.length) return undefined;
    const created = newToken();
    await this.pool.query(`INSERT INTO admin_tokens (token_id, token_hash, label) VALUES ($1, $2, 'first start')`, [created.id, hash(created.token)]);
    return created;
  }

  /** Creates another admin token (for the CLI and tests). */
  async create(label: string): Promise<{ id: string; token: string }> {
    const created = newToken();
    await this.pool.query('INSERT INTO admin_tokens (token_id, token_hash, label) VALUES ($1, $2, $3)', [created.id, hash(created.token), label]);
    return created;
  }

  /** The actor for a bearer token, e.g. `admin:1a2b3c4d`; `unauthorized` when it is not valid. */
  async verify(header: string | undefined): Promise<string> {
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const id = token && idOf(token);
    if (!token || !id) throw new DomainError('unauthorized', 'a bearer admin token is required');
    const h = hash(token);
    let stored = this.known.get(id);
    if (!stored) {
      const { rows } = await this.pool.query<{ token_hash: string }>('SELECT token_hash FROM admin_tokens WHERE token_id = $1', [id]);
      stored = rows[0]?.token_hash;
      if (stored) this.known.set(id, stored);
    }
    if (!stored || !timingSafeEqual(Buffer.from(stored), Buffer.from(h))) throw new DomainError('unauthorized', 'the bearer token is not valid');
    return `admin:${id}`;
  }
}
