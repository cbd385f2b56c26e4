import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/database.ts';
import { holdingLock } from '../../src/store/advisory-lock.ts';
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

  it('runs the work of one lock key one at a time over two pools, lets the lock go when the work throws, holds it outside a transaction, and bounds the locks a pool\'s connections hold', { timeout: 30_000 }, async () => {
    const one = openDatabase(db.url, 2, 'roster', { idle_in_transaction_session_timeout: '200' });
    // Eight connections: two of them may hold locks at once.
    const two = openDatabase(db.url, 8);
    const small = openDatabase(db.url, 4);
    try {
      const order: string[] = [];
      const work = (name: string, ms: number) => async () => {
        order.push(`${name} in`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`${name} out`);
        return name;
      };
      // Longer than the idle-in-transaction timeout: a lock held in a transaction would be lost with its connection.
      const first = holdingLock(one, 'k', work('a', 400));
      await new Promise((r) => setTimeout(r, 50));
      const [a, b, c] = await Promise.all([first, holdingLock(two, 'k', work('b', 10)), holdingLock(two, 'other', work('c', 10))]);
      assert.deepEqual([a, b, c], ['a', 'b', 'c']);
      assert.deepEqual(order.filter((x) => !x.startsWith('c')), ['a in', 'a out', 'b in', 'b out']);
      assert.ok(order.indexOf('c out') < order.indexOf('a out'), 'another key does not wait');
      await assert.rejects(holdingLock(one, 'k', () => Promise.reject(new Error('broken'))), /broken/);
      assert.equal(await holdingLock(two, 'k', async () => 'taken after a throw'), 'taken after a throw');
      const { rows } = await db.pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
      assert.equal(Number(rows[0]!.n), 0, 'no lock left held');
      // Four connections: one holds a lock at a time, whatever its key, so that the work under it finds connections free.
      order.length = 0;
      await Promise.all([holdingLock(small, 'x', work('x', 50)), holdingLock(small, 'y', work('y', 10))]);
      assert.deepEqual(order, ['x in', 'x out', 'y in', 'y out']);
    } finally {
      await Promise.all([one.end(), two.end(), small.end()]);
    }
  });
});
