import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/**
 * Requests under way per scope (`key:{id}`, `user:{id}`), for limits on requests at once:
 * one row a request, which lasts until the request ends or, should its node die, until it
 * expires. A node renews the rows of its requests while they run.
 */
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
interface Held {
  scope: string;
  slot: string;
}

/**
 * Places for requests under way, at most `max` a scope across every node. A place left by
 * a node that died is free again within `ttlMs`; the places of requests still running are
 * renewed every third of it.
 *
 * @example
 * const slots = new RequestSlots(pool);
 * const held = await slots.take('key:k1', 4); // undefined: four requests of the key are under way
 * if (held) try { await forward(); } finally { await held(); }
 */
export class RequestSlots {
  private readonly held = new Set<Held>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pool: pg.Pool, private readonly ttlMs = 120_000) {}

  /** Takes a place in the scope if fewer than `max` are taken: the function that gives it back, or undefined. */
  async take(scope: string, max: number): Promise<(() => Promise<void>) | undefined> {
    const slot = randomUUID();
    const { rows } = await this.pool.query<{ taken: boolean }>('SELECT roster_take_slot($1, $2, $3, $4) AS taken', [scope, slot, max, this.ttlMs]);
    if (!rows[0]?.taken) return undefined;
    const held = { scope, slot };
    this.held.add(held);
    this.renewing();
    return async () => {
      if (!this.held.delete(held)) return;
      await this.pool.query('DELETE FROM request_slots WHERE scope = $1 AND slot = $2', [scope, slot]);
    };
  }

  /** Requests under way in a scope, on every node. */
  async count(scope: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM request_slots WHERE scope = $1 AND expires_at >= now()', [scope]);
    return rows[0]?.n ?? 0;
  }

  /** Stops renewing (the places held expire by themselves). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** While places are held, renews them every third of their time to live, in one statement. */
  private renewing(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.held.size === 0) return this.stop();
      const slots = [...this.held].map((h) => h.slot);
      this.pool.query("UPDATE request_slots SET expires_at = now() + $2 * interval '1 millisecond' WHERE slot = ANY($1::text[])", [slots, this.ttlMs]).catch(() => undefined);
    }, Math.max(1000, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }
}
