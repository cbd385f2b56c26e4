/** A LISTEN connection that comes back after the server ends it, and stays away once closed. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { listen } from '../../src/store/listen.ts';
import pgModule from 'pg';
import { serverUrl, testDatabase, type TestDatabase } from '../support/db.ts';

describe('listening', () => {
  let db: TestDatabase;
  before(async () => { db = await testDatabase({ migrate: false }); });
  after(async () => db.drop());

  /** Backends of this database listening on the channel. */
  const listeners = async () => (await db.pool.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN roster_test'",
  )).rows.map((r) => r.pid);
  const until = async (what: string, ok: () => Promise<boolean>) => {
    for (let i = 0; i < 100; i++, await sleep(50)) if (await ok()) return;
    assert.fail(`${what} did not happen in 5 s`);
  };

  it('opens again after the server ends the connection, hears notifications there, and not after close', async () => {
    const heard: string[] = [];
    let lost = 0;
    let closed = false;
    let current: pg.Client | undefined;
    current = await listen({ connectionString: db.url }, 'roster_test', {
      onNotify: (payload) => heard.push(payload), onLost: () => lost++, closed: () => closed,
    }, (client) => (current = client));
    await db.pool.query("NOTIFY roster_test, 'one'");
    await until('the first notification', async () => heard.includes('one'));
    const [first] = await listeners();
    await db.pool.query('SELECT pg_terminate_backend($1)', [first]);
    await until('a new listening connection', async () => {
      const pids = await listeners();
      return pids.length === 1 && pids[0] !== first;
    });
    assert.equal(lost, 1);
    await db.pool.query("NOTIFY roster_test, 'two'");
    await until('the notification on the new connection', async () => heard.includes('two'));
    closed = true;
    await current!.end();
    await sleep(1500);
    assert.deepEqual(await listeners(), [], 'a closed owner is not listened for again');
  });

  it('keeps trying while the database refuses connections, and stops trying once its owner closes', async () => {
    let asked = 0;
    let closed = false;
    await listen({ connectionString: db.url }, 'roster_test', {
      onNotify: () => undefined, closed: () => (asked++, closed),
    }, () => undefined);
    const name = new URL(db.url).pathname.slice(1);
    // From the server's own database: a database cannot refuse connections from inside itself.
    const admin = new pgModule.Client(serverUrl());
    await admin.connect();
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    try {
      const [pid] = await listeners();
      await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      await sleep(3000);
      assert.ok(asked >= 2, `each try asks whether the owner closed (asked ${asked} times)`);
      closed = true;
      await sleep(1500);
      const settled = asked;
      await sleep(2000);
      assert.equal(asked, settled, 'no more tries once closed');
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await sleep(1500);
    assert.deepEqual(await listeners(), []);
  });
});
