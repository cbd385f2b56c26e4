import type pg from 'pg';
import { eventStoreSchema } from './postgres-schema.ts';
import { secretsSchema } from './secrets.ts';
import { readModelSchema } from '../projections/schema.ts';
import { authSchema } from '../http/auth.ts';
import { ownersSchema } from '../workers/registration.ts';

/** A fixed advisory-lock key, so that nodes starting together migrate one at a time. */
const MIGRATION_LOCK = 7_260_001;

/**
 * Creates or updates every table Roster keeps in PostgreSQL. Idempotent; safe to run from
 * several nodes at once.
 *
 * @example
 * await migrate(pool);
 */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    for (const sql of [eventStoreSchema, secretsSchema, readModelSchema, authSchema, ownersSchema]) await client.query(sql);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
