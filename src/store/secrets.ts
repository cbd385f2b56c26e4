import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hash, hkdfSync, randomBytes, randomFillSync, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type pg from 'pg';
import type { Config } from '../config.ts';
import { holdingLock } from './advisory-lock.ts';

/** What an account's secrets can hold. None of it ever enters an event, a log or a read model. */
export interface Credentials {
  password?: string;
  accessToken?: string;
  refreshToken?: string;
  idToken?: string;
  /** An identity's extra fields (security answers, recovery codes and the like). */
  extra?: Record<string, string>;
}

export const secretsSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS secrets (
  account_id uuid PRIMARY KEY,
  wrapped_key bytea,
  payload bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;

/** Seals `plain` under `key` with AES-256-GCM: iv ‖ tag ‖ ciphertext. `iv`: 12 random bytes. */
export function seal(key: Buffer, plain: Buffer, aad: string, iv: Buffer = randomBytes(12)): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

/** Opens what `seal` sealed; throws when the key, the data or `aad` differ. */
export function open(key: Buffer, sealed: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

/** Some accounts' secret rows exactly as stored (sealed), to undo a write. */
export interface SecretsSnapshot {
  ids: string[];
  rows: Array<{ account_id: string; wrapped_key: Buffer | null; payload: Buffer }>;
}

/** How a write of sealed credentials replaces an account's row (a shredded account stays shredded). */
const REPLACE = `(account_id) DO UPDATE SET wrapped_key = EXCLUDED.wrapped_key, payload = EXCLUDED.payload, updated_at = now()
  WHERE secrets.wrapped_key IS NOT NULL`;

/** Accounts' credentials sealed by `SecretVault.sealMany`, column by column, for `putSealed`. */
export interface SealedSecrets {
  ids: string[];
  /** Each account's data key, sealed by the key-encryption key. */
  keys: Buffer[];
  /** Each account's credentials, sealed by its data key. */
  payloads: Buffer[];
}

/**
 * Keeps of sealed secrets only the accounts `keep` names, in their order.
 *
 * @example
 * pickSealed(vault.sealMany(entries), new Set([accountId]))
 */
export function pickSealed(sealed: SealedSecrets, keep: Set<string>): SealedSecrets {
  const out: SealedSecrets = { ids: [], keys: [], payloads: [] };
  sealed.ids.forEach((id, i) => {
    if (!keep.has(id)) return;
    out.ids.push(id);
    out.keys.push(sealed.keys[i]!);
    out.payloads.push(sealed.payloads[i]!);
  });
  return out;
}

/** Reads a 32-byte master key given as 64 hex digits or base64. */
export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error('ROSTER_MASTER_KEY must be 32 bytes, as 64 hex digits or base64');
  return key;
}

/** How many of the accounts used next `readAhead` checks for opened credentials, and how many it opens in one read. */
const READ_AHEAD = { check: 8, read: 256 };

/**
 * Account secrets at rest (DESIGN.md, Secrets): AES-256-GCM under a per-account data key,
 * which is itself sealed by a key derived from the master key. Fingerprints are HMACs
 * under a second derived key. Shredding an account destroys its data key.
 *
 * @example
 * const vault = new SecretVault(pool, parseMasterKey(process.env.ROSTER_MASTER_KEY!));
 * await vault.put(accountId, { password: 'p' });
 */
export class SecretVault {
  private readonly kek: Buffer;
  private readonly fingerprintKey: KeyObject;
  /** Opened credentials, least recently used first; at most `cacheSize` of them. */
  private readonly cache = new Map<string, Credentials | null>();
  private readonly cacheSize: number;
  /** Counts writes (shared with `through`'s vaults), so that a read that a write overtook does not cache what it read. */
  private readonly writes = { count: 0 };
  /** The read `prefetch` has under way. */
  private prefetching?: Promise<void>;

  /** `cacheSize`: how many accounts' opened credentials stay in memory (10,000 by default). */
  constructor(private readonly pool: pg.Pool, masterKey: Buffer, options: { cacheSize?: number } = {}) {
    this.cacheSize = options.cacheSize ?? 10_000;
    this.kek = deriveKey(masterKey, 'key-encryption');
    this.fingerprintKey = createSecretKey(deriveKey(masterKey, 'fingerprint'));
  }

  /**
   * Runs `fn` while no other writer on any node runs `exclusive` for the same key
   * (`holdingLock`: a queue per key on this node, then a PostgreSQL advisory lock held for
   * the duration). Imports write secrets, then events, and take the secrets back when the
   * events are refused; two imports of the same login at once must not interleave those
   * steps.
   *
   * @example
   * await vault.exclusive('pool-a', async () => { await vault.putMany(entries); await append(); });
   */
  exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return holdingLock(this.pool, `roster:secrets:${key}`, fn);
  }

  /** This vault (the same keys and cache) working through another pool of connections. */
  through(pool: pg.Pool): SecretVault {
    return Object.assign(Object.create(SecretVault.prototype) as SecretVault, this, { pool });
  }

  /** A keyed fingerprint: equal for equal values, useless for recovering them. */
  fingerprint(value: string | Credentials): string {
    const text = typeof value === 'string' ? value : JSON.stringify(value, Object.keys(value).sort());
    return createHmac('sha256', this.fingerprintKey).update(text).digest('base64url');
  }

  /** Stores credentials for accounts that have none yet, in one statement; an account that has some keeps them. */
  async putIfAbsent(entries: Array<[accountId: string, credentials: Credentials]>): Promise<void> {
    await this.write(this.sealMany(entries), 'DO NOTHING');
  }

  /**
   * Stores or replaces the credentials of several accounts in one statement (a shredded
   * account stays shredded).
   */
  async putMany(entries: Array<[accountId: string, credentials: Credentials]>): Promise<void> {
    await this.putSealed(this.sealMany(entries));
  }

  /**
   * Seals credentials for `putSealed`, without writing: an import seals a batch before it
   * takes its pool's lock, so that the next batch's sealing runs while this one writes.
   *
   * @example
   * await vault.putSealed(vault.sealMany([[accountId, { password: 'p' }]]));
   */
  sealMany(entries: Array<[accountId: string, credentials: Credentials]>): SealedSecrets {
    // One draw of randomness for every entry (a data key and two IVs each): drawing per
    // value cost more than the sealing itself.
    const random = randomBytes(56 * entries.length);
    const sealed: SealedSecrets = { ids: [], keys: [], payloads: [] };
    entries.forEach(([accountId, credentials], i) => {
      const dataKey = random.subarray(56 * i, 56 * i + 32);
      sealed.ids.push(accountId);
      sealed.keys.push(seal(this.kek, dataKey, accountId, random.subarray(56 * i + 32, 56 * i + 44)));
      sealed.payloads.push(seal(dataKey, Buffer.from(JSON.stringify(credentials)), accountId, random.subarray(56 * i + 44, 56 * i + 56)));
    });
    return sealed;
  }

  /** Stores or replaces what `sealMany` sealed, in one statement (a shredded account stays shredded). */
  async putSealed(sealed: SealedSecrets): Promise<void> {
    await this.write(sealed, REPLACE);
  }

  /**
   * `putSealed`, answering the rows as they were before it, for `restore`: in one
   * statement (its snapshot is read before its write), so an import's lock is held for one
   * round trip fewer.
   *
   * @example
   * const before = await vault.replaceSealed(sealed);
   * try { await store.appendMany(…); } catch (e) { await vault.restore(before); throw e; }
   */
  async replaceSealed(sealed: SealedSecrets): Promise<SecretsSnapshot> {
    if (!sealed.ids.length) return { ids: [], rows: [] };
    const { rows } = await this.pool.query<{ account_id: string; wrapped_key: Buffer | null; payload: Buffer }>(
      `WITH before AS (SELECT account_id, wrapped_key, payload FROM secrets WHERE account_id = ANY($1::uuid[])),
            put AS (INSERT INTO secrets (account_id, wrapped_key, payload) SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::bytea[])
                    ON CONFLICT ${REPLACE})
       SELECT * FROM before`,
      [sealed.ids, sealed.keys, sealed.payloads],
    );
    this.wrote(sealed.ids);
    return { ids: sealed.ids, rows };
  }

  /** Puts the accounts' rows back as `replaceSealed` found them: rows it did not find are deleted. */
  async restore(snapshot: SecretsSnapshot): Promise<void> {
    if (!snapshot.ids.length) return;
    const { rows } = snapshot;
    await this.pool.query('DELETE FROM secrets WHERE account_id = ANY($1::uuid[]) AND NOT (account_id = ANY($2::uuid[]))', [snapshot.ids, rows.map((r) => r.account_id)]);
    if (rows.length) {
      await this.pool.query(
        `INSERT INTO secrets (account_id, wrapped_key, payload) SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::bytea[])
         ON CONFLICT (account_id) DO UPDATE SET wrapped_key = EXCLUDED.wrapped_key, payload = EXCLUDED.payload, updated_at = now()`,
        [rows.map((r) => r.account_id), rows.map((r) => r.wrapped_key), rows.map((r) => r.payload)],
      );
    }
    this.wrote(snapshot.ids);
  }

  private async write(sealed: SealedSecrets, onConflict: string): Promise<void> {
    if (!sealed.ids.length) return;
    await this.pool.query(
      `INSERT INTO secrets (account_id, wrapped_key, payload)
       SELECT * FROM unnest($1::uuid[], $2::bytea[], $3::bytea[]) ON CONFLICT ${onConflict}`,
      [sealed.ids, sealed.keys, sealed.payloads],
    );
    this.wrote(sealed.ids);
  }

  /** After a write of these accounts' rows: a read under way is not cached, and what was cached is forgotten. */
  private wrote(accountIds: string[]): void {
    this.writes.count++;
    for (const accountId of accountIds) this.cache.delete(accountId);
  }

  /**
   * Replaces the account's credentials (a rotation), under its existing data key or a new
   * one. A shredded account stays shredded.
   */
  async put(accountId: string, credentials: Credentials): Promise<void> {
    await this.putMany([[accountId, credentials]]);
  }

  /** The account's credentials, or null when it has none or they were shredded. */
  async get(accountId: string): Promise<Credentials | null> {
    return (await this.getMany([accountId])).get(accountId) ?? null;
  }

  /** Credentials of several accounts in one query; cached after the first read. */
  async getMany(accountIds: string[]): Promise<Map<string, Credentials | null>> {
    const out = new Map<string, Credentials | null>();
    const missing = accountIds.filter((id) => {
      const hit = this.cache.get(id);
      if (hit === undefined) return true;
      out.set(id, hit);
      this.remember(id, hit);
      return false;
    });
    if (missing.length === 0) return out;
    const writes = this.writes.count;
    const { rows } = await this.pool.query<{ account_id: string; wrapped_key: Buffer | null; payload: Buffer }>(
      'SELECT account_id, wrapped_key, payload FROM secrets WHERE account_id = ANY($1::uuid[])', [missing],
    );
    for (const row of rows) {
      const credentials = row.wrapped_key
        ? JSON.parse(open(open(this.kek, row.wrapped_key, row.account_id), row.payload, row.account_id).toString()) as Credentials
        : null;
      // A write that ended while this read was under way may have replaced what it read.
      if (this.writes.count === writes) this.remember(row.account_id, credentials);
      out.set(row.account_id, credentials);
    }
    return out;
  }

  /** Whether an account's opened credentials are in memory. */
  cached(accountId: string): boolean {
    return this.cache.has(accountId);
  }

  /**
   * Opens and keeps, in one query, the credentials of those of these accounts not in memory
   * (the accounts a pool will lease next), without waiting. One read at a time; a failed
   * one is left to the allocation that needs the credentials.
   */
  private prefetch(accountIds: string[]): void {
    if (this.prefetching || accountIds.length > this.cacheSize) return;
    const missing = accountIds.filter((id) => !this.cache.has(id));
    if (!missing.length) return;
    this.prefetching = this.getMany(missing).then(() => undefined, () => undefined).finally(() => (this.prefetching = undefined));
  }

  /**
   * Opens ahead the credentials of the accounts to be used next: when one of the next 8 is
   * not in memory, the next 256 in one read (`prefetch`), without waiting. `upcoming(n)`
   * answers the next n accounts, best guess first.
   *
   * @example
   * vault.readAhead((n) => allocator.upcoming(n));
   */
  readAhead(upcoming: (count: number) => string[]): void {
    if (upcoming(READ_AHEAD.check).some((id) => !this.cache.has(id))) this.prefetch(upcoming(READ_AHEAD.read));
  }

  /** Keeps an account's credentials as the most recently used; forgets the least recently used past `cacheSize`. */
  private remember(accountId: string, credentials: Credentials | null): void {
    this.cache.delete(accountId);
    this.cache.set(accountId, credentials);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  /** Destroys the account's data key: its secrets can never be read again. */
  async shred(accountId: string): Promise<void> {
    this.writes.count++;
    await this.pool.query("UPDATE secrets SET wrapped_key = NULL, payload = '\\x', updated_at = now() WHERE account_id = $1", [accountId]);
    this.remember(accountId, null);
  }
}

/**
 * A stable UUID-shaped id for a text (from its SHA-256): equal texts, equal ids.
 *
 * @example
 * idOf('user\nada@example.test') // → 'xxxxxxxx-xxxx-8xxx-axxx-xxxxxxxxxxxx'
 */
export function idOf(text: string): string {
  const h = hash('sha256', text, 'hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A stable account id for a login in a pool, so that importing the same login twice collides. */
export function accountIdFor(poolId: string, login: string): string {
  return idOf(`${poolId}\n${login.trim().toLowerCase()}`);
}

/**
 * A 32-byte key for one purpose, derived from the master key (HKDF-SHA256): each use of
 * the master key gets its own key.
 *
 * @example
 * const key = deriveKey(masterKey, 'mail-outbox');
 */
export function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, 'roster', purpose, 32));
}

