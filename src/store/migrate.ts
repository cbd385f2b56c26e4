import type pg from 'pg';
import { eventStoreSchema } from './postgres-schema.ts';
import { secretsSchema } from './secrets.ts';

/** A fixed advisory-lock key, so that nodes starting together migrate one at a time. */
const MIGRATION_LOCK = 7_260_001;

/**
 * Creates or updates the store's own tables (events, secrets), then each schema the caller
 * gives (read models, admin tokens, registration owners: `service.ts` lists them).
 * Idempotent; safe to run from several nodes at once.
 *
 * @example
 * await migrate(pool, [readModelSchema, tokensSchema]);
 */
export async function migrate(pool: pg.Pool, schemas: string[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    for (const sql of [eventStoreSchema, secretsSchema, ...schemas]) await client.query(sql);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
