/**
 * Work that one node at a time may run for a key, whichever node asks: a PostgreSQL
 * advisory lock on a connection of its own, held for the work's duration.
 */
import type pg from 'pg';

/**
 * Runs `fn` while holding the session advisory lock named `key` (hashed to PostgreSQL's
 * lock space: two keys that collide only wait for each other). The lock is taken outside a
 * transaction, so that work longer than `idle_in_transaction_session_timeout` keeps it; a
 * connection whose unlock fails is closed, which lets the lock go.
 *
 * @example
 * await holdingLock(db, 'roster:replenish:pool-a', () => replenish('pool-a'));
 */
export async function holdingLock<T>(db: pg.Pool, key: string, fn: () => Promise<T>): Promise<T> {
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
}
