/**
 * A provider's rate, shared by every node: where the rate limits are counted (Redis when
 * Roster has one, else PostgreSQL), each upstream call reserves the provider's next slot
 * and waits for it. The slots follow GCRA: a "theoretical arrival time" per provider moves
 * on by one interval a call, and a call may go once it is at most `burst` intervals ahead.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { redisScripts, unavailable, type LimitStore } from './rate-limits.ts';

/** The next free slot of each provider, in PostgreSQL. */
export const providerPaceSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS provider_pace (
  provider text PRIMARY KEY,
  tat timestamptz NOT NULL
);
`;

/**
 * @example
 * const waitMs = await pace.reserve('corp', 200, 5); // 5 a second, bursts of 5
 * await sleep(waitMs);                               // then call the provider
 */
export interface ProviderPace {
  /** Reserves the provider's next slot: the milliseconds to wait for it. */
  reserve(provider: string, intervalMs: number, burst: number): Promise<number>;
}

/** One statement a slot: the row's lock orders the callers; the database's clock is the only one. */
export class PgProviderPace implements ProviderPace {
  constructor(private readonly pool: pg.Pool) {}

  async reserve(provider: string, intervalMs: number, burst: number): Promise<number> {
    const { rows } = await this.pool.query<{ wait_ms: number }>(
      `WITH c AS (SELECT clock_timestamp() AS now)
       INSERT INTO provider_pace AS p (provider, tat) SELECT $1, c.now + $2 * interval '1 millisecond' FROM c
       ON CONFLICT (provider) DO UPDATE SET tat = greatest(p.tat, (SELECT now FROM c)) + $2 * interval '1 millisecond'
       RETURNING greatest(0, extract(epoch FROM p.tat - (SELECT now FROM c)) * 1000 - $2 * $3)::float8 AS wait_ms`,
      [provider, intervalMs, burst],
    );
    return rows[0]!.wait_ms;
  }
}

/** KEYS[1] the provider's key, ARGV interval and burst: the milliseconds to wait, on Redis's clock. */
const RESERVE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now) + interval
redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 1000)
return tostring(math.max(0, tat - now - interval * tonumber(ARGV[2])))`;

type PaceScripts = { rosterReserveSlot: (key: string, interval: number, burst: number) => Promise<string> };

/** One script a slot. If Redis does not answer, the call waits for nothing: it fails (503 to an operator's refresh). */
export class RedisProviderPace implements ProviderPace {
  private readonly scripts: PaceScripts;

  constructor(client: Redis) {
    this.scripts = redisScripts<PaceScripts>(client, { rosterReserveSlot: RESERVE });
  }

  async reserve(provider: string, intervalMs: number, burst: number): Promise<number> {
    const wait = await this.scripts.rosterReserveSlot(`roster:pace:${provider}`, intervalMs, burst).catch((e: unknown) => Promise.reject(unavailable(e, 'the provider\'s rate')));
    return Number(wait);
  }
}

/**
 * The pace of the store the rate limits count in.
 *
 * @example
 * const pace = providerPaceOn(limits.store);
 */
export const providerPaceOn = (store: LimitStore): ProviderPace =>
  (store.kind === 'redis' ? new RedisProviderPace(store.client) : new PgProviderPace(store.pool));
