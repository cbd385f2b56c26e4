import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
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

describe('PostgreSQL event times', () => {
  it('reads when an event was recorded to the millisecond, floored as a Date holds it, before 1970 and after', async () => {
    const db = await testDatabase();
    const store = new PostgresEventStore(db.pool, { codec: plainCodec });
    try {
      await store.append('times-1', [1, 2, 3].map((n) => ({ id: randomUUID(), type: 'Ticked', data: { n }, metadata: { actor: 'test', correlationId: randomUUID() } })), 'no_stream');
      const stored = ['1969-12-31 23:59:59.9995+00', '2026-12-05 05:00:00.000999+00', '2026-12-05 05:00:00.123+00'];
      for (const [revision, at] of stored.entries()) {
        await db.pool.query('UPDATE events SET recorded_at = $2 WHERE stream_id = $1 AND revision = $3', ['times-1', at, revision]);
      }
      const read = await store.readStream('times-1');
      assert.deepEqual(read.map((e) => e.recordedAt.toISOString()), ['1969-12-31T23:59:59.999Z', '2026-12-05T05:00:00.000Z', '2026-12-05T05:00:00.123Z']);
      const all = await store.readAll({ limit: 10 });
      assert.deepEqual(all.map((e) => e.recordedAt.getTime()), read.map((e) => e.recordedAt.getTime()));
    } finally {
      await store.close();
      await db.drop();
    }
  });
});

describe('PostgreSQL events held back', () => {
  it('readAll holds back events committed after an open transaction began; with `committed` it shows them (for measuring the wait)', async () => {
    const db = await testDatabase();
    const store = new PostgresEventStore(db.pool, { codec: plainCodec });
    const holder = await db.pool.connect();
    try {
      const event = () => ({ id: randomUUID(), type: 'Ticked', data: {}, metadata: { actor: 'test', correlationId: randomUUID() } });
      await store.append('held-1', [event()], 'no_stream');
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      await store.append('held-2', [event()], 'no_stream');
      assert.deepEqual((await store.readAll({ limit: 10 })).map((e) => e.stream), ['held-1'], 'a reader does not pass the open transaction');
      assert.deepEqual((await store.readAll({ limit: 10, committed: true })).map((e) => e.stream), ['held-1', 'held-2']);
      await holder.query('ROLLBACK');
      assert.deepEqual((await store.readAll({ limit: 10 })).map((e) => e.stream), ['held-1', 'held-2'], 'readable once it ends');
    } finally {
      holder.release();
      await store.close();
      await db.drop();
    }
  });
});
