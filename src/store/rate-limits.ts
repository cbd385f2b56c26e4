/**
 * Rate limits with `rate-limiter-flexible`: on Redis (through `ioredis`) when Roster is
 * given one, so that every node counts in one place; else on PostgreSQL, in the
 * `rate_limits` table (the embedded default). Both keep fixed windows of `duration` seconds.
 */
import type { Redis } from 'ioredis';
import { DomainError } from '../domain/errors.ts';
import type pg from 'pg';
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** The table rate-limiter-flexible's PostgreSQL limiter keeps its counters in. */
export const rateLimitsSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
`;

/** What a limiter answers: allowed, with what is left and when its window ends; or refused, with when to try again. */
export type Verdict = { allowed: true; remaining: number; resetMs: number } | { allowed: false; retryAfterMs: number };

/** One limit: `points` per `duration` seconds, for each key. */
export interface Limiter {
  /** Takes `points` if the key has them left; refuses otherwise (taking nothing more). */
  consume(key: string, points?: number): Promise<Verdict>;
  /** Whether the key has any point left, without taking one. */
  check(key: string): Promise<Verdict>;
  /** Takes `points` even past the limit: use counted after the fact (tokens of an answer). */
  charge(key: string, points: number): Promise<void>;
  /** Forgets the key's count (a successful sign-in clears its failures). */
  reset(key: string): Promise<void>;
}

/** Where counters are kept. */
export type LimitStore = { kind: 'postgres'; pool: pg.Pool } | { kind: 'redis'; client: Redis };

/**
 * A Redis client for the limiters, connected (or failing) before the service answers.
 * ioredis is loaded here, only when Redis is configured, not at every start.
 *
 * @example
 * const client = await openRedis('redis://127.0.0.1:6379');
 */
export async function openRedis(url: string): Promise<Redis> {
  const { Redis: Client } = await import('ioredis');
  const client = new Client(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5000, enableOfflineQueue: false });
  // A lost connection surfaces as a refused limiter call (503); ioredis reconnects by itself.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * Lua scripts of one key each, defined once on a client and then called by their digest
 * (EVALSHA): the client, seen as the scripts' methods.
 *
 * @example
 * const { rosterOne } = redisScripts<{ rosterOne: (key: string) => Promise<number> }>(client, { rosterOne: 'return 1' });
 */
export function redisScripts<T>(client: Redis, scripts: Record<keyof T & string, string>): T {
  for (const [name, lua] of Object.entries<string>(scripts)) if (!(name in client)) client.defineCommand(name, { numberOfKeys: 1, lua });
  return client as unknown as T;
}

/**
 * The store of counters did not answer: the request is refused as unavailable, not failed.
 *
 * @example
 * await rl.get(key).catch((e: unknown) => Promise.reject(unavailable(e))); // 503, Retry-After: 2
 */
export const unavailable = (cause: unknown, what = 'rate limits') => {
  if (cause instanceof DomainError) return cause;
  return new DomainError('unavailable', `${what} cannot be checked right now`, [], 2);
};

const verdictOf = (res: RateLimiterRes, points: number): Verdict =>
  (res.consumedPoints > points ? { allowed: false, retryAfterMs: Math.max(1, res.msBeforeNext) } : { allowed: true, remaining: res.remainingPoints, resetMs: Math.max(0, res.msBeforeNext) });

/**
 * The 429 for a refused verdict: `too many <what>`, with the seconds until the next try.
 *
 * @example
 * if (!v.allowed) throw tooMany(v, 'failed attempts');
 */
export const tooMany = (v: Verdict & { allowed: false }, what: string) =>
  new DomainError('rate_limited', `too many ${what}; try again later`, [], Math.ceil(v.retryAfterMs / 1000));

/**
 * The limiters of one store, made once per (name, points, duration).
 *
 * @example
 * const perMinute = limits.limiter('key-rpm', 600, 60);
 * const v = await perMinute.consume(keyId); // v.allowed === false → 429, Retry-After v.retryAfterMs
 */
export class RateLimits {
  private readonly made = new Map<string, Limiter>();

  constructor(readonly store: LimitStore) {}

  limiter(name: string, points: number, durationSeconds: number): Limiter {
    const id = `${name}:${points}:${durationSeconds}`;
    let limiter = this.made.get(id);
    if (!limiter) {
      limiter = this.wrap(this.open(id, points, durationSeconds), points, durationSeconds);
      this.made.set(id, limiter);
    }
    return limiter;
  }

  private open(keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
    const options = { keyPrefix, points, duration };
    return this.store.kind === 'redis'
      ? new RateLimiterRedis({ ...options, storeClient: this.store.client, rejectIfRedisNotReady: true })
      : new RateLimiterPostgres({ ...options, storeClient: this.store.pool, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: true });
  }

  private wrap(rl: RateLimiterAbstract, points: number, durationSeconds: number): Limiter {
    return {
      async consume(key, n = 1) {
        try {
          return verdictOf(await rl.consume(key, n), points);
        } catch (rejected) {
          if (rejected instanceof RateLimiterRes) return { allowed: false, retryAfterMs: Math.max(1, rejected.msBeforeNext) };
          throw unavailable(rejected);
        }
      },
      async check(key) {
        const res = await rl.get(key).catch((e: unknown) => Promise.reject(unavailable(e)));
        if (!res) return { allowed: true, remaining: points, resetMs: durationSeconds * 1000 };
        return res.consumedPoints < points ? { allowed: true, remaining: res.remainingPoints, resetMs: Math.max(0, res.msBeforeNext) } : { allowed: false, retryAfterMs: Math.max(1, res.msBeforeNext) };
      },
      async charge(key, n) {
        if (n > 0) await rl.penalty(key, Math.ceil(n)).catch((e: unknown) => Promise.reject(unavailable(e)));
      },
      async reset(key) {
        await rl.delete(key).catch((e: unknown) => Promise.reject(unavailable(e)));
      },
    };
  }
}
