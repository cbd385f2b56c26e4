import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { plainCodec } from '../../src/store/codec.ts';
import { PostgresEventStore } from '../../src/store/postgres.ts';
import { testDatabase } from '../support/db.ts';
import { storeContract } from './store-contract.ts';

storeContract('postgres', async () => {
  const db = await testDatabase();
  const store = new PostgresEventStore(db.pool, { codec: plainCodec, listen: { connectionString: db.url } });
  await store.start();
  return {
    store,
    // An append whose transaction stays open: later appends commit first with higher
    // sequence numbers, which is exactly what a naive reader would skip.
    async appendHeldOpen(stream, events, ms) {
      const client = new pg.Client(db.url);
      await client.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT roster_append($1, -2, $2::jsonb)', [stream, JSON.stringify(events)]);
        await sleep(ms);
        await client.query('COMMIT');
      } finally {
        await client.end();
      }
    },
    async teardown() {
      await store.close();
      await db.drop();
    },
  };
});
