import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/store/migrate.ts';
import { schemas } from '../../src/database.ts';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** The server `npm test` started, or the one ROSTER_TEST_DATABASE_URL names. */
export function serverUrl(): string {
  const url = process.env.ROSTER_TEST_DATABASE_URL;
  if (!url) throw new Error('ROSTER_TEST_DATABASE_URL is not set: run the tests with `npm test`');
  return url;
}

/** A new, migrated database of its own for one test file. */
export async function testDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `roster_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client(serverUrl());
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 20 });
  pool.on('error', () => undefined);
  if (options.migrate !== false) await migrate(pool, schemas);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client(serverUrl());
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
