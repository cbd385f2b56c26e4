/**
 * Who calls: an admin (service) token, a user's access token, or a user's API key. Each
 * failed check counts against the client's IP (and a key's id) in the guard, and the
 * caller's limits are applied here, once per request.
 */
import type { KeyScopes } from '../domain/api-key.ts';
import { DomainError } from '../domain/errors.ts';
import type { Allowances, Limits } from '../domain/limits.ts';
import type { Role } from '../domain/user.ts';
import { isApiKey } from '../store/api-keys.ts';
import type { AdminTokens } from '../store/tokens.ts';
import { checkKey, keyOf, type KeyDeps } from './api-keys.ts';
import type { AuthGuard } from './guard.ts';
import type { LimitScope, Quotas } from './quotas.ts';
import { checkAccess, type SignInDeps } from './sign-in.ts';
import { activeUser, signedIn, type SignedIn } from './users.ts';

export interface CallerDeps extends SignInDeps, KeyDeps {
  tokens: AdminTokens;
  guard: AuthGuard;
  quotas: Quotas;
  /** Keys checked recently; without it every request reads the key and its user. */
  keyCache?: KeyCache;
}

type KeyCaller = Extract<Caller, { kind: 'key' }>;

/**
 * API keys checked in the last `ttlMs`, by the key itself: a busy key does not read its
 * hash, its stream and its user's stream on every request. A key revoked, rotated or
 * changed on this node is forgotten at once; on another node, within `ttlMs`.
 *
 * @example
 * const cache = new KeyCache(1000);
 */
export class KeyCache {
  private readonly entries = new Map<string, { caller: KeyCaller; until: number; expiresAt: number | null }>();

  constructor(private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  get(key: string, now = Date.now()): KeyCaller | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= now || (e.expiresAt !== null && e.expiresAt <= now)) {
      this.entries.delete(key);
      return undefined;
    }
    return e.caller;
  }

  set(key: string, caller: KeyCaller, expiresAt: number | null, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { caller, until: now + this.ttlMs, expiresAt });
  }

  private readonly checking = new Map<string, Promise<KeyCheck>>();
  /** Counts evictions: a check that began before one is not cached. */
  private evictions = 0;

  /**
   * Runs `check` for a key unless a check of it is already running, whose answer is
   * shared; a key found is cached (unless evicted meanwhile).
   */
  once(key: string, check: () => Promise<KeyCheck>): Promise<KeyCheck> {
    let pending = this.checking.get(key);
    if (!pending) {
      const evictions = this.evictions;
      pending = check().then((found) => {
        if (typeof found === 'object' && evictions === this.evictions) this.set(key, found, found.expiresAt);
        return found;
      }).finally(() => this.checking.delete(key));
      this.checking.set(key, pending);
    }
    return pending;
  }

  /** Forgets a key (revoked, rotated or changed here). */
  evict(keyId: string): void {
    this.evictions++;
    for (const [key, e] of this.entries) if (e.caller.keyId === keyId) this.entries.delete(key);
  }
}

/** What checking a key found: its caller (and when the key expires), or why there is none. */
type KeyCheck = (KeyCaller & { expiresAt: number | null }) | 'no_key' | 'no_user';

/** A caller, as routes see it. `actor` goes into events; a key's is also the holder of its sessions. */
export type Caller =
  | { kind: 'admin'; actor: string; role: 'admin' }
  | { kind: 'user'; actor: string; role: Role; user: SignedIn; limits: LimitScope[]; allowances?: Allowances }
  | { kind: 'key'; actor: string; role: Role; user: SignedIn; keyId: string; scopes: KeyScopes; limits: LimitScope[]; allowances?: Allowances };

/** The caller an API key speaks for, cached; or why there is none. */
async function keyCallerOf(deps: CallerDeps, token: string): Promise<KeyCheck> {
  const found = await checkKey(deps, token);
  if (!found) return 'no_key';
  const state = await activeUser(deps.store, found.state.userId);
  if (!state) return 'no_user';
  const user = signedIn(found.state.userId, state);
  const caller: KeyCaller = {
    kind: 'key', actor: `user:${user.userId}/key:${found.keyId}`, role: user.role, user, keyId: found.keyId, scopes: found.state.scopes,
    limits: [...scopeOf(`key:${found.keyId}`, found.state.limits), ...scopeOf(`user:${user.userId}`, state.limits)],
  };
  return Object.assign(caller, { expiresAt: found.state.expiresAt });
}

