/**
 * The service's lifecycle as Layers: a stop releases every resource, and a start that
 * fails part way releases what it had acquired.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { loadConfig } from '../../src/config.ts';
import { startRoster } from '../../src/service.ts';
import { serverUrl, testDatabase, type TestDatabase } from '../support/db.ts';
import { until } from '../support/sandbox.ts';
import { testToken } from '../support/roster.ts';

/** Connections Roster holds to the database (its pools, its listeners). */
async function rosterConnections(db: TestDatabase): Promise<number> {
  const admin = new pg.Client(serverUrl());
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name <> 'test'",
      [new URL(db.url).pathname.slice(1)],
    );
    return Number(rows[0]!.n);
  } finally {
    await admin.end();
  }
}

const start = (db: TestDatabase, port = '0') => startRoster(
  loadConfig({ ROSTER_PORT: port, ROSTER_GATEWAY_PORT: '0', ROSTER_ADMIN_TOKEN: testToken(), ROSTER_LOG_LEVEL: 'silent' }),
  { databaseUrl: db.url, masterKey: randomBytes(32), logger: false },
);

describe('service lifecycle', () => {
  it('a stop releases every connection; a start that fails at its last step (the port is taken) releases what it had opened', async () => {
    const [a, b] = [await testDatabase({ migrate: false }), await testDatabase({ migrate: false })];
    await a.pool.end();
    await b.pool.end();
    const first = await start(a);
    assert.ok(await rosterConnections(a) > 0, 'the running service holds connections');
    const port = new URL(first.url).port;
    await assert.rejects(start(b, port), /EADDRINUSE/);
    await until('the failed start to release its connections', async () => (await rosterConnections(b)) === 0);
    await first.stop();
    await until('the stop to release every connection', async () => (await rosterConnections(a)) === 0);
    for (const db of [a, b]) await db.drop().catch(() => undefined);
  });
});
