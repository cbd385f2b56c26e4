/**
 * Gateway routes set through the API: in effect at once on the node that sets them (the
 * OpenAI SDK as the client, the sandbox as the upstream), on another node of the same
 * database within its log tail's delay, and after a start; recorded as events; refused
 * with a problem naming the field, and nothing recorded, when bad or clashing.
 */
import OpenAI from 'openai';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { registerUser } from '../../src/commands/users.ts';
import { ROUTES_STREAM } from '../../src/domain/gateway-routes.ts';
import { buildSandbox } from '../../src/sandbox/server.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { until } from '../support/sandbox.ts';

describe('gateway routes set through the API', () => {
  const sandbox = buildSandbox();
  let env: Record<string, string>;
  let t: TestRoster;
  let other: TestRoster | undefined;
  let key: string;
  const sdk = (node: TestRoster) => new OpenAI({ apiKey: key, baseURL: `${node.roster.gatewayUrl}/v1`, maxRetries: 0 });
  const ask = (node: TestRoster, model: string) => sdk(node).chat.completions.create({ model, messages: [{ role: 'user', content: 'routed' }] });
  /** The answer's text, or the HTTP status the SDK was refused with. */
  const answer = (node: TestRoster, model: string) => ask(node, model).then((r) => r.choices[0]!.message.content, (e: { status?: number }) => e.status);
  const logged = async () => (await t.roster.services.store.readStream(ROUTES_STREAM)).map((e) => e.type);

  before(async () => {
    const sandboxUrl = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
    env = {
      ROSTER_MASTER_KEY: randomBytes(32).toString('hex'),
      ROSTER_PROVIDERS: JSON.stringify({ sb: { use: 'sandbox', options: { baseUrl: sandboxUrl } } }),
      ROSTER_GATEWAY_ROUTES: JSON.stringify({ fixed: { pools: ['gw'], upstreamModel: 'sandbox-small', aliases: ['fixed-alias'] } }),
      ROSTER_SCHEDULER_INTERVAL_MS: '3600000',
    };
    t = await startTestRoster(env);
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'gw', name: 'Gateway', providerId: 'sb' })).status, 201);
    const imported = await t.call('POST', '/v1/pools/gw/accounts', { accounts: [0, 1].map((i) => ({ login: `r${i}@example.test`, accessToken: `sk-sandbox-route-${i}` })) });
    assert.equal(imported.body.imported, 2);
    await t.call('GET', `/v1/accounts?pool=gw&position=${imported.body.position}`);
    await registerUser(t.roster.services.users, { email: 'dev@example.test', password: 'dev password 1', role: 'member', verified: true }, { actor: 'test', correlationId: 'r' });
    const access = (await t.call('POST', '/v1/auth/login', { email: 'dev@example.test', password: 'dev password 1' }, { token: null })).body.accessToken;
    key = (await t.call('POST', '/v1/keys', { name: 'sdk' }, { token: access })).body.key;
  });
  after(async () => {
    await other?.stop();
    await t.stop();
    await sandbox.app.close();
  });

  it('serves a route as soon as it is set, by its name and aliases, with its price; lists it beside the configured ones', async () => {
    assert.equal(await answer(t, 'live'), 404);
    const put = await t.call('PUT', '/v1/gateway/routes/live', { pools: ['gw'], upstreamModel: 'sandbox-small', aliases: ['live-alias'], price: { inputPerMillion: 3, outputPerMillion: 5 } });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.source, 'api');
    assert.ok(put.body.position);
    assert.equal(await answer(t, 'live'), 'echo: routed');
    assert.equal(await answer(t, 'live-alias'), 'echo: routed');
    assert.deepEqual((await sdk(t).models.list()).data.map((m) => m.id).sort(), ['fixed', 'live']);
    const listed = (await t.call('GET', '/v1/gateway/routes')).body.items as Array<{ model: string; source: string; price: unknown; aliases: string[] }>;
    assert.deepEqual(listed.map((r) => [r.model, r.source, r.aliases]).sort(), [['fixed', 'config', ['fixed-alias']], ['live', 'api', ['live-alias']]]);
    assert.deepEqual(listed.find((r) => r.model === 'live')!.price, { inputPerMillion: 3, outputPerMillion: 5 });
    // A name with a slash (as many model names have) goes URL-encoded in the path.
    assert.equal((await t.call('PUT', `/v1/gateway/routes/${encodeURIComponent('org/model x')}`, { pools: ['gw'], upstreamModel: 'sandbox-small' })).status, 200);
    assert.equal(await answer(t, 'org/model x'), 'echo: routed');
    assert.equal((await t.call('DELETE', `/v1/gateway/routes/${encodeURIComponent('org/model x')}`)).status, 204);
    assert.equal(await answer(t, 'org/model x'), 404);
    // Setting it again as it is records nothing.
    assert.equal((await t.call('PUT', '/v1/gateway/routes/live', { price: { outputPerMillion: 5, inputPerMillion: 3 }, aliases: ['live-alias'], upstreamModel: 'sandbox-small', pools: ['gw'] })).status, 200);
    assert.deepEqual(await logged(), ['GatewayRouteSet', 'GatewayRouteSet', 'GatewayRouteRemoved']);
    const [event] = await t.roster.services.store.readStream(ROUTES_STREAM);
    assert.match(event!.metadata.actor, /^admin/);
    // The audit trail says who set it.
    const head = String(await t.roster.services.store.headPosition());
    const audit = await t.call('GET', `/v1/audit?stream=${ROUTES_STREAM}&position=${encodeURIComponent(head)}`);
    const rows = (audit.body.items as Array<{ type: string; actor: string }>).map((r) => `${r.type} by ${r.actor}`).sort();
    const by = event!.metadata.actor;
    assert.deepEqual(rows, [`GatewayRouteRemoved by ${by}`, `GatewayRouteSet by ${by}`, `GatewayRouteSet by ${by}`]);
  });

  it('refuses a bad or clashing route with a problem naming the field, and records nothing', async () => {
    const before = await logged();
    const refusals: Array<[string, string, unknown, number, string]> = [
      ['PUT', 'nopool', { pools: ['missing'] }, 400, 'pools.0'],
      ['PUT', 'nopool', { pools: [{ pool: 'gw' }, { pool: 'missing', weight: 2 }] }, 400, 'pools.1.pool'],
      ['PUT', 'empty', { pools: [] }, 400, 'pools'],
      ['PUT', 'extra', { pools: ['gw'], tier: 'gold' }, 400, ''],
      ['PUT', 'cheap', { pools: ['gw'], price: { inputPerMillion: -1, outputPerMillion: 0 } }, 400, 'price.inputPerMillion'],
      ['PUT', 'fixed', { pools: ['gw'] }, 409, 'model'],
      ['PUT', 'fixed-alias', { pools: ['gw'] }, 409, 'model'],
      ['PUT', 'mine', { pools: ['gw'], aliases: ['live-alias'] }, 409, 'aliases.0'],
      ['PUT', 'mine', { pools: ['gw'], aliases: ['x', 'live'] }, 409, 'aliases.1'],
      ['DELETE', 'fixed', undefined, 409, 'model'],
      ['DELETE', 'never-set', undefined, 404, ''],
    ];
    for (const [method, model, body, status, field] of refusals) {
      const r = await t.call(method, `/v1/gateway/routes/${encodeURIComponent(model)}`, body);
      assert.equal(r.status, status, `${method} ${model} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.match(String(r.headers.get('content-type')), /problem\+json/);
      if (field) assert.ok(JSON.stringify(r.body).includes(field), `${method} ${model}: names ${field}: ${JSON.stringify(r.body)}`);
    }
    assert.deepEqual(await logged(), before);
    assert.equal(await answer(t, 'nopool'), 404);
    const viewer = await registerUser(t.roster.services.users, { email: 'viewer@example.test', password: 'viewer password', role: 'viewer', verified: true }, { actor: 'test', correlationId: 'v' });
    assert.ok(viewer.created);
    const access = (await t.call('POST', '/v1/auth/login', { email: 'viewer@example.test', password: 'viewer password' }, { token: null })).body.accessToken;
    assert.equal((await t.call('PUT', '/v1/gateway/routes/viewers', { pools: ['gw'] }, { token: access })).status, 403);
  });

  it('another node takes the routes in at its start and follows their changes on its log tail', async () => {
    other = await startTestRoster(env, t.db);
    assert.equal(await answer(other, 'live'), 'echo: routed', 'set before the node started');
    assert.equal((await t.call('PUT', '/v1/gateway/routes/later', { pools: ['gw'], upstreamModel: 'sandbox-small' })).status, 200);
    await until('the other node serves the new route', async () => (await answer(other!, 'later')) === 'echo: routed');
    assert.equal((await t.call('DELETE', '/v1/gateway/routes/live')).status, 204);
    assert.equal(await answer(t, 'live'), 404, 'gone at once where it was removed');
    await until('the other node drops the removed route', async () => (await answer(other!, 'live')) === 404);
    assert.equal(await answer(other, 'fixed'), 'echo: routed');
    assert.deepEqual((await logged()).slice(3), ['GatewayRouteSet', 'GatewayRouteRemoved']);
  });
});
