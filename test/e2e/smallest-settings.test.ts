/**
 * A node at the smallest settings its configuration accepts (connections, threads, flows
 * per thread, batches, concurrency, in-flight requests, caches, intervals) still does the
 * whole round: registers a pool's accounts, leases one, forwards a gateway request and
 * counts its usage.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { registerUser } from '../../src/commands/users.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { sandboxProvider, startSandbox, until, type TestSandbox } from '../support/sandbox.ts';

const SMALLEST = {
  ROSTER_DB_POOL_SIZE: '2', ROSTER_ACCOUNTS_PER_REQUEST: '1', ROSTER_CONSISTENCY_WAIT_MS: '0', ROSTER_REAPER_INTERVAL_MS: '50', ROSTER_SECRET_CACHE_SIZE: '0',
  ROSTER_FLOW_THREADS: '1', ROSTER_FLOWS_PER_THREAD: '1', ROSTER_JOB_FETCH_BATCH: '1', ROSTER_UPKEEP_CONCURRENCY: '1', ROSTER_SCHEDULER_INTERVAL_MS: '100',
  ROSTER_HEARTBEAT_MS: '100', ROSTER_PROJECTION_INTERVAL_MS: '0', ROSTER_FEED_HEALTH_INTERVAL_MS: '100', ROSTER_MAIL_INTERVAL_MS: '50',
  ROSTER_KEY_CACHE_MS: '0', ROSTER_GATEWAY_RETRIES: '0', ROSTER_GATEWAY_MAX_IN_FLIGHT: '1', ROSTER_GATEWAY_FLUSH_MS: '50',
};

describe('a node at its smallest settings', { timeout: 120_000 }, () => {
  let sb: TestSandbox;
  let t: TestRoster;
  before(async () => {
    sb = await startSandbox();
    t = await startTestRoster({
      ...SMALLEST, ROSTER_PROVIDERS: sandboxProvider(sb.url), ROSTER_GATEWAY_ROUTES: JSON.stringify({ small: { pools: ['tiny'], upstreamModel: 'sandbox-small' } }),
    });
  });
  after(async () => {
    await t?.stop();
    await sb?.close();
  });

  it('registers a pool\'s accounts, leases one, forwards a gateway request and counts it', async () => {
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'tiny', name: 'Tiny', providerId: 'sandbox', minSize: 2, maxSize: 3 })).status, 201);
    const lines = ['t1@example.test:password-t1', 't2@example.test:password-t2', 't3@example.test:password-t3'].join('\n');
    assert.equal((await t.call('POST', '/v1/pools/tiny/identities', { lines })).body.imported, 3);
    // The scheduler (every 100 ms) replenishes the pool to its minimum by itself.
    await until('two accounts registered', async () => (await t.call('GET', '/v1/accounts?pool=tiny&status=available')).body.total === 2, 60_000);

    const held = await t.call('POST', '/v1/pools/tiny/sessions', { count: 1 });
    assert.equal(held.status, 201, JSON.stringify(held.body));
    const released = await t.call('POST', `/v1/pools/tiny/sessions/${held.body.sessionId}/release`, { leaseSecret: held.body.leaseSecret });
    assert.equal(released.status, 200);

    const ctx = { actor: 'test', correlationId: 'smallest' };
    await registerUser(t.roster.services.users, { email: 'small@example.test', password: 'small password 1', role: 'member', verified: true }, ctx);
    const access = (await t.call('POST', '/v1/auth/login', { email: 'small@example.test', password: 'small password 1' }, { token: null })).body.accessToken;
    const key = (await t.call('POST', '/v1/keys', { name: 'small' }, { token: access })).body.key as string;
    const openai = new OpenAI({ apiKey: key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    const answer = await openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(answer.choices[0]!.message.content, 'echo: hi');
    const counted = async () => ((await t.call('GET', '/v1/usage/gateway')).body.items as Array<{ requests: number }>).reduce((n, r) => n + r.requests, 0);
    await until('the request counted', async () => (await counted()) === 1);
  });
});
