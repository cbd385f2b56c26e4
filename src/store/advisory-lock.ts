/**
 * Work that one node at a time may run for a key, whichever node asks: a queue per key on
 * this node, then a PostgreSQL advisory lock on a connection of its own, held for the
 * work's duration.
 */
import type pg from 'pg';
import { Gate, Turns } from '../effect.ts';

/** This node's work for each key, in arrival order: one waits here, not on a connection. */
const turns = new Turns();

/** Per pool of connections, how many locks its connections hold at once on this node. */
const holders = new WeakMap<pg.Pool, Gate>();

/**
 * A quarter of the pool's connections at most (at least one) hold locks at once: the work
 * under a lock runs its queries on other connections of the pool, which lock holders must
 * not take all of.
 */
function holdersOf(db: pg.Pool): Gate {
  let gate = holders.get(db);
  if (!gate) holders.set(db, (gate = new Gate(Math.max(1, Math.floor((db.options.max ?? 10) / 4)))));
  return gate;
}

/**
 * Runs `fn` after this node's earlier work for `key`, while holding the session advisory
 * lock named `key` (hashed to PostgreSQL's
 * lock space: two keys that collide only wait for each other). The lock is taken outside a
 * transaction, so that work longer than `idle_in_transaction_session_timeout` keeps it; a
 * connection whose unlock fails is closed, which lets the lock go. Not to be nested: work
 * under a lock that waits for another lock on the same pool may wait for its own place.
 *
 * @example
 * await holdingLock(db, 'roster:replenish:pool-a', () => replenish('pool-a'));
 */
export function holdingLock<T>(db: pg.Pool, key: string, fn: () => Promise<T>): Promise<T> {
  return turns.run(key, () => holdersOf(db).run(async () => {
    const client = await db.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).then(() => client.release(), (err: Error) => client.release(err));
    }
  }));
}
