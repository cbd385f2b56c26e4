/**
 * Requests under way per scope (`key:{id}`, `user:{id}`), for limits on requests at once,
 * counted where the rate limits are: in Redis when Roster has one, else in PostgreSQL. A
 * request holds a place until it ends or, should its node die, until the place expires; a
 * node renews the places of its requests while they run.
 */
import { randomUUID } from 'node:crypto';
import * as Duration from 'effect/Duration';
import * as Effect from 'effect/Effect';
import * as Schedule from 'effect/Schedule';
import type { Redis } from 'ioredis';
import { fork, type Background } from '../effect.ts';
import type pg from 'pg';
import { redisScripts, unavailable, type LimitStore } from './rate-limits.ts';

/** One row a request under way, in PostgreSQL. */
export const requestSlotsSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS request_slots (
  scope text NOT NULL,
  slot text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (scope, slot)
);
CREATE OR REPLACE FUNCTION roster_take_slot(p_scope text, p_slot text, p_max integer, p_ttl_ms integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  -- One taker a scope at a time: the count and the insert agree.
  PERFORM pg_advisory_xact_lock(hashtext('request_slots:' || p_scope));
  DELETE FROM request_slots WHERE scope = p_scope AND expires_at < now();
  IF (SELECT count(*) FROM request_slots WHERE scope = p_scope) >= p_max THEN
    RETURN false;
  END IF;
  INSERT INTO request_slots (scope, slot, expires_at) VALUES (p_scope, p_slot, now() + p_ttl_ms * interval '1 millisecond');
  RETURN true;
END $$;
`;

/** A request's place in a scope, to give back when it ends. */
export interface Held {
  scope: string;
  slot: string;
}

/**
 * Places for requests under way, at most `max` a scope across every node.
 *
 * @example
 * const slots = requestSlotsOn({ kind: 'postgres', pool });
 * const give = await slots.take('key:k1', 4); // undefined: four requests of the key are under way
 * if (give) try { await forward(); } finally { await give(); }
 */
export interface RequestSlots {
  /** Takes a place in the scope if fewer than `max` are taken: the function that gives it back, or undefined. */
  take(scope: string, max: number): Promise<(() => Promise<void>) | undefined>;
  /** Requests under way in a scope, on every node. */
  count(scope: string): Promise<number>;
  /** Stops renewing (the places held expire by themselves). */
  stop(): void;
}

/** How a place whose giving back failed is given back again: backing off from 200 ms to 10 s. */
const GIVE_AGAIN = Schedule.exponential(Duration.millis(200)).pipe(Schedule.either(Schedule.spaced(Duration.seconds(10))));

/**
 * What both stores share: the places this node holds, given back once, and renewed every
 * third of their time to live while any is held. A place the store did not take back (it
 * did not answer) is given back again in the background until it takes it or the place
 * would have expired anyway, so that a blip of the store does not hold a caller's place for
 * the whole time to live. A store says how to claim, give back, renew and count.
 */
abstract class HeldSlots implements RequestSlots {
  private readonly held = new Set<Held>();
  private readonly givingAgain = new Set<Background>();
  private timer: NodeJS.Timeout | undefined;

  constructor(protected readonly ttlMs: number) {}

  protected abstract claim(held: Held, max: number): Promise<boolean>;
  protected abstract give(held: Held): Promise<void>;
  protected abstract renew(held: Held[]): Promise<void>;
  abstract count(scope: string): Promise<number>;

  async take(scope: string, max: number): Promise<(() => Promise<void>) | undefined> {
    const held = { scope, slot: randomUUID() };
    if (!(await this.claim(held, max))) return undefined;
    this.held.add(held);
    this.renewing();
    return async () => {
      if (!this.held.delete(held)) return;
      try {
        await this.give(held);
      } catch (error) {
        this.giveAgain(held);
        throw error;
      }
    };
  }

  private giveAgain(held: Held): void {
    const again = Effect.tryPromise(() => this.give(held)).pipe(
      Effect.retry(GIVE_AGAIN.pipe(Schedule.upTo(Duration.millis(this.ttlMs)))),
      Effect.ignore,
      Effect.ensuring(Effect.sync(() => this.givingAgain.delete(background))),
    );
    const background = fork(again);
    this.givingAgain.add(background);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const again of this.givingAgain) void again.stop();
    this.givingAgain.clear();
  }

  private renewing(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.held.size === 0) return this.stop();
      this.renew([...this.held]).catch(() => undefined);
    }, Math.max(1000, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }
}

/** Places as rows of `request_slots`, taken by `roster_take_slot` under a lock of the scope. */
export class PgRequestSlots extends HeldSlots {
  constructor(private readonly pool: pg.Pool, ttlMs = 120_000) {
    super(ttlMs);
  }

  protected async claim({ scope, slot }: Held, max: number): Promise<boolean> {
    const { rows } = await this.pool.query<{ taken: boolean }>('SELECT roster_take_slot($1, $2, $3, $4) AS taken', [scope, slot, max, this.ttlMs]);
    return rows[0]?.taken === true;
  }

  protected async give({ scope, slot }: Held): Promise<void> {
    await this.pool.query('DELETE FROM request_slots WHERE scope = $1 AND slot = $2', [scope, slot]);
  }

  protected async renew(held: Held[]): Promise<void> {
    await this.pool.query("UPDATE request_slots SET expires_at = now() + $2 * interval '1 millisecond' WHERE slot = ANY($1::text[])", [held.map((h) => h.slot), this.ttlMs]);
  }

  async count(scope: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM request_slots WHERE scope = $1 AND expires_at >= now()', [scope]);
    return rows[0]?.n ?? 0;
  }
}

// Redis's own clock, so that the nodes' clocks need not agree: milliseconds now.
const NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

// The set lasts as long as its last place, whatever time to live each node gives.
const LAST = "redis.call('PEXPIREAT', KEYS[1], redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')[2])";

/** KEYS[1] the scope's set, ARGV slot, max, ttl: 1 when taken. Expired places leave first. */
const TAKE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
${LAST}
return 1`;

/** KEYS[1] the scope's set, ARGV slot, ttl: the place lasts another ttl, if it is still there. */
const RENEW = `${NOW}
if redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[2]), ARGV[1]) == 1 then ${LAST} end
return 1`;

/** KEYS[1] the scope's set: the places not expired. */
const COUNT = `${NOW}
return redis.call('ZCOUNT', KEYS[1], now, '+inf')`;

type Scripts = Record<'rosterTakeSlot' | 'rosterRenewSlot' | 'rosterCountSlots', (key: string, ...args: Array<string | number>) => Promise<number>>;

/**
 * Places as members of a sorted set a scope (`roster:slots:{scope}`), scored by when they
 * expire on Redis's clock; each step is one script, so counting and adding agree. If Redis
 * does not answer, taking a place is refused as unavailable (503), never passed.
 */
export class RedisRequestSlots extends HeldSlots {
  private readonly scripts: Scripts;

  constructor(private readonly client: Redis, ttlMs = 120_000) {
    super(ttlMs);
    this.scripts = redisScripts<Scripts>(client, { rosterTakeSlot: TAKE, rosterRenewSlot: RENEW, rosterCountSlots: COUNT });
  }

  protected async claim({ scope, slot }: Held, max: number): Promise<boolean> {
    return (await this.scripts.rosterTakeSlot(keyOf(scope), slot, max, this.ttlMs).catch(refused)) === 1;
  }

  protected async give({ scope, slot }: Held): Promise<void> {
    await this.client.zrem(keyOf(scope), slot);
  }

  protected async renew(held: Held[]): Promise<void> {
    await Promise.all(held.map(({ scope, slot }) => this.scripts.rosterRenewSlot(keyOf(scope), slot, this.ttlMs)));
  }

  async count(scope: string): Promise<number> {
    return this.scripts.rosterCountSlots(keyOf(scope)).catch(refused);
  }
}

const keyOf = (scope: string) => `roster:slots:${scope}`;
const refused = (cause: unknown): never => {
  throw unavailable(cause, 'requests at once');
};

/**
 * The places of the store the rate limits count in.
 *
 * @example
 * const slots = requestSlotsOn(limits.store); // Redis when ROSTER_REDIS_URL is set
 */
export const requestSlotsOn = (store: LimitStore, ttlMs?: number): RequestSlots =>
  (store.kind === 'redis' ? new RedisRequestSlots(store.client, ttlMs) : new PgRequestSlots(store.pool, ttlMs));
