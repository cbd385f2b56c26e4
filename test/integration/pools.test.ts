import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { apiClient } from '../support/api.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('pools over HTTP', () => {
  let t: TestRoster;
  let api: ReturnType<typeof apiClient>;
  const eventCount = async () => Number((await t.db.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
  before(async () => {
    t = await startTestRoster();
    api = apiClient(t.roster.url, t.token);
  });
  after(async () => t.stop());

  it('needs a token everywhere but health', async () => {
    assert.equal((await t.call('GET', '/v1/pools', undefined, { token: null })).status, 401);
    assert.equal((await t.call('GET', '/v1/pools', undefined, { token: 'roster_00000000_wrongwrongwrongwrongwrong' })).status, 401);
    // What the refusal says: a token asked for when none came; a token sent but of no known form is not valid.
    const detail = async (token: string | null) => (await t.call('GET', '/v1/pools', undefined, { token })).body.detail;
    assert.equal(await detail(null), 'a bearer admin token is required');
    assert.equal(await detail('not-a-token'), 'the bearer token is not valid');
    assert.equal(await detail('rk_short'), 'the API key is not valid');
    assert.equal((await t.call('GET', '/docs/json', undefined, { token: null })).status, 200, 'the API description is public');
    assert.equal((await t.call('GET', '/health', undefined, { token: null })).status, 200);
    assert.equal((await t.call('GET', '/health/live', undefined, { token: null })).status, 200);
    const docs = await t.call('GET', '/docs/json');
    assert.equal(docs.status, 200);
    assert.ok(docs.body.paths['/v1/pools/{poolId}/sessions']);
  });

  it('creates a pool with defaults, and refuses the same id again', async () => {
    // Through the client generated from the OpenAPI document: the description matches the server.
    const created = await api.POST('/v1/pools', { body: { poolId: 'staging', name: 'Staging users', minSize: 2, strategy: 'round_robin' } });
    assert.equal(created.response.status, 201);
    assert.equal(created.data?.config.strategy, 'round_robin');
    assert.equal(created.data?.config.maxSize, 10000);
    assert.match(created.data?.position ?? '', /^\d+\.\d+$/);
    const again = await api.POST('/v1/pools', { body: { poolId: 'staging', name: 'Other' } });
    assert.equal(again.response.status, 409);
    assert.equal(again.error?.code, 'pool_exists');
    assert.match(again.response.headers.get('content-type')!, /application\/problem\+json/);
  });

  it('answers bad input with 400 naming every bad field, and writes nothing', async () => {
    const before = await eventCount();
    const bad = await t.call('POST', '/v1/pools', { poolId: 'bad id!', name: '', minSize: -1, strategy: 'fastest', colour: 'red' });
    assert.equal(bad.status, 400);
    const fields = bad.body.errors.map((e: { field: string }) => e.field).sort();
    assert.deepEqual(fields, ['colour', 'minSize', 'name', 'poolId', 'strategy']);
    const cross = await t.call('POST', '/v1/pools', { poolId: 'p2', name: 'P', minSize: 5, maxSize: 1 });
    assert.equal(cross.status, 400);
    assert.deepEqual(cross.body.errors.map((e: { field: string }) => e.field), ['maxSize']);
    assert.equal(await eventCount(), before);
  });

  it('lists and gets pools from the read model, waiting for a given position', async () => {
    const created = await api.POST('/v1/pools', { body: { poolId: 'fresh', name: 'Fresh' } });
    const position = created.data?.position;
    const got = await api.GET('/v1/pools/{poolId}', { params: { path: { poolId: 'fresh' }, query: { position } } });
    assert.equal(got.response.status, 200);
    assert.equal(got.data?.name, 'Fresh');
    assert.equal(got.data?.health, 'critical');
    assert.deepEqual(got.data?.counts, { total: 0, available: 0, leased: 0, cooling: 0, disabled: 0, retired: 0 });
    const list = await api.GET('/v1/pools', { params: { query: { position } } });
    assert.deepEqual(list.data?.items.map((p) => p.poolId), ['default', 'fresh', 'staging']);
    const missing = await api.GET('/v1/pools/{poolId}', { params: { path: { poolId: 'nope' } } });
    assert.equal(missing.response.status, 404);
    assert.equal(missing.error?.code, 'pool_not_found');
  });

  it('configures a pool, checks the result as a whole, and 404s an unknown one', async () => {
    const changed = await api.PATCH('/v1/pools/{poolId}', { params: { path: { poolId: 'staging' } }, body: { minSize: 4, health: { criticalRatio: 0.5 } } });
    assert.equal(changed.response.status, 200);
    assert.equal(changed.data?.config.minSize, 4);
    assert.equal(changed.data?.config.health.lowRatio, 1);
    assert.equal(changed.data?.config.health.criticalRatio, 0.5);
    const got = await api.GET('/v1/pools/{poolId}', { params: { path: { poolId: 'staging' }, query: { position: changed.data?.position } } });
    assert.equal(got.data?.minSize, 4);
    const bad = await t.call('PATCH', '/v1/pools/staging', { defaultLeaseTtlMs: 10 * 86_400_000 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'defaultLeaseTtlMs');
    assert.equal((await t.call('PATCH', '/v1/pools/staging', {})).status, 400);
    assert.equal((await t.call('PATCH', '/v1/pools/none', { minSize: 1 })).status, 404);
  });
});
