import type pg from 'pg';
import type { EventStore } from '../store/port.ts';
import type { RowProjection } from './projection.ts';
import { ProjectionRunner, readCheckpoint } from './runner.ts';

/**
 * Rebuilds a projection from the whole log without stopping the live one: builds a new
 * table beside it, catches up, then, holding the live checkpoint and table, applies the
 * last events and swaps the tables. Returns the number of rows in the new table.
 *
 * @example
 * await rebuild(pool, store, accountsProjection);
 */
export async function rebuild(pool: pg.Pool, store: EventStore, projection: RowProjection): Promise<number> {
  const next = `${projection.table}_next`;
  const checkpoint = `${projection.name}:rebuild`;
  await pool.query(`DROP TABLE IF EXISTS ${next}`);
  await pool.query(`CREATE TABLE ${next} (LIKE ${projection.table} INCLUDING ALL)`);
  await pool.query('DELETE FROM projection_checkpoints WHERE name = $1', [checkpoint]);
  const runner = new ProjectionRunner(pool, store, [projection], { tableOf: () => next, checkpointOf: () => checkpoint });
  const client = await pool.connect();
  try {
    await runner.catchUp(client);
    await client.query('BEGIN');
    await client.query(`INSERT INTO projection_checkpoints (name, position) VALUES ($1, '') ON CONFLICT DO NOTHING`, [projection.name]);
    await client.query('SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [projection.name]);
    await client.query(`LOCK TABLE ${projection.table} IN ACCESS EXCLUSIVE MODE`);
    while ((await runner.step(client, false)) > 0);
    const position = await readCheckpoint(client, checkpoint);
    await client.query(`ALTER TABLE ${projection.table} RENAME TO ${projection.table}_old`);
    await client.query(`ALTER TABLE ${next} RENAME TO ${projection.table}`);
    await client.query(`DROP TABLE ${projection.table}_old`);
    await client.query('UPDATE projection_checkpoints SET position = $2 WHERE name = $1', [projection.name, position]);
    await client.query('DELETE FROM projection_checkpoints WHERE name = $1', [checkpoint]);
    await client.query('COMMIT');
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${projection.table}`);
    return Number(rows[0]!.n);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
