/**
 * Typed, versioned events: the PostgreSQL adapter encodes on append and decodes on read,
 * upcasting events recorded at an older version.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RosterEvent } from '../../src/domain/catalog.ts';
import { defaultPoolConfig } from '../../src/domain/pool.ts';
import { InvalidEvent, plainCodec, rosterCodec } from '../../src/store/codec.ts';
import type { NewEvent } from '../../src/store/port.ts';
import { PostgresEventStore } from '../../src/store/postgres.ts';
import { testDatabase, type TestDatabase } from '../support/db.ts';

const metadata = { actor: 'test', correlationId: randomUUID() };

describe('typed, versioned events', () => {
  let db: TestDatabase;
  let store: PostgresEventStore<RosterEvent>;
  before(async () => {
    db = await testDatabase();
    store = new PostgresEventStore(db.pool, { codec: rosterCodec });
  });
  after(() => db.drop());

  it('reads a PoolCreated of version 1 (no cooldown, health or daily limits, no version) upcast to version 3', async () => {
    // Written as a build before version 2 wrote it: no schemaVersion, a configuration without the later fields.
    const old = new PostgresEventStore(db.pool, { codec: plainCodec });
    const config = { name: 'Old', providerId: 'manual', minSize: 1, maxSize: 5, defaultLeaseTtlMs: 60_000, maxLeaseTtlMs: 120_000, strategy: 'lru' };
    await old.append('pool-old', [{ id: randomUUID(), type: 'PoolCreated', data: { poolId: 'old', config, at: new Date().toISOString() }, metadata }], 'no_stream');

    const [read] = await store.readStream('pool-old');
    assert.equal(read?.type, 'PoolCreated');
    assert.equal(read.metadata.schemaVersion, 3);
    if (read.type !== 'PoolCreated') return;
    assert.deepEqual(read.data.config, { ...defaultPoolConfig, ...config, cooldown: defaultPoolConfig.cooldown, health: defaultPoolConfig.health, dailyLimits: {} });
    const [raw] = await old.readStream('pool-old');
    assert.equal(raw?.metadata.schemaVersion, undefined, 'the stored event is left as it was');
  });

  it('reads a PoolConfigured of version 2 (no exclusive) as a pool that is not exclusive', async () => {
    const old = new PostgresEventStore(db.pool, { codec: plainCodec });
    const { exclusive, ...config } = { ...defaultPoolConfig, name: 'Two' };
    assert.equal(exclusive, false);
    const at = new Date().toISOString();
    await old.append('pool-two', [{ id: randomUUID(), type: 'PoolConfigured', data: { poolId: 'two', changes: { minSize: 2 }, config: { ...config, minSize: 2 }, at }, metadata: { ...metadata, schemaVersion: 2 } }], 'no_stream');
    const [read] = await store.readStream('pool-two');
    assert.equal(read?.metadata.schemaVersion, 3);
    if (read?.type !== 'PoolConfigured') return assert.fail(read?.type);
    assert.equal(read.data.config.exclusive, false);
    assert.equal(read.data.config.minSize, 2);
    assert.equal('exclusive' in read.data.changes, false);
  });

  it('records the version on append, and refuses data that does not fit the schema, writing nothing', async () => {
    const at = new Date().toISOString();
    await store.append('pool-new', [{ id: randomUUID(), type: 'PoolCreated', data: { poolId: 'new', config: { ...defaultPoolConfig, name: 'New' }, at }, metadata }], 'no_stream');
    const { rows } = await db.pool.query("SELECT metadata->>'schemaVersion' AS v FROM events WHERE stream_id = 'pool-new'");
    assert.equal(rows[0].v, '3');

    const bad = { id: randomUUID(), type: 'SessionReleased', data: { sessionId: 's', accountIds: 'a', at }, metadata } as unknown as NewEvent;
    await assert.rejects(store.append('pool-new', [bad], 0), (e: unknown) => e instanceof InvalidEvent && /accountIds/.test(e.message));
    const unknown = { id: randomUUID(), type: 'SomethingElse', data: {}, metadata } as unknown as NewEvent;
    await assert.rejects(store.append('pool-new', [unknown], 0), InvalidEvent);
    assert.equal((await store.readStream('pool-new')).length, 1);
  });

  it('refuses to read an event recorded by a newer build than this one', async () => {
    const old = new PostgresEventStore(db.pool, { codec: plainCodec });
    await old.append('account-future', [{
      id: randomUUID(), type: 'AccountEnabled', data: { accountId: 'future', at: new Date().toISOString() }, metadata: { ...metadata, schemaVersion: 7 },
    }], 'no_stream');
    await assert.rejects(store.readStream('account-future'), /version 7 is newer/);
  });
});
