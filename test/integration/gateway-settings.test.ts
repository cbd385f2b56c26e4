/**
 * The gateway's settings that its main suite leaves at their defaults, with the `openai` SDK
 * as the client and the sandbox as the upstream. The upstream timeout
 * (`ROSTER_GATEWAY_TIMEOUT_MS`, here 1 s): an account slower than it to answer is a timeout
 * and the request goes on to another account; when every account is, the client gets an
 * error, not a wait; an upstream that stops sending mid-stream ends the client's stream with
 * an error, and the request is not tried again. The headers never sent upstream
 * (`ROSTER_GATEWAY_STRIP_HEADERS`). The largest body (`ROSTER_GATEWAY_BODY_LIMIT`). The
 * rate-limit headers a client sees: its key's, never an upstream account's. Its OpenAPI
 * document behind a key (`ROSTER_DOCS_PUBLIC=false`), and the address clients are told
 * (`ROSTER_GATEWAY_PUBLIC_URL`).
 */
import OpenAI from 'openai';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registerUser } from '../../src/commands/users.ts';
import { buildSandbox } from '../../src/sandbox/server.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { until } from '../support/sandbox.ts';

describe('gateway settings', () => {
  const sandbox = buildSandbox();
  let t: TestRoster;
  let openai: OpenAI;
  let key: string;
  /** The member's access token, to make keys with. */
  let access: string;
  const accounts = ['sk-sandbox-timely-0', 'sk-sandbox-timely-1'];
  const behave = (keys: Record<string, object>) => sandbox.app.inject({ method: 'POST', url: '/_sandbox/llm', payload: { keys, reset: true } });
  /** Each account's tries, failures and timeouts of model `small` so far, by login. */
  const outcomes = async () => {
    await t.roster.services.gateway.meter.flush();
    const position = encodeURIComponent(String(await t.roster.services.store.headPosition()));
    const { body } = await t.call('GET', `/v1/gateway/upstreams?pool=gt&model=small&position=${position}`);
    type Outcome = { login: string; tries: number; failures: number; timeouts: number };
    const sum = (login: string, field: 'tries' | 'failures' | 'timeouts') => (body.items as Outcome[]).filter((o) => o.login === login).reduce((n, o) => n + o[field], 0);
    return Object.fromEntries([0, 1].map((i) => `timely${i}@example.test`).map((l) => [l, { tries: sum(l, 'tries'), failures: sum(l, 'failures'), timeouts: sum(l, 'timeouts') }]));
  };
  /** Ends the cooldowns a test left. */
  const calm = async () => {
    for (const a of (await t.call('GET', '/v1/accounts?pool=gt')).body.items) await t.call('DELETE', `/v1/accounts/${a.accountId}/cooldown`);
    const { accounts: index } = t.roster.services;
    await until('cooldowns ended', async () => [...index.pool('gt').keys()].every((id) => index.find(id)!.state.cooldowns.length === 0));
    await behave({});
  };

  before(async () => {
    const sandboxUrl = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
    t = await startTestRoster({
      ROSTER_PROVIDERS: JSON.stringify({ sb: { use: 'sandbox', options: { baseUrl: sandboxUrl } } }),
      ROSTER_GATEWAY_ROUTES: JSON.stringify({ small: { pools: ['gt'], upstreamModel: 'sandbox-small' } }),
      ROSTER_GATEWAY_TIMEOUT_MS: '1000', ROSTER_GATEWAY_STRIP_HEADERS: 'X-Tenant-Secret, x-internal-route', ROSTER_GATEWAY_BODY_LIMIT: String(64 * 1024), ROSTER_GATEWAY_RETRIES: '1', ROSTER_GATEWAY_FLUSH_MS: '100', ROSTER_SCHEDULER_INTERVAL_MS: '3600000',
      ROSTER_DOCS_PUBLIC: 'false', ROSTER_GATEWAY_PUBLIC_URL: 'https://llm.example.test/',
    });
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'gt', name: 'Timely', providerId: 'sb' })).status, 201);
    const imported = await t.call('POST', '/v1/pools/gt/accounts', { accounts: accounts.map((a, i) => ({ login: `timely${i}@example.test`, accessToken: a })) });
    assert.equal(imported.body.imported, 2);
    await t.call('GET', `/v1/accounts?pool=gt&position=${imported.body.position}`);
    await registerUser(t.roster.services.users, { email: 'slow@example.test', password: 'slow password 1', role: 'member', verified: true }, { actor: 'test', correlationId: 'gt' });
    access = (await t.call('POST', '/v1/auth/login', { email: 'slow@example.test', password: 'slow password 1' }, { token: null })).body.accessToken;
    key = (await t.call('POST', '/v1/keys', { name: 'timeouts' }, { token: access })).body.key;
    openai = new OpenAI({ apiKey: key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
  });
  after(async () => {
    await t.stop();
    await sandbox.app.close();
  });

  it('gives up on an account slower than the timeout and answers through another; the slow one is counted a timeout', async () => {
    await calm();
    const before = await outcomes();
    await behave({ [accounts[0]!]: { latencyMs: 5000 } });
    for (let i = 0; i < 4; i++) {
      const r = await openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: `try ${i}` }] });
      assert.equal(r.choices[0]!.message.content, `echo: try ${i}`);
    }
    const after = await outcomes();
    const [slow, quick] = ['timely0@example.test', 'timely1@example.test'].map((l) => ({ tries: after[l]!.tries - before[l]!.tries, failures: after[l]!.failures - before[l]!.failures, timeouts: after[l]!.timeouts - before[l]!.timeouts }));
    assert.ok(slow!.tries >= 1, 'the slow account was tried');
    assert.deepEqual(slow, { tries: slow!.tries, failures: slow!.tries, timeouts: slow!.tries }, 'each of its tries timed out');
    assert.deepEqual(quick, { tries: 4, failures: 0, timeouts: 0 }, 'the other answered all four');
  });

  it('answers an error, not a wait, when every account is slower than the timeout', async () => {
    await calm();
    await behave(Object.fromEntries(accounts.map((a) => [a, { latencyMs: 5000 }])));
    const res = await fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'x' }] }),
    });
    const shown = await res.json() as { error: { message: string } };
    assert.equal(res.status, 503);
    assert.match(shown.error.message, /every account tried \(2\) failed/);
    assert.equal(res.headers.get('retry-after'), '1');
  });

  it('ends the client\'s stream with an error when the upstream stops sending for longer than the timeout, and tries no other account', async () => {
    await calm();
    await behave(Object.fromEntries(accounts.map((a) => [a, { stallMs: 5000 }])));
    const before = await outcomes();
    const stream = await openai.chat.completions.create({ model: 'small', stream: true, messages: [{ role: 'user', content: 'a b c d e f g' }] });
    let text = '';
    await assert.rejects((async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })(), (e: unknown) => e instanceof OpenAI.APIError && /failed mid-stream/.test(e.message));
    assert.equal(text, '', 'only the first chunk (the role, no content) came before the upstream stopped');
    // The try is recorded as the gateway ends the stream, just after the client reads its end: awaited, bounded.
    const since = (after: typeof before, field: 'tries' | 'failures') => Object.keys(after).reduce((n, l) => n + after[l]![field] - before[l]![field], 0);
    const after = await until('the try recorded', async () => {
      const now = await outcomes();
      return since(now, 'tries') > 0 && now;
    }, 5000);
    assert.deepEqual({ tries: since(after, 'tries'), failures: since(after, 'failures') }, { tries: 1, failures: 1 }, 'one try, failed, and no retry after the first byte');
  });

  it('never sends upstream the headers ROSTER_GATEWAY_STRIP_HEADERS names (in any case), and sends others on', async () => {
    await calm();
    const res = await fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
      method: 'POST', body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'x' }] }),
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'X-Tenant-Secret': 'tenant-1', 'x-internal-route': 'blue', 'x-request-tag': 'kept' },
    });
    assert.equal(res.status, 200);
    await res.text();
    const { lastHeaders } = (await sandbox.app.inject({ method: 'GET', url: '/_sandbox/llm/stats' })).json() as { lastHeaders: Record<string, string> };
    assert.deepEqual([lastHeaders['x-tenant-secret'], lastHeaders['x-internal-route'], lastHeaders['x-request-tag']], [undefined, undefined, 'kept']);
  });

  it('takes bodies up to ROSTER_GATEWAY_BODY_LIMIT (here 64 KiB), and answers a larger one 413 in the client\'s shape, sending nothing upstream', async () => {
    await calm();
    const ask = (bytes: number, anthropic = false) => fetch(`${t.roster.gatewayUrl}/v1/${anthropic ? 'messages' : 'chat/completions'}`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(anthropic ? { 'anthropic-version': '2023-06-01' } : {}) },
      body: JSON.stringify({ model: 'small', max_tokens: 5, messages: [{ role: 'user', content: 'x'.repeat(bytes) }] }),
    });
    const within = await ask(60 * 1024);
    assert.equal(within.status, 200);
    await within.text();
    // What the upstream answered; requests of earlier tests whose client left (`gone`) may still end while this one runs.
    const answered = async () => JSON.stringify((await sandbox.app.inject({ method: 'GET', url: '/_sandbox/llm/stats' })).json().requests,
      (k, v: unknown) => (k === 'gone' ? undefined : v));
    const before = await answered();
    const over = await ask(70 * 1024);
    assert.equal(over.status, 413);
    assert.equal(typeof ((await over.json()) as { error: { message: string } }).error.message, 'string');
    const overAnthropic = await ask(70 * 1024, true);
    assert.equal(overAnthropic.status, 413);
    assert.equal(((await overAnthropic.json()) as { type: string }).type, 'error');
    assert.equal(await answered(), before, 'nothing reached the upstream');
  });

  it('tells a client its key\'s requests and tokens left this minute in its SDK\'s headers, never an upstream account\'s own', async () => {
    await calm();
    const limited = (await t.call('POST', '/v1/keys', { name: 'told', limits: { requestsPerMinute: 5, tokensPerMinute: 1000 } }, { token: access })).body.key as string;
    const ask = (bearer: string, anthropic = false) => fetch(`${t.roster.gatewayUrl}/v1/${anthropic ? 'messages' : 'chat/completions'}`, {
      method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...(anthropic ? { 'anthropic-version': '2023-06-01' } : {}) },
      body: JSON.stringify({ model: 'small', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    });
    const ratelimit = (res: Response) => Object.fromEntries([...res.headers.entries()].filter(([k]) => k.includes('ratelimit')));
    const first = await ask(limited);
    await first.text();
    const shown = ratelimit(first);
    assert.match(shown['x-ratelimit-reset-requests']!, /^(\d+m)?\d+s$/);
    assert.deepEqual({ ...shown, 'x-ratelimit-reset-requests': undefined, 'x-ratelimit-reset-tokens': undefined }, {
      'x-ratelimit-limit-requests': '5', 'x-ratelimit-remaining-requests': '4', 'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '1000',
      'x-ratelimit-reset-requests': undefined, 'x-ratelimit-reset-tokens': undefined,
    }, 'the key\'s, not the upstream account\'s (which said 4999)');
    // The tokens the first answer used are charged just after it: the next requests see fewer left (bounded wait).
    const second = await until('the tokens charged', async () => {
      const res = await ask(limited, true);
      await res.text();
      return Number(res.headers.get('anthropic-ratelimit-tokens-remaining')) < 1000 && res;
    }, 5000);
    const anthropic = ratelimit(second);
    assert.equal(anthropic['anthropic-ratelimit-requests-limit'], '5');
    assert.ok(Number(anthropic['anthropic-ratelimit-requests-remaining']) <= 3);
    const reset = Date.parse(anthropic['anthropic-ratelimit-requests-reset']!);
    assert.ok(reset > Date.now() && reset <= Date.now() + 61_000, `reset at ${anthropic['anthropic-ratelimit-requests-reset']}: within the minute`);
    assert.equal(Object.keys(anthropic).some((k) => k.startsWith('x-ratelimit')), false);
    // A key without limits is told none, and the upstream account's own never pass.
    const open = await ask(key);
    await open.text();
    assert.deepEqual(ratelimit(open), {});
    const openAnthropic = await ask(key, true);
    await openAnthropic.text();
    assert.deepEqual(ratelimit(openAnthropic), {});
  });

  it('gives the address ROSTER_GATEWAY_PUBLIC_URL names, whatever host the API was reached by', async () => {
    const { body } = await t.call('GET', '/v1/gateway', undefined, { token: access });
    assert.deepEqual(body, { baseUrl: 'https://llm.example.test/v1', anthropicBaseUrl: 'https://llm.example.test' });
  });

  it('keeps its OpenAPI document behind a key with ROSTER_DOCS_PUBLIC=false', async () => {
    assert.equal((await fetch(`${t.roster.gatewayUrl}/docs/json`)).status, 401);
    assert.equal((await fetch(`${t.roster.gatewayUrl}/`, { redirect: 'manual' })).status, 401, 'nor does its address lead there');
    const keyed = await fetch(`${t.roster.gatewayUrl}/docs/json`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(keyed.status, 200);
    assert.ok(((await keyed.json()) as { paths: object }).paths);
  });
});
