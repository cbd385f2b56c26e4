/**
 * Two nodes on one database: a pool's allocator on one node hears of the other node's
 * writes to the pool's stream as they are committed (PostgreSQL's notification names the
 * stream and its revision), and catches up then, not only on its next conflict or reaper
 * pass: an allocation parked on one node is served when the other releases, and a lease
 * taken on one node is in the other's ledger (which its gateway skips). Each node's gateway
 * hears the other's usage from the log, so that a daily limit counts both at once. A key
 * revoked on one node ends on another within that node's key cache time.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { registerUser } from '../../src/commands/users.ts';
import { buildSandbox } from '../../src/sandbox/server.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('two nodes on one database', () => {
  let a: TestRoster;
  let b: TestRoster;
  /** Both nodes' settings (one master key, the sandbox's provider). */
  let env: Record<string, string>;
  const sandbox = buildSandbox();
  before(async () => {
    const sandboxUrl = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
    // The reaper, which would also retry parked allocations, is out of the picture.
    env = {
      ROSTER_MASTER_KEY: randomBytes(32).toString('hex'), ROSTER_REAPER_INTERVAL_MS: '600000', ROSTER_SCHEDULER_INTERVAL_MS: '3600000',
      ROSTER_PROVIDERS: JSON.stringify({ sb: { use: 'sandbox', options: { baseUrl: sandboxUrl } } }),
      ROSTER_GATEWAY_ROUTES: JSON.stringify({ capped: { pools: ['lim'], upstreamModel: 'sandbox-small' } }), ROSTER_GATEWAY_FLUSH_MS: '100',
    };
    a = await startTestRoster(env);
    b = await startTestRoster(env, a.db);
    assert.equal((await a.call('POST', '/v1/pools', { poolId: 'two', name: 'Two nodes' })).status, 201);
    const imported = await a.call('POST', '/v1/pools/two/accounts', { accounts: [{ login: 'only@example.test', password: 'pw one' }] });
    assert.equal(imported.body.imported, 1);
    // Node b knows the account (its log tail) before it loads the pool.
    for (let i = 0; i < 100 && (await b.call('GET', '/v1/pools/two')).body.counts?.total !== 1; i++) await sleep(50);
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
    await sandbox.app.close();
  });

  it('serves an allocation parked on one node when the other releases, and shows each node the other\'s leases', async () => {
    const held = await a.call('POST', '/v1/pools/two/sessions', { count: 1 });
    assert.equal(held.status, 201);
    const accountId = held.body.leases[0].accountId as string;
    // Node b's allocator takes in a's lease from the notification alone.
    const ledgerOfB = async () => (await b.roster.services.allocators.get('two')).current.ledger;
    for (let i = 0; i < 100 && !(await ledgerOfB()).leasedTo.has(accountId); i++) await sleep(50);
    assert.equal((await ledgerOfB()).leasedTo.get(accountId), held.body.sessionId, 'b sees a\'s lease');

    const parked = b.call('POST', '/v1/pools/two/sessions', { count: 1, waitMs: 20_000 });
    await sleep(300);
    assert.equal((await a.call('POST', `/v1/pools/two/sessions/${held.body.sessionId}/release`, { leaseSecret: held.body.leaseSecret })).status, 200);
    const served = await parked;
    assert.equal(served.status, 201, JSON.stringify(served.body));
    assert.equal(served.body.leases[0].accountId, accountId);
    // And node a, in turn, sees b's lease: its own allocation waits instead of taking the account.
    const ledgerOfA = (await a.roster.services.allocators.get('two')).current.ledger;
    for (let i = 0; i < 100 && ledgerOfA.leasedTo.get(accountId) !== served.body.sessionId; i++) await sleep(50);
    assert.equal(ledgerOfA.leasedTo.get(accountId), served.body.sessionId);
  });

  it('counts the other node\'s gateway requests toward a daily limit as they are flushed, not at its next read', async () => {
    assert.equal((await a.call('POST', '/v1/pools', { poolId: 'lim', name: 'Limited', providerId: 'sb', dailyLimits: { capped: 5 } })).status, 201);
    const imported = await a.call('POST', '/v1/pools/lim/accounts', { accounts: [{ login: 'lim@example.test', accessToken: 'sk-sandbox-lim-0' }] });
    assert.equal(imported.body.imported, 1);
    for (let i = 0; i < 100 && (await b.call('GET', '/v1/pools/lim')).body.counts?.total !== 1; i++) await sleep(50);
    await registerUser(a.roster.services.users, { email: 'lim@example.test', password: 'lim password 1', role: 'member', verified: true }, { actor: 'test', correlationId: 'lim' });
    const access = (await a.call('POST', '/v1/auth/login', { email: 'lim@example.test', password: 'lim password 1' }, { token: null })).body.accessToken;
    const key = (await a.call('POST', '/v1/keys', { name: 'lim' }, { token: access })).body.key;
    const via = (node: TestRoster) => new OpenAI({ apiKey: key, baseURL: `${node.roster.gatewayUrl}/v1`, maxRetries: 0 });
    const ask = (node: TestRoster) => via(node).chat.completions.create({ model: 'capped', messages: [{ role: 'user', content: 'x' }] }).then(() => 200, (e: { status?: number }) => e.status);

    // Node b reads the day's use (none) with its first request; node a then serves four.
    assert.equal(await ask(b), 200);
    for (let i = 0; i < 4; i++) assert.equal(await ask(a), 200);
    // Long before b reads again (every 10 s), it hears a's four from the log: its choice
    // (looked at without sending a request) finds the limit of five reached.
    const gatewayOfB = b.roster.services.gateway;
    let limited = false;
    for (let i = 0; i < 60 && !limited; i++) {
      const found = await gatewayOfB.choose(gatewayOfB.route('capped'), new Set(), 0);
      if ('accountId' in found) {
        found.done();
        await sleep(50);
      } else limited = found.dailyLimit === true;
    }
    assert.ok(limited, 'b counts a\'s requests within three seconds');
    assert.equal(await ask(b), 429);
    assert.equal(await ask(a), 429);
  });

  it('starts one job for what a pool lacks when both nodes replenish it at once', async () => {
    assert.equal((await a.call('POST', '/v1/pools', { poolId: 'stocked', name: 'Stocked', providerId: 'sb', minSize: 3, maxSize: 10 })).status, 201);
    const lines = Array.from({ length: 10 }, (_, i) => `s${i}@example.test:password-s${i}`).join('\n');
    assert.equal((await a.call('POST', '/v1/pools/stocked/identities', { lines })).body.imported, 10);
    for (let i = 0; i < 100 && (await b.call('GET', '/v1/pools/stocked')).body.counts === undefined; i++) await sleep(50);
    const asked = await Promise.all([a, b, a, b].map((node) => node.call('POST', '/v1/pools/stocked/replenish', {})));
    const registering = asked.map((r) => r.body.registering as number);
    assert.equal(registering.reduce((x, y) => x + y, 0), 3, `one job of 3 over both nodes: ${JSON.stringify(asked.map((r) => r.body))}`);
    const available = async () => (await a.call('GET', '/v1/accounts?pool=stocked&status=available')).body.total as number;
    for (let i = 0; i < 300 && (await available()) < 3; i++) await sleep(100);
    // Long enough for a second job's registrations to show, had one started.
    await sleep(1000);
    assert.equal((await a.call('GET', '/v1/accounts?pool=stocked')).body.total, 3);
  });

  it('takes a key revoked on another node within ROSTER_KEY_CACHE_MS: at once with 0, not while a longer cache holds the key', async () => {
    const long = await startTestRoster({ ...env, ROSTER_KEY_CACHE_MS: '60000' }, a.db);
    const none = await startTestRoster({ ...env, ROSTER_KEY_CACHE_MS: '0' }, a.db);
    try {
      await registerUser(a.roster.services.users, { email: 'cached@example.test', password: 'cached password 1', role: 'member', verified: true }, { actor: 'test', correlationId: 'cache' });
      const access = (await a.call('POST', '/v1/auth/login', { email: 'cached@example.test', password: 'cached password 1' }, { token: null })).body.accessToken as string;
      const made = (await a.call('POST', '/v1/keys', { name: 'cached' }, { token: access })).body;
      const me = async (node: TestRoster) => (await node.call('GET', '/v1/auth/me', undefined, { token: made.key })).status;
      assert.deepEqual([await me(long), await me(none)], [200, 200]);
      assert.equal((await a.call('DELETE', `/v1/keys/${made.keyId}`, undefined, { token: access })).body.status, 'revoked');
      assert.equal(await me(a), 401, 'the node that revoked it forgets it at once');
      assert.equal(await me(none), 401, 'a node that caches nothing reads the revocation');
      assert.equal(await me(long), 200, 'a node that checked the key within its cache time has not read it yet');
    } finally {
      await none.stop();
      await long.stop();
    }
  });
});
