import { hash as sha256, randomBytes, timingSafeEqual } from 'node:crypto';
import pg from 'pg';
import { DomainError } from '../domain/errors.ts';
import { listen } from './listen.ts';

/** Admin tokens, stored hashed; any change to a row (revoke, delete) is announced to every node. */
export const tokensSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS admin_tokens (
  token_id text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  label text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE admin_tokens ADD COLUMN IF NOT EXISTS revoked_at timestamptz;
CREATE OR REPLACE FUNCTION roster_admin_token_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('roster_admin_tokens', OLD.token_id);
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS admin_tokens_changed ON admin_tokens;
CREATE TRIGGER admin_tokens_changed AFTER UPDATE OR DELETE ON admin_tokens
  FOR EACH ROW EXECUTE FUNCTION roster_admin_token_changed();
`;

const hash = (token: string) => sha256('sha256', token, 'hex');

/** `roster_<id>_<secret>`: the id names the actor in events; only the hash is stored. */
function newToken(): { id: string; token: string } {
  const id = randomBytes(4).toString('hex');
  return { id, token: `roster_${id}_${randomBytes(24).toString('base64url')}` };
}

function idOf(token: string): string | undefined {
  return /^roster_([0-9a-f]{8})_[A-Za-z0-9_-]{20,}$/.exec(token)?.[1];
}

export interface AdminTokenInfo {
  id: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

/**
 * Admin bearer tokens, stored hashed. A token is shown once, when it is made.
 *
 * Verified tokens are cached; every node listens for changes to the table (a trigger
 * notifies on update and delete), so a revoked or deleted token stops working at once
 * everywhere. While that listener is not connected, nothing is cached.
 *
 * @example
 * const created = await tokens.ensureAdmin(); // { token } on first start, undefined after
 */
export class AdminTokens {
  private readonly known = new Map<string, string>();
  /** Counts changes heard, so that a read that raced a revocation is not cached. */
  private changes = 0;
  private listener?: pg.Client;
  private closed = false;

  constructor(private readonly pool: pg.Pool, private readonly listenConfig?: pg.ClientConfig) {}

  /** Starts listening for revocations (without it, each request reads the table). */
  async start(): Promise<void> {
    if (!this.listenConfig || this.closed) return;
    // Changes made before a LISTEN takes effect are not heard: each (re)connection starts from an empty cache.
    const listening = (client: pg.Client) => {
      this.known.clear();
      this.listener = client;
    };
    listening(await listen(this.listenConfig, 'roster_admin_tokens', {
      onNotify: (payload) => {
        this.changes++;
        if (payload) this.known.delete(payload);
      },
      // While no listener is connected, nothing is cached.
      onLost: () => {
        this.listener = undefined;
        this.known.clear();
      },
      closed: () => this.closed,
    }, listening));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
  }

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

  /** Creates another admin token. */
  async create(label: string): Promise<{ id: string; token: string }> {
    const created = newToken();
    await this.pool.query('INSERT INTO admin_tokens (token_id, token_hash, label) VALUES ($1, $2, $3)', [created.id, hash(created.token), label]);
    return created;
  }

  /** Every token, newest first; never the token itself. */
  async list(): Promise<AdminTokenInfo[]> {
    const { rows } = await this.pool.query<{ token_id: string; label: string; created_at: Date; revoked_at: Date | null }>(
      'SELECT token_id, label, created_at, revoked_at FROM admin_tokens ORDER BY created_at DESC, token_id',
    );
    return rows.map((r) => ({ id: r.token_id, label: r.label, createdAt: r.created_at.toISOString(), revokedAt: r.revoked_at?.toISOString() ?? null }));
  }

  /** Revokes a token on every node; false when there is no such live token. */
  async revoke(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('UPDATE admin_tokens SET revoked_at = now() WHERE token_id = $1 AND revoked_at IS NULL', [id]);
    this.known.delete(id);
    this.changes++;
    return (rowCount ?? 0) > 0;
  }

  /** The actor for a bearer token, e.g. `admin:1a2b3c4d`; `unauthorized` when it is not valid. */
  async verify(token: string | undefined): Promise<string> {
    if (!token) throw new DomainError('unauthorized', 'a bearer admin token is required');
    const id = idOf(token);
    if (!id) throw new DomainError('unauthorized', 'the bearer token is not valid');
    const h = hash(token);
    let stored = this.known.get(id);
    if (!stored) {
      const before = this.changes;
      const { rows } = await this.pool.query<{ token_hash: string }>('SELECT token_hash FROM admin_tokens WHERE token_id = $1 AND revoked_at IS NULL', [id]);
      stored = rows[0]?.token_hash;
      if (stored && this.listener && before === this.changes) this.known.set(id, stored);
    }
    if (!stored || !timingSafeEqual(Buffer.from(stored), Buffer.from(h))) throw new DomainError('unauthorized', 'the bearer token is not valid');
    return `admin:${id}`;
  }
}
