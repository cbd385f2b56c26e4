import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/database.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';

describe('database pool', () => {
  let db: TestDatabase;
  before(async () => {
    db = await testDatabase({ migrate: false });
  });
  after(async () => {
    await db.drop();
  });

  it('gives every connection its name and session settings', async () => {
    const background = openDatabase(db.url, 2, 'roster-background', { synchronous_commit: 'local', statement_timeout: '5s' });
    const serving = openDatabase(db.url, 2);
    try {
      const show = async (pool: typeof serving) => (await pool.query<{ sync: string; timeout: string; name: string; idle: string }>(
        `SELECT current_setting('synchronous_commit') AS sync, current_setting('statement_timeout') AS timeout,
                current_setting('application_name') AS name, current_setting('idle_in_transaction_session_timeout') AS idle`)).rows[0];
      const server = (await db.pool.query<{ sync: string }>(`SELECT current_setting('synchronous_commit') AS sync`)).rows[0]!.sync;
      assert.deepEqual(await show(background), { sync: 'local', timeout: '5s', name: 'roster-background', idle: '10s' });
      assert.deepEqual(await show(serving), { sync: server, timeout: '0', name: 'roster', idle: '10s' });
    } finally {
      await Promise.all([background.end(), serving.end()]);
    }
  });

  it('survives the server ending a connection that is checked out: no unhandled error, the pool goes on', async () => {
    const pool = openDatabase(db.url, 2);
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      const held = await pool.connect(); // held, as the projection runner holds its own
      const { rows } = await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await new Promise((r) => setTimeout(r, 300));
      await assert.rejects(held.query('SELECT 1'));
      held.release(true);
      assert.deepEqual(uncaught, []);
      assert.equal((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
    }
  });
});