/**
 * The limits of a key and of its user, read now, for a charge made after the request (a
 * key revoked since still pays for what was spent; a user no longer active does not).
 *
 * @example
 * await quotas.charge(await limitsOfKey(deps, keyId, userId), spend);
 */
export async function limitsOfKey(deps: KeyDeps, keyId: string, userId: string): Promise<LimitScope[]> {
  const key = await keyOf(deps, keyId, userId).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'key_not_found') return undefined;
    throw error;
  });
  const user = await activeUser(deps.store, userId);
  return [...(key ? scopeOf(`key:${keyId}`, key.limits) : []), ...(user ? scopeOf(`user:${userId}`, user.limits) : [])];
}

/** A bearer token that looks like a JWT (three dot-separated parts): a user's access token. */
const isJwt = (token: string) => token.split('.').length === 3;
/** Counts a refused credential in the guard and rethrows; any other failure (the database) passes as it is. */
const refused = (deps: CallerDeps, ip: string, account?: string) => (error: unknown): Promise<never> =>
  (error instanceof DomainError && error.code === 'unauthorized' ? deps.guard.failed(ip, account, error) : Promise.reject(error));
/** A key's id as written in it (for the guard's count per key), without checking it. */
const keyIdIn = (key: string) => key.slice(3, 35);

const scopeOf = (scope: string, limits: Limits): LimitScope[] => (Object.keys(limits).length ? [{ scope, limits }] : []);

/**
 * The caller a bearer token speaks for, its per-minute limits applied. A bad token is
 * 401, or 429 once the IP (or the key) has failed too often.
 *
 * @example
 * const caller = await identify(deps, bearer, request.ip); // caller.kind === 'key'
 */
export async function identify(deps: CallerDeps, token: string | undefined, ip: string): Promise<Caller> {
  const caller = await check(deps, token, ip);
  if (caller.kind === 'admin') return caller;
  const allowances = await deps.quotas.admit(caller.limits);
  // The caller may be a cached one: what this request has left goes on a copy.
  return allowances.requests || allowances.tokens ? { ...caller, allowances } : caller;
}

async function check(deps: CallerDeps, token: string | undefined, ip: string): Promise<Caller> {
  if (token?.startsWith('rk_')) {
    // Shaped like a key but not one (cut short, a typo): said so, and counted as a guess.
    if (!isApiKey(token)) return deps.guard.failed(ip, undefined, new DomainError('unauthorized', 'the API key is not valid'));
    const cached = deps.keyCache?.get(token);
    if (cached) return cached;
    // Concurrent requests with one key check it once (when the cache is on).
    const found = await (deps.keyCache ? deps.keyCache.once(token, () => keyCallerOf(deps, token)) : keyCallerOf(deps, token));
    if (found === 'no_key') return deps.guard.failed(ip, `key:${keyIdIn(token)}`, new DomainError('unauthorized', 'the API key is not valid'));
    if (found === 'no_user') return deps.guard.failed(ip, undefined, new DomainError('unauthorized', 'the API key is not valid'));
    return found;
  }
  if (token !== undefined && isJwt(token)) {
    const user = await checkAccess(deps, token).catch(refused(deps, ip));
    const { familyId: _, ...rest } = user;
    return { kind: 'user', actor: `user:${user.userId}`, role: user.role, user: rest, limits: scopeOf(`user:${user.userId}`, user.limits) };
  }
  // No token at all is a missing credential, not a guess: it is not counted.
  const actor = await deps.tokens.verify(token).catch(token === undefined ? (e: unknown) => Promise.reject(e) : refused(deps, ip));
  return { kind: 'admin', actor, role: 'admin' };
}

/** The holder limits (sessions at once) of a caller, for the ledger. */
export function sessionLimitsOf(caller: Caller): Array<{ prefix: string; max: number }> {
  if (caller.kind === 'admin') return [];
  return caller.limits.flatMap(({ scope, limits }) => {
    if (!limits.concurrentSessions) return [];
    const prefix = scope.startsWith('key:') ? caller.actor : `user:${caller.user.userId}`;
    return [{ prefix, max: limits.concurrentSessions }];
  });
}
