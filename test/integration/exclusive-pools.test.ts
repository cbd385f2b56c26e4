/**
 * An exclusive pool served by two nodes on one database: the gateway of node a leases
 * (claims) each account before it sends requests through it, so that the lease API on
 * either node never hands out an account the gateway is using, and the gateway never uses
 * an account leased on either node. The sandbox upstream records when it served each
 * request and with which key; the leases' holders record when they held which account; no
 * two intervals of one account may meet.
 */
import OpenAI from 'openai';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyRequest } from 'fastify';
import { registerUser } from '../../src/commands/users.ts';
import { buildSandbox } from '../../src/sandbox/server.ts';
import { RouteChecks } from '../../src/workers/route-check.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

interface Interval { key: string; from: number; to: number }

describe('an exclusive pool on two nodes', () => {
  const sandbox = buildSandbox();
  const keys = Array.from({ length: 4 }, (_, i) => `sk-sandbox-ex-${i}`);
  /** When the sandbox served each chat request, and with which key. */
  const served: Interval[] = [];
  /** When the sandbox served each model list (a route check), and with which key. */
  const lists: Interval[] = [];
  /** The keys message batches were read with. */
  const batchReads: string[] = [];
  /** When a lease holder certainly held each account: from the answer to the release. */
  const held: Interval[] = [];
  const started = new WeakMap<FastifyRequest, number>();
  sandbox.app.addHook('onRequest', async (req) => void started.set(req, performance.now()));
  sandbox.app.addHook('onResponse', async (req) => {
    const key = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (key && req.url.startsWith('/v1/chat')) served.push({ key, from: started.get(req)!, to: performance.now() });
    if (key && req.url.startsWith('/v1/models')) lists.push({ key, from: started.get(req)!, to: performance.now() });
    if (key && req.method === 'GET' && req.url.startsWith('/v1/messages/batches/')) batchReads.push(key);
  });
  let a: TestRoster;
  let b: TestRoster;
  let aStopped = false;
  let openai: OpenAI;
  let apiKey: string;
  /** accountId → the key the upstream sees for it. */
  let keyOf: Map<string, string>;

  const behave = (latencyMs: number) => sandbox.app.inject({ method: 'POST', url: '/_sandbox/llm', payload: { keys: Object.fromEntries(keys.map((k) => [k, { latencyMs }])), reset: true } });
  const ask = () => openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'x' }] });
  /** Allocates on a node; answers the response, and (when served) the keys held and a release that records the interval. */
  const lease = async (node: TestRoster, count: number, waitMs = 0) => {
    const res = await node.call('POST', '/v1/pools/ex/sessions', { count, waitMs });
    if (res.status !== 201) return { res, keys: [] as string[], release: async () => undefined };
    const from = performance.now();
    const leased = (res.body.leases as Array<{ accountId: string }>).map((l) => keyOf.get(l.accountId)!);
    return {
      res, keys: leased,
      release: async () => {
        const to = performance.now();
        held.push(...leased.map((key) => ({ key, from, to })));
        assert.equal((await node.call('POST', `/v1/pools/ex/sessions/${res.body.sessionId}/release`, { leaseSecret: res.body.leaseSecret })).status, 200);
      },
    };
  };
  const overlaps = () => held.flatMap((h) => served.filter((s) => s.key === h.key && s.from < h.to && s.to > h.from).map((s) => ({ lease: h, request: s })));
  const claimsOnA = () => a.roster.services.gateway.claims.size;
  /** Node a goes by what it has heard of the pool's ledger: waits until it counts `leased` accounts leased. */
  const heardOnA = async (leased: number) => {
    const ledger = async () => (await a.roster.services.allocators.get('ex')).current.ledger;
    for (let i = 0; i < 250 && (await ledger()).leasedTo.size !== leased; i++) await sleep(20);
    assert.equal((await ledger()).leasedTo.size, leased, 'node a heard node b');
  };
  /** Requests through node a back to back, eight at once, until the answer is called; answers how many were answered so far. */
  const keepBusy = () => {
    let going = true;
    let answered = 0;
    const loops = Array.from({ length: 8 }, async () => {
      while (going) {
        await ask();
        answered++;
      }
    });
    return {
      answered: () => answered,
      stop: async () => {
        going = false;
        await Promise.all(loops);
      },
    };
  };

  before(async () => {
    const sandboxUrl = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
    const env = {
      ROSTER_MASTER_KEY: randomBytes(32).toString('hex'),
      ROSTER_PROVIDERS: JSON.stringify({ sb: { use: 'sandbox', options: { baseUrl: sandboxUrl } } }),
      ROSTER_GATEWAY_ROUTES: JSON.stringify({ small: { pools: ['ex'], upstreamModel: 'sandbox-small' } }),
      // Claims idle for 1.5 s are released; upkeep every 0.5 s.
      ROSTER_GATEWAY_CLAIM_TTL_MS: '3000', ROSTER_GATEWAY_MAX_IN_FLIGHT: '16', ROSTER_SCHEDULER_INTERVAL_MS: '3600000',
    };
    a = await startTestRoster(env);
    b = await startTestRoster(env, a.db);
    const created = await a.call('POST', '/v1/pools', { poolId: 'ex', name: 'Exclusive', providerId: 'sb', exclusive: true });
    assert.equal(created.status, 201);
    assert.equal(created.body.config.exclusive, true);
    const imported = await a.call('POST', '/v1/pools/ex/accounts', { accounts: keys.map((k, i) => ({ login: `ex${i}@example.test`, accessToken: k })) });
    assert.equal(imported.body.imported, 4);
    const listed = await a.call('GET', `/v1/accounts?pool=ex&limit=10&position=${imported.body.position}`);
    keyOf = new Map(listed.body.items.map((x: { accountId: string; login: string }) => [x.accountId, keys[Number(/^ex(\d)@/.exec(x.login)![1])]!]));
    for (let i = 0; i < 100 && (await b.call('GET', '/v1/pools/ex')).body.counts?.total !== 4; i++) await sleep(50);
    await registerUser(a.roster.services.users, { email: 'ex@example.test', password: 'ex password 1', role: 'member', verified: true }, { actor: 'test', correlationId: 'ex' });
    const access = (await a.call('POST', '/v1/auth/login', { email: 'ex@example.test', password: 'ex password 1' }, { token: null })).body.accessToken;
    const key = (await a.call('POST', '/v1/keys', { name: 'ex' }, { token: access })).body.key;
    apiKey = key;
    openai = new OpenAI({ apiKey: key, baseURL: `${a.roster.gatewayUrl}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await b?.stop();
    // Node a made the database: dropping it waits for b.
    if (aStopped) await a.db.drop();
    else await a?.stop();
    await sandbox.app.close();
  });

  it('uses no account leased on the other node, and the other node leases none it uses', async () => {
    await behave(600);
    // Node b leases two accounts; node a's gateway has not necessarily heard of it yet.
    const first = await lease(b, 2);
    assert.equal(first.res.status, 201);
    const requests = Array.from({ length: 6 }, ask);
    for (let i = 0; i < 200 && claimsOnA() < 2; i++) await sleep(10);
    // The gateway's requests are on the two other accounts now (claimed): b finds none free.
    const refused = await b.call('POST', '/v1/pools/ex/sessions', { count: 1, waitMs: 0 });
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body.code, 'no_account_available');
    // The claims are leases in the pool's ledger, held by node a's gateway, seen by b.
    const claimed = (await b.roster.services.allocators.get('ex')).current.ledger;
    const holders = [...claimed.leasedTo.values()].map((sessionId) => claimed.sessions.get(sessionId)!.holder);
    assert.equal(holders.filter((h) => h === a.roster.services.gateway.claims.holder).length, 2, holders.join());
    // An operator cannot release a claim (a's requests may be using the account), nor allocate as a gateway.
    const claim = [...claimed.leasedTo.values()].find((id) => claimed.sessions.get(id)!.holder.startsWith('gateway:'))!;
    const refusedRelease = await b.call('POST', `/v1/pools/ex/sessions/${claim}/release`, {});
    assert.equal(refusedRelease.status, 409, JSON.stringify(refusedRelease.body));
    assert.equal(refusedRelease.body.code, 'gateway_claim');
    assert.equal(claimed.sessions.get(claim)!.status, 'live');
    // Read while the requests are in flight: idle claims are given back after 1.5 s.
    const metrics = await a.call('GET', '/metrics');
    assert.match(metrics.body, /^roster_gateway_claims\{pool="ex"[^}]*\} 2$/m);
    const posing = await b.call('POST', '/v1/pools/ex/sessions', { count: 1, waitMs: 0, holder: 'gateway:b' });
    assert.equal(posing.status, 400);
    assert.equal(posing.body.errors[0].field, 'holder');
    const answers = await Promise.all(requests);
    assert.equal(answers.length, 6);
    await first.release();
    const used = new Set(served.map((s) => s.key));
    assert.deepEqual([...used].sort(), keys.filter((k) => !first.keys.includes(k)).sort());
    assert.deepEqual(overlaps(), []);
  });

  it('gives idle claims back, and yields to a lease waiting on its own node while requests go on', async () => {
    // Idle for half their time to live, the claims are released: b can lease every account.
    for (let i = 0; i < 100 && claimsOnA() > 0; i++) await sleep(50);
    assert.equal(claimsOnA(), 0);
    assert.match((await a.call('GET', '/metrics')).body, /^roster_gateway_claims\{pool="ex"[^}]*\} 0$/m, 'the gauge shows none, not its last figure');
    const all = await lease(b, 4);
    assert.equal(all.res.status, 201, JSON.stringify(all.res.body));
    await all.release();

    // Requests back to back keep every account in use: a lease on node a waits, and the
    // gateway gives it the first account whose requests end.
    await behave(150);
    const busy = keepBusy();
    for (let i = 0; i < 100 && claimsOnA() < 4; i++) await sleep(50);
    assert.equal(claimsOnA(), 4, 'the gateway claims every account');
    const waited = await lease(a, 1, 5000);
    assert.equal(waited.res.status, 201, JSON.stringify(waited.res.body));
    const during = busy.answered();
    await sleep(400);
    assert.ok(busy.answered() > during, 'the gateway goes on serving on the other accounts');
    await waited.release();
    await busy.stop();
    assert.deepEqual(overlaps(), []);
  });

  it('gives up claims older than twice their time to live, so that a lease waiting on the other node is served', async () => {
    await behave(150);
    const busy = keepBusy();
    for (let i = 0; i < 100 && claimsOnA() < 4; i++) await sleep(50);
    assert.equal(claimsOnA(), 4);
    // Node a cannot see b's allocation wait; its claims (3 s to live) are given up after 6 s.
    const started = performance.now();
    const waited = await lease(b, 1, 15_000);
    assert.equal(waited.res.status, 201, JSON.stringify(waited.res.body));
    assert.ok(performance.now() - started > 3000, 'not before the claims grew old');
    await waited.release();
    await busy.stop();
    assert.deepEqual(overlaps(), []);
  });

  it('claims ahead the accounts its order offers next', async () => {
    for (let i = 0; i < 100 && claimsOnA() > 0; i++) await sleep(50);
    assert.equal(claimsOnA(), 0);
    // Accounts whose old claims were given up rest a second before they are claimed again.
    await sleep(1100);
    await behave(0);
    await ask();
    // One request waited for its own claim; the three accounts after it were claimed meanwhile.
    for (let i = 0; i < 100 && claimsOnA() < 4; i++) await sleep(20);
    assert.equal(claimsOnA(), 4);
  });

  it('checks a route only through accounts no session leases, claimed while it asks', async () => {
    for (let i = 0; i < 100 && claimsOnA() > 0; i++) await sleep(50);
    assert.equal(claimsOnA(), 0);
    await sleep(1100);
    await behave(0);
    const check = () => a.call('POST', '/v1/gateway/routes/small/check');
    // Every account leased on node b: nothing is asked.
    const all = await lease(b, 4);
    await heardOnA(4);
    const none = await check();
    assert.equal(none.status, 200, JSON.stringify(none.body));
    assert.equal(none.body.pools[0].result, 'unchecked', JSON.stringify(none.body));
    assert.match(none.body.pools[0].detail, /none of the pool's 4 active accounts can take a request now/);
    // Looking at two accounts at most, it says so.
    const { allocators, accounts, gateway } = a.roster.services;
    const [fewer] = await new RouteChecks({ allocators, accounts, gateway, upstreams: a.roster.services.upstreams }, 2).check([gateway.route('small')]);
    assert.match(fewer!.pools[0]!.detail, /none of 2 of the pool's 4 active accounts can take a request now/);
    assert.equal(lists.length, 0, 'no model list asked');
    await all.release();
    // Three leased: the check claims the fourth while it asks, so that b cannot lease it meanwhile.
    // The upstream answers after 2 s: time enough to look while the check waits for it.
    await behave(2000);
    const three = await lease(b, 3);
    await heardOnA(3);
    const checking = check();
    for (let i = 0; i < 250 && claimsOnA() < 1; i++) await sleep(20);
    assert.equal(claimsOnA(), 1);
    const refused = await b.call('POST', '/v1/pools/ex/sessions', { count: 1, waitMs: 0 });
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    const [accountId] = [...keyOf].find(([, key]) => !three.keys.includes(key))!;
    assert.ok(a.roster.services.gateway.serving(accountId), 'the check counts as one of its requests');
    const checked = await checking;
    assert.equal(checked.body.pools[0].result, 'listed', JSON.stringify(checked.body));
    assert.equal(checked.body.pools[0].accountId, accountId);
    assert.ok(!a.roster.services.gateway.serving(accountId));
    assert.deepEqual(lists.map((l) => l.key), [keyOf.get(accountId)]);
    await three.release();
  });

  it('reads a batch no client read finished at its account only while no session leases it', async () => {
    await behave(0);
    const made = await fetch(`${a.roster.gatewayUrl}/v1/messages/batches`, {
      method: 'POST', headers: { 'x-api-key': apiKey, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [{ custom_id: 'x', params: { model: 'small', max_tokens: 20, messages: [{ role: 'user', content: 'left behind' }] } }] }),
    });
    assert.equal(made.status, 200);
    const { id } = await made.json() as { id: string };
    const { accountId } = (await a.roster.services.gateway.ownerOf(id))!;
    // The gateway's claims idle away; then a session on node b leases every account.
    for (let i = 0; i < 100 && claimsOnA() > 0; i++) await sleep(50);
    const all = await lease(b, 4);
    assert.equal(all.res.status, 201, JSON.stringify(all.res.body));
    const { lateUsage } = a.roster.services;
    assert.equal(await lateUsage.scan(Date.now() + 11 * 60_000), 0, 'its account is leased: not read');
    assert.deepEqual(batchReads, []);
    await all.release();
    await heardOnA(0);
    assert.equal(await lateUsage.scan(Date.now() + 22 * 60_000), 1, 'read, and its tokens counted, once the lease ended');
    assert.deepEqual([...new Set(batchReads)], [keyOf.get(accountId)]);
  });

  it('gives its claims back when the node stops', async () => {
    await behave(0);
    await Promise.all(Array.from({ length: 8 }, ask));
    assert.ok(claimsOnA() > 0);
    await a.roster.stop();
    aStopped = true;
    // b hears the claims given back from the log (a moment after a stops); their time to live is 3 s.
    const all = await lease(b, 4, 1000);
    assert.equal(all.res.status, 201, JSON.stringify(all.res.body));
    await all.release();
  });
});