/** The SHA-256 of a token or code, as stored in its place (base64url). */
export const digestOf = (text: string): string => hash('sha256', text, 'base64url');

/** Random bytes drawn ahead, as Node's `randomUUID` does: one call to the system's source per 4 KB instead of one per token. */
const drawn = { bytes: Buffer.alloc(4096), used: 4096 };

/**
 * A random token of `bytes` bytes, base64url: for lease secrets and the like, minted on
 * every request.
 *
 * @example
 * const leaseSecret = randomToken(24); // 32 characters
 */
export function randomToken(bytes: number): string {
  if (bytes > drawn.bytes.length) return randomBytes(bytes).toString('base64url');
  if (drawn.used + bytes > drawn.bytes.length) {
    randomFillSync(drawn.bytes);
    drawn.used = 0;
  }
  const token = drawn.bytes.toString('base64url', drawn.used, drawn.used + bytes);
  // Used bytes are overwritten, so that none stays in memory once it is a token.
  drawn.bytes.fill(0, drawn.used, drawn.used + bytes);
  drawn.used += bytes;
  return token;
}

/**
 * The master key from ROSTER_MASTER_KEY, or (embedded mode) from `dataDir/master.key`,
 * made on first use with mode 0600.
 *
 * @example
 * const vault = new SecretVault(db, await loadMasterKey(loadConfig()));
 */
export async function loadMasterKey(config: Pick<Config, 'ROSTER_MASTER_KEY' | 'ROSTER_DATA_DIR'>): Promise<Buffer> {
  if (config.ROSTER_MASTER_KEY) return parseMasterKey(config.ROSTER_MASTER_KEY);
  const file = join(resolve(config.ROSTER_DATA_DIR), 'master.key');
  if (!existsSync(file)) {
    await mkdir(resolve(config.ROSTER_DATA_DIR), { recursive: true });
    await writeFile(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return parseMasterKey(await readFile(file, 'utf8'));
}
