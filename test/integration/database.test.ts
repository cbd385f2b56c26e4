import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/service.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';

describe('database pool', () => {
  let db: TestDatabase;
  before(async () => {
    db = await testDatabase({ migrate: false });
  });
  after(async () => {
    await db.drop();
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
