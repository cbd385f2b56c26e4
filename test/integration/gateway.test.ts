/**
 * The gateway with the official SDKs as clients (`openai`, `@anthropic-ai/sdk`) and the
 * sandbox as the upstream: answers, streams, failover, cooldowns, 429 when every account
 * cools, mid-stream failures, and usage counted exactly under 1,000 concurrent requests.
 */
import Anthropic from '@anthropic-ai/sdk';
import SwaggerParser from '@apidevtools/swagger-parser';
import OpenAI, { toFile } from 'openai';
import assert from 'node:assert/strict';
import http from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { registerUser } from '../../src/commands/users.ts';
import { REFUSED_AGAIN } from '../../src/domain/account.ts';
import { buildSandbox } from '../../src/sandbox/server.ts';
import { PgKeptObjects, RESPONSE_RETENTION_MS } from '../../src/store/kept-objects.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { until } from '../support/sandbox.ts';

const MiB = 1024 * 1024;

describe('gateway', () => {
  const sandbox = buildSandbox();
  let t: TestRoster;
  let key: string;
  /** The member's access token, to make keys with. */
  let access: string;
  let openai: OpenAI;
  let anthropic: Anthropic;
  let ids: string[];
  const accounts = Array.from({ length: 4 }, (_, i) => `sk-sandbox-account-${i}`);
  /** Pool gw2's accounts (strategy least_used). */
  const others = ['sk-sandbox-second-0', 'sk-sandbox-second-1'];
  const behave = (keys: Record<string, object>, reset = true) => sandbox.app.inject({ method: 'POST', url: '/_sandbox/llm', payload: { keys, reset } });
  /** Ends every cooldown an earlier test left, and the sandbox's behaviours. */
  const calm = async () => {
    for (const pool of ['gw', 'gw2']) {
      for (const a of (await t.call('GET', `/v1/accounts?pool=${pool}&limit=10`)).body.items) await t.call('DELETE', `/v1/accounts/${a.accountId}/cooldown`);
    }
    // The gateway chooses from the account index, which takes the ends of cooldowns in from the log.
    const { accounts: index } = t.roster.services;
    await until('cooldowns ended', async () => ['gw', 'gw2'].every((p) => [...index.pool(p).keys()].every((id) => index.find(id)!.state.cooldowns.length === 0)));
    await behave({});
  };
  /** Requests each sandbox key answered with 200 since the last call. */
  /** The headers of the last request the sandbox's model endpoints saw. */
  const sandboxHeaders = async () => ((await sandbox.app.inject({ method: 'GET', url: '/_sandbox/llm/stats' })).json() as { lastHeaders: Record<string, string> }).lastHeaders;
  const served = async (): Promise<Record<string, number>> => {
    const stats = (await sandbox.app.inject({ method: 'GET', url: '/_sandbox/llm/stats' })).json() as { requests: Record<string, Record<string, number>> };
    await sandbox.app.inject({ method: 'POST', url: '/_sandbox/llm/reset-stats' });
    return Object.fromEntries(Object.entries(stats.requests).map(([k, r]) => [k, r['200'] ?? 0]));
  };
  /** The sandbox keys that answered a request with 200 since the last call. */
  const servedBy = async () => Object.entries(await served()).filter(([, n]) => n > 0).map(([k]) => k);
  const ask = (model: string) => openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });
  /** The same request without the SDK, to read the gateway's status and body as they are. */
  const askRaw = (model: string) => fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }),
  });
  const usageRows = async () => (await t.db.pool.query('SELECT * FROM rm_gateway_usage')).rows;
  /** An OpenAI client with the key of a new member. */
  const anotherUser = async (name: string) => {
    await registerUser(t.roster.services.users, { email: `${name}@example.test`, password: `${name} password 1`, role: 'member', verified: true }, { actor: 'test', correlationId: name });
    const userAccess = (await t.call('POST', '/v1/auth/login', { email: `${name}@example.test`, password: `${name} password 1` }, { token: null })).body.accessToken;
    return new OpenAI({ apiKey: (await t.call('POST', '/v1/keys', { name }, { token: userAccess })).body.key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
  };
  /** The usage counted so far, in the read model. */
  const settled = async () => {
    // A request's usage is counted just after its answer is sent: first, no account serves one.
    // Every pool of this file's (a test of its own pool was once read before its last request was counted).
    const { accounts, gateway } = t.roster.services;
    const pools = ((await t.call('GET', '/v1/pools')).body.items as Array<{ poolId: string }>).map((p) => p.poolId);
    await until('requests counted', async () => pools.every((p) => [...accounts.pool(p).keys()].every((id) => !gateway.serving(id))));
    await gateway.meter.flush();
    await t.call('GET', `/v1/accounts?position=${encodeURIComponent(String(await t.roster.services.store.headPosition()))}`);
  };
  /**
   * The server errors reported to accounts, once there are `expected` of them (or as they are
   * after 5 s): a request that failed everywhere tells its failures just after its answer.
   */
  const failuresReported = async (accountIds: string[], expected: number) => {
    const read = async () => (await Promise.all(accountIds.map((id) => t.roster.services.store.readStream(`account-${id}`)))).flat()
      .filter((e) => e.type === 'UsageReported' && (e.data as { outcome: string }).outcome === 'server_error');
    return until('the failures reported', async () => {
      const reports = await read();
      return reports.length >= expected && reports;
    }, 5000).catch(read);
  };
  /** Totals of the usage read model's rows for a model: requests, failures, tokens in and out, estimated. */
  const totals = async (model: string) => {
    const rows = (await usageRows()).filter((r) => r.model === model);
    const sum = (column: string) => rows.reduce((n, r) => n + Number(r[column]), 0);
    return { requests: sum('requests'), failures: sum('failures'), input: sum('input_tokens'), output: sum('output_tokens'), estimated: sum('estimated') };
  };
  /** What a model's tokens cost so far, in the usage read model ('small': 1 unit an input token, 2 an output token). */
  const spentOn = async (model: string) => (await usageRows()).filter((r) => r.model === model).reduce((n, r) => n + Number(r.spend), 0);
  /** What was counted between two totals. */
  const counted = (a: Awaited<ReturnType<typeof totals>>, b: typeof a) =>
    Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v - a[k as keyof typeof a]]));

  before(async () => {
    const sandboxUrl = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
    t = await startTestRoster({
      ROSTER_PROVIDERS: JSON.stringify({ sb: { use: 'sandbox', options: { baseUrl: sandboxUrl } } }),
      ROSTER_GATEWAY_ROUTES: JSON.stringify({
        small: { pools: ['gw'], upstreamModel: 'sandbox-small', aliases: ['tiny'] }, embed: { pools: ['gw'], upstreamModel: 'sandbox-embed' }, free: { pools: ['gw'], upstreamModel: 'sandbox-small' },
        capped: { pools: ['gw'], upstreamModel: 'sandbox-small' }, lean: { pools: ['gw2'], upstreamModel: 'sandbox-small' },
        spread: { pools: [{ pool: 'gw', weight: 3 }, { pool: 'gw2', weight: 1 }], upstreamModel: 'sandbox-small' },
        fallback: { pools: [{ pool: 'gw', priority: 1 }, 'gw2'], upstreamModel: 'sandbox-small' },
        wide: { pools: ['gw3'], upstreamModel: 'sandbox-small' }, refusing: { pools: ['gw5'], upstreamModel: 'sandbox-small' },
        fresh: { pools: ['gw6'], upstreamModel: 'sandbox-small' },
        poisoned: { pools: ['gw7'], upstreamModel: 'sandbox-small' }, single: { pools: ['gw8'], upstreamModel: 'sandbox-small' },
      }),
      ROSTER_GATEWAY_PRICES: JSON.stringify({ small: { inputPerMillion: 1_000_000, outputPerMillion: 2_000_000 } }),
      ROSTER_GATEWAY_RETRIES: '3', ROSTER_GATEWAY_FLUSH_MS: '100',
      // Moderations without a model, as LiteLLM's proxy takes them.
      ROSTER_GATEWAY_DEFAULT_ROUTES: JSON.stringify({ '/v1/moderations': 'small' }),
      // Uploads up to 16 MiB (over the 8 MiB of other requests); 40 MiB of them at once, 20 for one key.
      ROSTER_GATEWAY_UPLOAD_LIMIT: String(16 * MiB), ROSTER_GATEWAY_UPLOAD_MEMORY: String(40 * MiB),
      // No scheduler round after the start: its probes would open the credentials the read-ahead test watches.
      ROSTER_SCHEDULER_INTERVAL_MS: '3600000',
    });
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'gw', name: 'Gateway', providerId: 'sb' })).status, 201);
    const imported = await t.call('POST', '/v1/pools/gw/accounts', { accounts: accounts.map((a, i) => ({ login: `gw${i}@example.test`, accessToken: a })) });
    assert.equal(imported.body.imported, 4);
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'gw2', name: 'Second', providerId: 'sb', strategy: 'least_used' })).status, 201);
    const second = await t.call('POST', '/v1/pools/gw2/accounts', { accounts: others.map((a, i) => ({ login: `gw2-${i}@example.test`, accessToken: a })) });
    assert.equal(second.body.imported, 2);
    await t.call('GET', `/v1/accounts?pool=gw&position=${second.body.position}`);
    const ctx = { actor: 'test', correlationId: 'gw' };
    await registerUser(t.roster.services.users, { email: 'dev@example.test', password: 'dev password 1', role: 'member', verified: true }, ctx);
    access = (await t.call('POST', '/v1/auth/login', { email: 'dev@example.test', password: 'dev password 1' }, { token: null })).body.accessToken;
    key = (await t.call('POST', '/v1/keys', { name: 'sdk' }, { token: access })).body.key;
    ids = (await t.call('GET', '/v1/accounts?pool=gw&limit=10')).body.items.map((a: { accountId: string }) => a.accountId);
    openai = new OpenAI({ apiKey: key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: key, baseURL: t.roster.gatewayUrl, maxRetries: 0 });
  });
  after(async () => {
    await t.stop();
    await sandbox.app.close();
  });

  it('answers chat completions through the OpenAI SDK, whole and streamed; the usage chunk only when the client asks', async () => {
    const whole = await openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'hello there gateway' }] });
    assert.equal(whole.choices[0]!.message.content, 'echo: hello there gateway');
    assert.deepEqual([whole.usage?.prompt_tokens, whole.usage?.completion_tokens], [3, 4]);
    const viaAlias = await openai.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'alias' }] });
    assert.equal(viaAlias.choices[0]!.message.content, 'echo: alias');

    const read = async (includeUsage: boolean) => {
      const stream = await openai.chat.completions.create({ model: 'small', stream: true, messages: [{ role: 'user', content: 'one two three' }], ...(includeUsage ? { stream_options: { include_usage: true } } : {}) });
      let text = '';
      let usage: unknown;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      return { text, usage };
    };
    assert.deepEqual(await read(false), { text: 'echo: one two three', usage: undefined });
    const withUsage = await read(true);
    assert.equal(withUsage.text, 'echo: one two three');
    assert.deepEqual(withUsage.usage, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });

    const models = await openai.models.list();
    assert.deepEqual(models.data.map((m) => m.id).sort(), ['capped', 'embed', 'fallback', 'free', 'fresh', 'lean', 'poisoned', 'refusing', 'single', 'small', 'spread', 'wide']);
    assert.deepEqual(await openai.models.retrieve('tiny'), { id: 'tiny', object: 'model', created: 0, owned_by: 'roster' });
    await assert.rejects(openai.models.retrieve('nothing-here'), (e: unknown) => e instanceof OpenAI.NotFoundError);
    const embedded = await openai.embeddings.create({ model: 'embed', input: ['a b', 'c'] });
    assert.equal(embedded.data.length, 2);
  });

  it('lists and finds only the models a key\'s scope names', async () => {
    const scoped = (await t.call('POST', '/v1/keys', { name: 'small only', scopes: { pools: null, models: ['small'], readOnly: false } }, { token: access })).body.key;
    const client = new OpenAI({ apiKey: scoped, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    assert.deepEqual((await client.models.list()).data.map((m) => m.id), ['small']);
    assert.equal((await client.models.retrieve('tiny')).id, 'tiny', 'an alias of a model it may use');
    await assert.rejects(client.models.retrieve('embed'), (e: unknown) => e instanceof OpenAI.NotFoundError);
  });

  it('answers the Responses API and legacy completions through the OpenAI SDK, whole and streamed, counting the upstream\'s usage', async () => {
    await calm();
    await settled();
    const before = await totals('small');
    const whole = await openai.responses.create({ model: 'small', input: 'hello responses api' });
    assert.equal(whole.output_text, 'echo: hello responses api');
    assert.deepEqual([whole.usage?.input_tokens, whole.usage?.output_tokens], [3, 4]);
    const events = await openai.responses.create({ model: 'small', input: 'stream it now', stream: true });
    let text = '';
    let usage: unknown;
    for await (const event of events) {
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') usage = [event.response.usage?.input_tokens, event.response.usage?.output_tokens];
    }
    assert.deepEqual([text, usage], ['echo: stream it now', [3, 4]]);

    const completion = await openai.completions.create({ model: 'small', prompt: 'old style prompt' });
    assert.deepEqual([completion.choices[0]!.text, completion.usage?.prompt_tokens, completion.usage?.completion_tokens], ['echo: old style prompt', 3, 4]);
    // The gateway asks for the usage chunk upstream; the client, not having asked, does not see it.
    const chunks = await openai.completions.create({ model: 'small', prompt: 'streamed old style', stream: true });
    let streamed = '';
    let seenUsage = false;
    for await (const chunk of chunks) {
      streamed += chunk.choices[0]?.text ?? '';
      seenUsage ||= chunk.usage != null;
    }
    assert.deepEqual([streamed, seenUsage], ['echo: streamed old style', false]);
    await settled();
    assert.deepEqual(counted(before, await totals('small')), { requests: 4, failures: 0, input: 12, output: 16, estimated: 0 });
  });

  it('counts a background response\'s tokens once: when first read finished, or by its stream run to the end', async () => {
    await calm();
    await settled();
    const before = await totals('small');
    const queued = await openai.responses.create({ model: 'small', input: 'later please', background: true });
    assert.deepEqual([queued.status, queued.usage], ['queued', null]);
    await settled();
    assert.deepEqual(counted(before, await totals('small')), { requests: 1, failures: 0, input: 0, output: 0, estimated: 0 }, 'queued: no tokens yet, none estimated');
    const done = await openai.responses.retrieve(queued.id);
    assert.deepEqual([done.status, done.output_text, done.usage?.input_tokens, done.usage?.output_tokens], ['completed', 'echo: later please', 2, 3]);
    assert.equal((await openai.responses.retrieve(queued.id)).status, 'completed', 'read again');
    // Streamed in the background to its end: counted by the stream, not again by a read.
    let streamedId = '';
    let streamedUsage: unknown;
    for await (const event of await openai.responses.create({ model: 'small', input: 'stream it later', background: true, stream: true })) {
      if (event.type === 'response.completed') [streamedId, streamedUsage] = [event.response.id, [event.response.usage?.input_tokens, event.response.usage?.output_tokens]];
    }
    assert.deepEqual(streamedUsage, [3, 4]);
    assert.equal((await openai.responses.retrieve(streamedId)).usage?.output_tokens, 4);
    await settled();
    assert.deepEqual(counted(before, await totals('small')), { requests: 5, failures: 0, input: 5, output: 7, estimated: 0 });
    assert.equal(await t.roster.services.lateUsage.scan(Date.now() + 11 * 60_000), 0, 'all counted: none left to the sweeper');

    // Streamed in the background and cut short: it runs on upstream; its tokens are counted once, by the sweeper, none by the stream.
    await behave(Object.fromEntries(accounts.map((a) => [a, { failAfterChunks: 2 }])));
    let cutId = '';
    try {
      for await (const event of await openai.responses.create({ model: 'small', input: 'cut me off', background: true, stream: true })) {
        if (event.type === 'response.created') cutId = event.response.id;
      }
    } catch {
      // The stream's error event.
    } finally {
      await behave({});
    }
    assert.notEqual(cutId, '');
    await settled();
    const cut = counted(before, await totals('small'));
    assert.deepEqual([cut.requests, cut.input, cut.output], [6, 5, 7], 'the cut stream: a request, no tokens');
    assert.equal(await t.roster.services.lateUsage.scan(Date.now() + 11 * 60_000), 1);
    await settled();
    const swept = counted(before, await totals('small'));
    assert.deepEqual([swept.requests, swept.input, swept.output], [6, 5 + 3, 7 + 4]);
  });

  it('sends a request continuing or reading a kept response to the account that made it, and to no other', async () => {
    await calm();
    await served();
    const first = await openai.responses.create({ model: 'small', input: 'remember me' });
    const makers = await servedBy();
    assert.equal(makers.length, 1);
    // The pool's order would spread these over its four accounts; the sandbox refuses a response another account made.
    for (let i = 0; i < 4; i++) {
      const next = await openai.responses.create({ model: 'small', input: `again ${i}`, previous_response_id: first.id });
      assert.equal(next.previous_response_id, first.id);
    }
    // A streamed one's id, from its first event, is remembered before the client reads it.
    let streamedId = '';
    for await (const event of await openai.responses.create({ model: 'small', input: 'streamed answer', stream: true, previous_response_id: first.id })) {
      if (event.type === 'response.created') streamedId = event.response.id;
    }
    await settled();
    const beforeRead = await totals('small');
    assert.equal((await openai.responses.retrieve(streamedId)).output_text, 'echo: streamed answer');
    // Read again as a stream: its events after `starting_after`, passed on as they come.
    const replayed: string[] = [];
    for await (const event of await openai.responses.retrieve(streamedId, { stream: true, starting_after: 0 })) replayed.push(event.type);
    assert.deepEqual([replayed[0], replayed.at(-1)], ['response.output_item.added', 'response.completed']);
    await settled();
    assert.deepEqual(counted(beforeRead, await totals('small')), { requests: 2, failures: 0, input: 0, output: 0, estimated: 0 }, 'reading a response uses no tokens');
    assert.deepEqual(await servedBy(), makers, 'every request reached the account that made the first');
    // Another user, whose key shares the pool: the response is not theirs to read or continue, and nothing reaches the upstream.
    const eve = await anotherUser('eve');
    await assert.rejects(eve.responses.retrieve(first.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(eve.responses.create({ model: 'small', input: 'mine now', previous_response_id: first.id }), (e: unknown) => e instanceof OpenAI.BadRequestError);
    assert.deepEqual(await servedBy(), []);
    await openai.responses.delete(first.id);
    await assert.rejects(openai.responses.retrieve(first.id), (e: unknown) => e instanceof OpenAI.NotFoundError, 'deleted at its account');
    assert.deepEqual(await servedBy(), makers, 'deleted at the account that made it');

    await assert.rejects(openai.responses.retrieve('resp_never_made'), (e: unknown) => e instanceof OpenAI.NotFoundError);
    const unkept = await openai.responses.create({ model: 'small', input: 'forget me', store: false });
    assert.equal(await t.roster.services.gateway.ownerOf(unkept.id), undefined, 'store: false is not remembered');
    // The account that made it rate-limited: 429 with Retry-After, no other account tried.
    const kept = await openai.responses.create({ model: 'small', input: 'kept', previous_response_id: streamedId });
    await served();
    await behave({ [makers[0]!]: { rpm: 0 } });
    const limited = await fetch(`${t.roster.gatewayUrl}/v1/responses`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'small', input: 'x', previous_response_id: kept.id }),
    });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.deepEqual(await servedBy(), []);
    await calm();
    // A read as a stream that its upstream cuts: the events before the cut reach the client, then an error event.
    await behave({ [makers[0]!]: { failAfterChunks: 2 } });
    const before = [] as string[];
    await assert.rejects((async () => {
      for await (const event of await openai.responses.retrieve(kept.id, { stream: true })) before.push(event.type);
    })(), (e: unknown) => e instanceof OpenAI.APIError && /failed mid-stream/.test(e.message));
    assert.deepEqual(before, ['response.created', 'response.output_item.added']);
    await calm();
    // Other nodes find the owner in the database; it is forgotten after the upstream's 30 days.
    const owners = new PgKeptObjects(t.db.pool);
    assert.deepEqual(await owners.find(kept.id), await t.roster.services.gateway.ownerOf(kept.id));
    assert.equal((await owners.find(kept.id))?.model, 'small');
    assert.equal(await owners.find(first.id), undefined, 'deleted, forgotten');
    await t.db.pool.query(`UPDATE gateway_response_owners SET created_at = now() - interval '31 days' WHERE response_id = $1`, [streamedId]);
    assert.equal(await owners.prune(new Date(Date.now() - RESPONSE_RETENTION_MS)), 1);
    assert.equal(await owners.find(streamedId), undefined);
    assert.notEqual(await owners.find(kept.id), undefined);
  });

  it('keeps files and batches at the account that made them: uploads, reads, batches, their output, lists of one\'s own', async () => {
    await calm();
    await settled();
    await served();
    const before = await totals('small');
    const lines = ['a', 'b'].map((c) => JSON.stringify({ custom_id: c, method: 'POST', url: '/v1/chat/completions', body: { model: 'sandbox-small', messages: [{ role: 'user', content: `line ${c}` }] } })).join('\n');
    // The model routes the upload (the sandbox, as OpenAI, takes none: it would refuse it).
    const uploaded = await openai.files.create({ file: await toFile(Buffer.from(lines), 'batch.jsonl'), purpose: 'batch' }, { query: { model: 'small' } });
    assert.deepEqual([uploaded.object, uploaded.purpose, uploaded.bytes], ['file', 'batch', lines.length]);
    const maker = await servedBy();
    assert.equal(maker.length, 1);
    // The pool's order would spread these over its four accounts; only the maker knows the file.
    for (let i = 0; i < 3; i++) assert.equal((await openai.files.retrieve(uploaded.id)).id, uploaded.id);
    assert.equal(await (await openai.files.content(uploaded.id)).text(), lines);
    const batch = await openai.batches.create({ input_file_id: uploaded.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    assert.equal(batch.status, 'validating');
    await settled();
    const spentBefore = await spentOn('small');
    const done = await openai.batches.retrieve(batch.id);
    assert.equal(done.status, 'completed');
    // Its requests' tokens, shown once it has finished, are counted by this first read of it finished, and not again.
    assert.deepEqual([done.usage?.input_tokens, done.usage?.output_tokens], [4, 6]);
    assert.equal((await openai.batches.retrieve(batch.id)).status, 'completed');
    await settled();
    assert.equal(await spentOn('small') - spentBefore, (4 * 1 + 6 * 2) / 2, 'at the batch prices: half the route\'s');
    const output = (await (await openai.files.content(done.output_file_id!)).text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(output.map((o) => [o.custom_id, o.response.body.choices[0].message.content]), [['a', 'echo: line a'], ['b', 'echo: line b']]);
    assert.deepEqual(await servedBy(), maker, 'every request reached the account that made the file');

    // A form naming its model in a field (of another pool's route): the field is not sent upstream.
    const form = new FormData();
    form.set('model', 'lean');
    form.set('purpose', 'assistants');
    form.set('file', new Blob(['notes']), 'notes.txt');
    const second = await fetch(`${t.roster.gatewayUrl}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: form });
    assert.equal(second.status, 200);
    const notes = await second.json() as { id: string; purpose: string };
    const noteMaker = await servedBy();
    assert.ok(others.includes(noteMaker[0]!), 'an account of pool gw2');
    // Lists show one's own, as last seen: the batch completed, a file of each purpose, newest first, page by page.
    assert.deepEqual((await openai.batches.list()).data.map((b) => [b.id, b.status]), [[batch.id, 'completed']]);
    assert.deepEqual((await openai.files.list({ purpose: 'batch' })).data.map((f) => f.id), [uploaded.id]);
    const paged: string[] = [];
    for await (const f of openai.files.list({ limit: 1 })) paged.push(f.id);
    assert.deepEqual(paged, [notes.id, uploaded.id], 'the output file is listed once read by id');
    await openai.files.retrieve(done.output_file_id!);
    assert.deepEqual((await openai.files.list({ purpose: 'batch_output' })).data.map((f) => f.id), [done.output_file_id]);

    await served();
    // A chat request naming a file goes to its account (whatever the route's pools); naming files of two accounts, it is refused.
    const chat = { model: 'small', messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'read it' }, { type: 'file' as const, file: { file_id: notes.id } }] }] };
    for (let i = 0; i < 3; i++) await openai.chat.completions.create(chat);
    assert.deepEqual(await servedBy(), noteMaker);
    const both = { ...chat, messages: [{ ...chat.messages[0]!, content: [...chat.messages[0]!.content, { type: 'file' as const, file: { file_id: uploaded.id } }] }] };
    await assert.rejects(openai.chat.completions.create(both), (e: unknown) => e instanceof OpenAI.BadRequestError && /content\.2\.file\.file_id: .* another upstream account/.test(e.message));

    // Another user: not theirs to read, list, batch or name; nothing reaches the upstream.
    const mallory = await anotherUser('mallory');
    await assert.rejects(mallory.files.retrieve(uploaded.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(mallory.files.content(uploaded.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(mallory.batches.retrieve(batch.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(mallory.batches.create({ input_file_id: uploaded.id, endpoint: '/v1/chat/completions', completion_window: '24h' }), (e: unknown) => e instanceof OpenAI.BadRequestError && /input_file_id/.test(e.message));
    await assert.rejects(mallory.chat.completions.create(chat), (e: unknown) => e instanceof OpenAI.BadRequestError && /file_id/.test(e.message));
    assert.deepEqual([(await mallory.files.list()).data, (await mallory.batches.list()).data], [[], []]);
    assert.deepEqual(await servedBy(), []);
    const badLimit = await fetch(`${t.roster.gatewayUrl}/v1/files?limit=0`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(badLimit.status, 400);
    assert.match((await badLimit.json() as { error: { message: string } }).error.message, /limit/);
    // Without a key, the key is what is missing, whatever the query.
    const keyless = await fetch(`${t.roster.gatewayUrl}/v1/vector_stores?limit=0`);
    assert.equal(keyless.status, 401);
    await keyless.body?.cancel();

    // Deleted: forgotten. Gone at its upstream (deleted there): forgotten on the next read.
    assert.equal((await openai.files.delete(uploaded.id)).deleted, true);
    await assert.rejects(openai.files.retrieve(uploaded.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    assert.equal(await t.roster.services.gateway.ownerOf(uploaded.id), undefined);
    const direct = await sandbox.app.inject({ method: 'DELETE', url: `/v1/files/${notes.id}`, headers: { authorization: `Bearer ${noteMaker[0]}` } });
    assert.equal(direct.statusCode, 200);
    await assert.rejects(openai.files.retrieve(notes.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    assert.equal(await t.roster.services.gateway.ownerOf(notes.id), undefined);
    assert.deepEqual((await openai.files.list()).data.map((f) => f.id), [done.output_file_id]);
    await settled();
    // Upload, 3 reads, content, batch, its 2 reads, output content, output read, 3 chats, delete: no tokens but the chats' and the batch's.
    assert.deepEqual(counted(before, await totals('small')), { requests: 14, failures: 0, input: 6 + 4, output: 9 + 6, estimated: 0 }, 'files use no tokens; a batch counts its requests\' once');
  });

  it('takes a large file in parts at the account of its upload (OpenAI\'s Uploads API), and keeps and lists the file it makes', async () => {
    await calm();
    await served();
    // A part over the body limit of other requests (8 MiB), within the upload limit.
    const big = Buffer.alloc(9 * MiB, 'a');
    const tail = Buffer.from('\nthe end');
    const started = await openai.uploads.create({ bytes: big.length + tail.length, filename: 'big.txt', mime_type: 'text/plain', purpose: 'assistants' }, { query: { model: 'small' } });
    assert.deepEqual([started.object, started.status, started.bytes], ['upload', 'pending', big.length + tail.length]);
    const maker = await servedBy();
    assert.equal(maker.length, 1);
    const first = await openai.uploads.parts.create(started.id, { data: await toFile(big, 'part-1') });
    const second = await openai.uploads.parts.create(started.id, { data: await toFile(tail, 'part-2') });
    const done = await openai.uploads.complete(started.id, { part_ids: [first.id, second.id] });
    assert.equal(done.status, 'completed');
    const file = done.file!;
    assert.deepEqual([file.object, file.bytes, file.filename], ['file', big.length + tail.length, 'big.txt']);
    assert.deepEqual(await servedBy(), maker, 'every part reached the account of the upload');
    // The file it made is listed among the user's files, and read at its account.
    assert.deepEqual((await openai.files.list({ purpose: 'assistants', limit: 1 })).data.map((f) => f.id), [file.id]);
    const content = Buffer.from(await (await openai.files.content(file.id)).arrayBuffer());
    assert.equal(content.length, big.length + tail.length);
    assert.equal(content.subarray(-tail.length).toString(), '\nthe end');
    // A JSON body's model routes it too, and is not sent upstream (the sandbox, as OpenAI, would refuse it).
    await served();
    const byBody = await fetch(`${t.roster.gatewayUrl}/v1/uploads`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'lean', bytes: 3, filename: 'x.txt', mime_type: 'text/plain', purpose: 'assistants' }),
    });
    assert.equal(byBody.status, 200);
    const pending = await byBody.json() as { id: string };
    assert.deepEqual((await servedBy()).filter((k) => others.includes(k)).length, 1, 'an account of pool gw2, the route lean\'s');
    assert.equal((await openai.uploads.cancel(pending.id)).status, 'cancelled');
    await assert.rejects(openai.uploads.create({ bytes: 3, filename: 'x.txt', mime_type: 'text/plain', purpose: 'assistants' }), (e: unknown) => e instanceof OpenAI.BadRequestError && /model: required/.test(e.message));
    // Another user's upload is as unknown as one never made; nothing reaches the upstream.
    await served();
    const carol = await anotherUser('uploads-carol');
    await assert.rejects(carol.uploads.parts.create(started.id, { data: await toFile(tail, 'part') }), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(carol.uploads.complete(started.id, { part_ids: [first.id] }), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(carol.files.retrieve(file.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    assert.deepEqual(await servedBy(), []);
  });

  it('reads no body before its key is checked, and bounds the upload bytes under way: per key and in all', async () => {
    await calm();
    const keyNamed = async (name: string) => (await t.call('POST', '/v1/keys', { name }, { token: access })).body.key as string;
    const [a, b, c] = [key, await keyNamed('uploads b'), await keyNamed('uploads c')];
    const url = new URL(`${t.roster.gatewayUrl}/v1/files?model=small`);
    /** An upload announcing `bytes` that sends a few of them and waits: its answer, if one comes before its body. */
    const held: http.ClientRequest[] = [];
    const hold = (bytes: number, bearer?: string, to = url) => new Promise<{ status: number; body: string; retryAfter?: string }>((resolve, reject) => {
      const req = http.request(to, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=b', 'content-length': String(bytes), ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body, retryAfter: res.headers['retry-after'] }));
      });
      req.on('error', reject);
      req.write('--b\r\n');
      held.push(req);
    });
    /** Whether an upload is being read: no answer before its body (one came within a second: it was refused at once). */
    const waiting = (answer: Promise<unknown>) => Promise.race([answer.then(() => false), new Promise((r) => setTimeout(r, 1000, true))]);
    const upload = async (bytes: number, bearer: string) => {
      const form = new FormData();
      form.set('purpose', 'assistants');
      form.set('file', new Blob([Buffer.alloc(bytes, 'x')]), 'x.txt');
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${bearer}` }, body: form });
      await res.body?.cancel();
      return res.status;
    };
    try {
      // No key: refused at once, though its body was never sent (an upload's 16 MiB, or any other request's 8).
      for (const [bytes, to] of [[16 * MiB, url], [8 * MiB, new URL(`${t.roster.gatewayUrl}/v1/chat/completions`)]] as const) {
        const keyless = hold(bytes, undefined, to);
        assert.equal(await waiting(keyless), false, `${to.pathname} answered before its body came`);
        assert.equal((await keyless).status, 401);
      }
      // One key may hold 20 MiB of uploads under way: a second 16 MiB upload of a's is refused until the first ends.
      assert.equal(await waiting(hold(16 * MiB, a)), true);
      const refused = hold(16 * MiB, a);
      assert.equal(await waiting(refused), false, 'answered before its body came');
      const again = await refused;
      assert.deepEqual([again.status, again.retryAfter], [429, '1']);
      assert.match((JSON.parse(again.body) as { error: { message: string } }).error.message, /upload memory/);
      // In all, 40 MiB: with b's 16 MiB too, c's 10 MiB do not fit; a small upload of c's does.
      assert.equal(await waiting(hold(16 * MiB, b)), true);
      assert.equal(await upload(10 * MiB - 1024, c), 429);
      assert.equal(await upload(1024, c), 200);
      // a's upload given up: its bytes are free again.
      held[2]!.destroy();
      await until('a\'s bytes given back', async () => (await upload(10 * MiB - 1024, c)) === 200);
    } finally {
      for (const req of held) req.destroy();
    }
  });

  it('keeps vector stores, fine-tuning jobs and their models, conversations and containers at their accounts, and lists a user\'s own', async () => {
    await calm();
    await settled();
    await served();
    const before = await totals('small');
    const doc = await openai.files.create({ file: await toFile(Buffer.from('a note'), 'note.txt'), purpose: 'assistants' }, { query: { model: 'small' } });
    const maker = await servedBy();
    // A vector store naming the file is made at the file's account: the file routes it (no model).
    const store = await openai.vectorStores.create({ name: 'notes', file_ids: [doc.id] });
    assert.deepEqual([store.object, store.file_counts.total], ['vector_store', 1]);
    for (let i = 0; i < 3; i++) assert.equal((await openai.vectorStores.retrieve(store.id)).id, store.id);
    assert.equal((await openai.vectorStores.update(store.id, { name: 'renamed' })).name, 'renamed');
    // A fine-tuning job sends its model (the pool's upstream model) and runs at its training file's account.
    const job = await openai.fineTuning.jobs.create({ model: 'small', training_file: doc.id });
    assert.deepEqual([job.model, job.status], ['sandbox-small', 'validating_files']);
    const tuned = await openai.fineTuning.jobs.retrieve(job.id);
    assert.equal(tuned.status, 'succeeded');
    // Its model answers at the job's account only (the sandbox, as OpenAI, knows it nowhere else), sent by its own name.
    const tunedModel = tuned.fine_tuned_model!;
    assert.equal((await openai.models.retrieve(tunedModel)).id, tunedModel);
    assert.deepEqual((await openai.models.list()).data.map((m) => m.id).slice(-1), [tunedModel], 'listed after the routes');
    for (let i = 0; i < 3; i++) assert.equal((await openai.chat.completions.create({ model: tunedModel, messages: [{ role: 'user', content: 'tuned?' }] })).model, tunedModel);
    const container = await openai.containers.create({ name: 'work', file_ids: [doc.id] });
    assert.equal((await openai.containers.retrieve(container.id)).name, 'work');
    // A response searching the store goes to its account.
    for (let i = 0; i < 3; i++) await openai.responses.create({ model: 'small', input: 'find it', tools: [{ type: 'file_search', vector_store_ids: [store.id] }] });
    assert.deepEqual(await servedBy(), maker, 'every request reached the account that made the file');

    // A conversation made through the second pool (its model in the query, not sent upstream); responses in it reach its account.
    const conversation = await openai.conversations.create({ metadata: { topic: 'x' } }, { query: { model: 'lean' } });
    const talker = await servedBy();
    assert.ok(others.includes(talker[0]!), 'an account of pool gw2');
    for (let i = 0; i < 3; i++) await openai.responses.create({ model: 'lean', input: 'and then?', conversation: conversation.id });
    await openai.responses.create({ model: 'lean', input: 'and then?', conversation: { id: conversation.id } });
    assert.deepEqual(await servedBy(), talker);
    // A file at another account than the store's is refused, naming the field.
    const elsewhere = await openai.files.create({ file: await toFile(Buffer.from('more'), 'more.txt'), purpose: 'assistants' }, { query: { model: 'lean' } });
    await assert.rejects(openai.vectorStores.files.create(store.id, { file_id: elsewhere.id }), (e: unknown) => e instanceof OpenAI.BadRequestError && /file_id: .* another upstream account/.test(e.message));
    assert.equal((await openai.vectorStores.files.create(store.id, { file_id: doc.id })).vector_store_id, store.id);

    // Lists show one's own as last seen (the store renamed, the job succeeded).
    assert.deepEqual((await openai.vectorStores.list()).data.map((v) => [v.id, v.name]), [[store.id, 'renamed']]);
    assert.deepEqual((await openai.fineTuning.jobs.list()).data.map((j) => [j.id, j.status]), [[job.id, 'succeeded']]);
    assert.deepEqual((await openai.containers.list()).data.map((c) => c.id), [container.id]);

    // Another user: not theirs to read, change, delete, list or name; nothing reaches the upstream.
    await served();
    const trudy = await anotherUser('trudy');
    await assert.rejects(trudy.vectorStores.retrieve(store.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(trudy.vectorStores.update(store.id, { name: 'mine' }), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(trudy.vectorStores.delete(store.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(trudy.fineTuning.jobs.retrieve(job.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(trudy.fineTuning.jobs.cancel(job.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(trudy.chat.completions.create({ model: tunedModel, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(trudy.models.retrieve(tunedModel), (e: unknown) => e instanceof OpenAI.NotFoundError);
    assert.ok(!(await trudy.models.list()).data.some((m) => m.id === tunedModel));
    await assert.rejects(trudy.models.delete(tunedModel), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(trudy.conversations.retrieve(conversation.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(trudy.responses.create({ model: 'lean', input: 'x', conversation: conversation.id }), (e: unknown) => e instanceof OpenAI.BadRequestError && /conversation: .* not found/.test(e.message));
    await assert.rejects(trudy.responses.create({ model: 'small', input: 'x', tools: [{ type: 'file_search', vector_store_ids: [store.id] }] }), (e: unknown) => e instanceof OpenAI.BadRequestError && /tools\.0\.vector_store_ids\.0: .* not found/.test(e.message));
    assert.deepEqual([(await trudy.vectorStores.list()).data, (await trudy.fineTuning.jobs.list()).data, (await trudy.containers.list()).data], [[], [], []]);
    assert.deepEqual(await servedBy(), []);

    // Deleted: forgotten (the store only, not the file it held).
    assert.equal((await openai.vectorStores.delete(store.id)).deleted, true);
    assert.equal(await t.roster.services.gateway.ownerOf(store.id), undefined);
    assert.notEqual(await t.roster.services.gateway.ownerOf(doc.id), undefined);
    assert.deepEqual((await openai.vectorStores.list()).data, []);
    assert.equal((await openai.conversations.delete(conversation.id)).deleted, true);
    assert.equal((await openai.models.delete(tunedModel)).deleted, true);
    assert.ok(!(await openai.models.list()).data.some((m) => m.id === tunedModel), 'deleted: no longer listed');
    await assert.rejects(openai.chat.completions.create({ model: tunedModel, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(openai.conversations.retrieve(conversation.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await settled();
    // Through the first pool: upload, store made, 3 reads, renamed, job made and read, 3 chats with its model, container made and read,
    // 3 responses, a file added, store deleted, model deleted (lists are not forwarded).
    const small = counted(before, await totals('small'));
    assert.deepEqual([small.requests, small.failures, small.estimated], [19, 0, 0]);
  });

  it('keeps assistants and threads at their accounts: a thread made where its assistant is, runs counted once finished, none shown to another user', async () => {
    await calm();
    await settled();
    await served();
    const before = await totals('small');
    const assistant = await openai.beta.assistants.create({ model: 'small', name: 'helper' });
    assert.equal(assistant.model, 'sandbox-small', 'the route\'s upstream model is sent');
    const maker = await servedBy();
    assert.equal(maker.length, 1);
    // A thread made where its assistant is (`?assistant_id=`, not sent upstream), a message, a run, its reads: all at the assistant's account.
    const thread = await openai.beta.threads.create({ messages: [{ role: 'user', content: 'hello assistant' }] }, { query: { assistant_id: assistant.id } });
    await openai.beta.threads.messages.create(thread.id, { role: 'user', content: 'are you there' });
    const run = await openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    assert.deepEqual([run.status, run.usage], ['queued', null]);
    const finished = await openai.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
    assert.deepEqual([finished.status, finished.usage?.prompt_tokens, finished.usage?.completion_tokens], ['completed', 5, 4]);
    assert.equal((await openai.beta.threads.runs.retrieve(run.id, { thread_id: thread.id })).status, 'completed', 'read again: not counted again');
    const said = (await openai.beta.threads.messages.list(thread.id, { order: 'asc' })).data.map((m) => (m.content[0] as { text: { value: string } }).text.value);
    assert.deepEqual(said, ['hello assistant', 'are you there', 'echo: are you there']);
    // A run asked as a stream passes as it comes; its tokens are counted from it (the three messages in, the echo out), once.
    const events: string[] = [];
    let streamedRun = '';
    for await (const e of await openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id, stream: true })) {
      events.push(e.event);
      if (e.event === 'thread.run.completed') streamedRun = e.data.id;
    }
    assert.deepEqual(events, ['thread.run.created', 'thread.message.completed', 'thread.run.completed']);
    await settled();
    // Assistant, thread, message, run, its 2 reads, messages listed, the streamed run: the first run's tokens and the streamed one's.
    assert.deepEqual(counted(before, await totals('small')), { requests: 8, failures: 0, input: 5 + 9, output: 4 + 4, estimated: 0 }, 'counted by the stream');
    assert.equal((await openai.beta.threads.runs.retrieve(streamedRun, { thread_id: thread.id })).usage?.prompt_tokens, 9, 'read after: not counted again');
    // A thread made with its run goes to the assistant's account too, and remembers the thread.
    const both = await openai.beta.threads.createAndRun({ assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'one more' }] } });
    assert.equal((await openai.beta.threads.runs.retrieve(both.id, { thread_id: both.thread_id })).usage?.completion_tokens, 3);
    // A model an update or a run names is a route's (an alias too): sent on as its upstream name, at the object's account.
    assert.equal((await openai.beta.assistants.update(assistant.id, { model: 'embed' })).model, 'sandbox-embed');
    assert.equal((await openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id, model: 'tiny' })).model, 'sandbox-small');
    await assert.rejects(openai.beta.threads.runs.create(thread.id, { assistant_id: assistant.id, model: 'unknown' }), (e: unknown) => e instanceof OpenAI.NotFoundError && /unknown is not served/.test(e.message));
    for (let i = 0; i < 3; i++) assert.equal((await openai.beta.assistants.retrieve(assistant.id)).name, 'helper');
    assert.deepEqual(await servedBy(), maker, 'every request reached the assistant\'s account');
    assert.deepEqual((await openai.beta.assistants.list()).data.map((a) => a.id), [assistant.id]);

    // Another user: not theirs to list, read, run or delete; a thread of theirs may not name the assistant.
    const victor = await anotherUser('victor');
    assert.deepEqual((await victor.beta.assistants.list()).data, []);
    await assert.rejects(victor.beta.assistants.retrieve(assistant.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(victor.beta.assistants.delete(assistant.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(victor.beta.threads.messages.list(thread.id), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(victor.beta.threads.createAndRun({ assistant_id: assistant.id }), (e: unknown) => e instanceof OpenAI.BadRequestError && /assistant_id/.test(e.message));
    await assert.rejects(victor.beta.threads.create({}, { query: { assistant_id: assistant.id } }), (e: unknown) => e instanceof OpenAI.BadRequestError && /assistant_id/.test(e.message));
    assert.deepEqual(await servedBy(), [], 'nothing reached the upstream');

    assert.equal((await openai.beta.threads.delete(thread.id)).deleted, true);
    assert.equal((await openai.beta.assistants.delete(assistant.id)).deleted, true);
    assert.deepEqual([await t.roster.services.gateway.ownerOf(thread.id), await t.roster.services.gateway.ownerOf(assistant.id)], [undefined, undefined]);
    await settled();
    // Assistant made, thread made, message, run made, 2 run reads, messages listed, a streamed run and its read, thread and run made, its read,
    // the run on tiny, 3 assistant reads, 2 deletions: the runs' tokens, counted once each, and no other (the update counts on embed).
    assert.deepEqual(counted(before, await totals('small')), { requests: 17, failures: 0, input: 5 + 9 + 2, output: 4 + 4 + 3, estimated: 0 });
  });

  it('counts the tokens of a batch, a message batch, a run and a background response no client read finished: once, against the key that made them', async () => {
    await calm();
    await settled();
    const made = (await t.call('POST', '/v1/keys', { name: 'left behind', limits: { budget: { units: 100_000, period: 'day' } } }, { token: access })).body as { key: string; keyId: string };
    const maker = new OpenAI({ apiKey: made.key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    const anthropicMaker = new Anthropic({ apiKey: made.key, baseURL: t.roster.gatewayUrl, maxRetries: 0 });
    const lines = ['p', 'q'].map((c) => JSON.stringify({ custom_id: c, method: 'POST', url: '/v1/chat/completions', body: { model: 'sandbox-small', messages: [{ role: 'user', content: `left ${c}` }] } })).join('\n');
    const file = await maker.files.create({ file: await toFile(Buffer.from(lines), 'left.jsonl'), purpose: 'batch' }, { query: { model: 'small' } });
    const batch = await maker.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const queued = await maker.responses.create({ model: 'small', input: 'left behind', background: true });
    await anthropicMaker.messages.batches.create({ requests: [{ custom_id: 'x', params: { model: 'small', max_tokens: 20, messages: [{ role: 'user', content: 'left too' }] } }] });
    const assistant = await maker.beta.assistants.create({ model: 'small' });
    const thread = await maker.beta.threads.create({ messages: [{ role: 'user', content: 'left in thread' }] }, { query: { assistant_id: assistant.id } });
    await maker.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    const { lateUsage } = t.roster.services;
    assert.equal(await lateUsage.scan(), 0, 'made just now: not read yet');
    // As the sweeper's clock would see it past ROSTER_LATE_USAGE_AFTER_MS (10 minutes), then again later.
    assert.equal(await lateUsage.scan(Date.now() + 11 * 60_000), 4);
    assert.equal(await lateUsage.scan(Date.now() + 22 * 60_000), 0, 'counted: not read again');
    // The client reads two of them finished: their tokens are not counted again.
    assert.equal((await maker.batches.retrieve(batch.id)).status, 'completed');
    assert.equal((await maker.responses.retrieve(queued.id)).status, 'completed');
    await settled();
    const mine = (await usageRows()).filter((r) => r.key_id === made.keyId);
    const sum = (column: string) => mine.reduce((n, r) => n + Number(r[column]), 0);
    // Upload, batch, response, message batch, assistant, thread, run, two reads; the batch's two lines (2 + 2 in, 3 + 3 out), the response (2, 3),
    // the message batch (2, 3) and the run (3, 4).
    assert.deepEqual([sum('requests'), sum('failures'), sum('input_tokens'), sum('output_tokens'), sum('estimated')], [9, 0, 4 + 2 + 2 + 3, 6 + 3 + 3 + 4, 0]);
    // What the tokens cost is charged to the key's budget, though no request reserved it.
    const budget = (await t.call('GET', `/v1/keys/${made.keyId}`, undefined, { token: access })).body.budget as { spent: number; reserved: number };
    // The two batches' tokens at half the route's prices (2 + 6, 1 + 3), the response's and the run's at full (2 + 6, 3 + 8).
    assert.equal(sum('spend'), 8 + 4 + 8 + 11);
    assert.deepEqual([budget.spent.toFixed(6), budget.reserved], [sum('spend').toFixed(6), 0]);
  });

  it('counts a batch\'s tokens against the key that made it, though another key of its user reads it finished', async () => {
    await calm();
    await settled();
    const reading = (await t.call('POST', '/v1/keys', { name: 'reader' }, { token: access })).body as { key: string; keyId: string };
    const reader = new OpenAI({ apiKey: reading.key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    const makerId = ((await t.call('GET', '/v1/keys', undefined, { token: access })).body as { items: Array<{ keyId: string; name: string }> }).items.find((k) => k.name === 'sdk')!.keyId;
    const byKey = async (keyId: string) => {
      const rows = (await usageRows()).filter((r) => r.key_id === keyId && r.model === 'small');
      return ['requests', 'input_tokens', 'output_tokens', 'spend'].map((c) => rows.reduce((n, r) => n + Number(r[c]), 0));
    };
    const before = await byKey(makerId);
    const lines = ['m', 'n'].map((c) => JSON.stringify({ custom_id: c, method: 'POST', url: '/v1/chat/completions', body: { model: 'sandbox-small', messages: [{ role: 'user', content: `mine ${c}` }] } })).join('\n');
    const file = await openai.files.create({ file: await toFile(Buffer.from(lines), 'mine.jsonl'), purpose: 'batch' }, { query: { model: 'small' } });
    const batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    assert.equal((await reader.batches.retrieve(batch.id)).status, 'completed');
    await settled();
    const after = await byKey(makerId);
    assert.deepEqual(after.map((v, i) => v - before[i]!), [2, 4, 6, (4 + 12) / 2], 'the maker: its two requests, and the batch\'s tokens at the batch prices');
    assert.deepEqual(await byKey(reading.keyId), [1, 0, 0, 0], 'the reader: its read, no tokens');
    // Still the maker's, on this node as in the table (a later read counts nothing against the reader).
    const table = await new PgKeptObjects(t.db.pool).find(batch.id);
    assert.deepEqual([(await t.roster.services.gateway.ownerOf(batch.id))?.keyId, table?.keyId], [makerId, makerId]);
  });

  it('counts a batch\'s tokens on the usage day it finished, though read the day after; a message batch\'s results too', async () => {
    await calm();
    await settled();
    await behave(Object.fromEntries(accounts.map((a) => [a, { finishedSecondsAgo: 86_400 }])));
    try {
      const lines = ['y'].map((c) => JSON.stringify({ custom_id: c, method: 'POST', url: '/v1/chat/completions', body: { model: 'sandbox-small', messages: [{ role: 'user', content: `yesterday ${c}` }] } })).join('\n');
      const file = await openai.files.create({ file: await toFile(Buffer.from(lines), 'yesterday.jsonl'), purpose: 'batch' }, { query: { model: 'small' } });
      const batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      const done = await openai.batches.retrieve(batch.id);
      assert.equal(done.status, 'completed');
      await settled();
      const yesterday = t.roster.services.gateway.lateDay({ finishedAt: done.completed_at! * 1000 });
      assert.notEqual(yesterday, t.roster.services.gateway.dayOf(Date.now()));
      const rows = (await usageRows()).filter((r) => r.model === 'small' && r.day === yesterday);
      assert.deepEqual(rows.map((r) => [Number(r.requests), Number(r.input_tokens), Number(r.output_tokens)]), [[0, 2, 3]], 'the tokens on the day it finished; the read on today');

      // A message batch's tokens are in its results: read today, counted on the day a read of it showed it ended.
      const messages = await anthropic.messages.batches.create({ requests: [{ custom_id: 'm', params: { model: 'small', max_tokens: 20, messages: [{ role: 'user', content: 'ended yesterday' }] } }] });
      const ended = await anthropic.messages.batches.retrieve(messages.id);
      assert.equal(ended.processing_status, 'ended');
      assert.equal(t.roster.services.gateway.lateDay({ finishedAt: Date.parse(ended.ended_at!) }), yesterday);
      const results: string[] = [];
      for await (const r of await anthropic.messages.batches.results(messages.id)) results.push(r.custom_id);
      assert.deepEqual(results, ['m']);
      await settled();
      const after = (await usageRows()).filter((r) => r.model === 'small' && r.day === yesterday);
      const sum = (column: string) => after.reduce((n, r) => n + Number(r[column]), 0);
      // 'ended yesterday': two words in, three out ('echo: ended yesterday').
      assert.deepEqual([sum('requests'), sum('input_tokens'), sum('output_tokens')], [0, 2 + 2, 3 + 3], 'its results\' tokens on the day it ended');
    } finally {
      await behave({});
    }
  });

  it('counts a batch that shows no usage by its output file\'s lines, once', async () => {
    await calm();
    await settled();
    await behave(Object.fromEntries(accounts.map((a) => [a, { hideBatchUsage: true }])));
    try {
      const before = await totals('small');
      const lines = ['a', 'b'].map((c) => JSON.stringify({ custom_id: c, method: 'POST', url: '/v1/chat/completions', body: { model: 'sandbox-small', messages: [{ role: 'user', content: `hidden ${c}` }] } })).join('\n');
      const file = await openai.files.create({ file: await toFile(Buffer.from(lines), 'hidden.jsonl'), purpose: 'batch' }, { query: { model: 'small' } });
      const batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      const done = await openai.batches.retrieve(batch.id);
      assert.deepEqual([done.status, done.usage], ['completed', undefined]);
      await settled();
      assert.deepEqual(counted(before, await totals('small')), { requests: 3, failures: 0, input: 0, output: 0, estimated: 0 }, 'finished, but its tokens not shown: none counted by the read');
      assert.equal(await t.roster.services.lateUsage.scan(Date.now() + 11 * 60_000), 1);
      assert.equal(await t.roster.services.lateUsage.scan(Date.now() + 22 * 60_000), 0);
      await settled();
      // Two lines of 2 tokens in and 3 out each, from the output file.
      assert.deepEqual(counted(before, await totals('small')), { requests: 3, failures: 0, input: 4, output: 6, estimated: 0 });
    } finally {
      await behave({});
    }
  });

  it('leaves an object whose account cools for its model to a later round of the sweeper', async () => {
    await calm();
    await settled();
    const queued = await openai.responses.create({ model: 'small', input: 'wait for me', background: true });
    const owner = (await t.roster.services.gateway.ownerOf(queued.id))!;
    const counted = async () => (await t.db.pool.query('SELECT late_usage_counted_at FROM gateway_response_owners WHERE response_id = $1', [queued.id])).rows[0].late_usage_counted_at;
    await t.call('POST', `/v1/accounts/${owner.accountId}/cooldown`, { durationMs: 3600_000, model: 'small', reason: 'test' });
    const { gateway, lateUsage } = t.roster.services;
    await until('the cooldown', async () => gateway.cooling(owner.accountId, 'small'));
    await served();
    await lateUsage.scan(Date.now() + 11 * 60_000);
    assert.equal(await counted(), null, 'not read while its account cools');
    assert.deepEqual(await servedBy(), [], 'nothing reached the cooling account');
    await calm();
    await lateUsage.scan(Date.now() + 22 * 60_000);
    assert.notEqual(await counted(), null, 'read and counted in a later round');
  });

  it('answers messages through the Anthropic SDK, whole and streamed, with its usage', async () => {
    const whole = await anthropic.messages.create({ model: 'small', max_tokens: 100, messages: [{ role: 'user', content: 'hi claude' }] });
    assert.deepEqual(whole.content, [{ type: 'text', text: 'echo: hi claude' }]);
    assert.deepEqual([whole.usage.input_tokens, whole.usage.output_tokens], [2, 3]);
    const stream = anthropic.messages.stream({ model: 'small', max_tokens: 100, messages: [{ role: 'user', content: 'stream me please' }] });
    const final = await stream.finalMessage();
    assert.deepEqual(final.content, [{ type: 'text', text: 'echo: stream me please' }]);
    assert.deepEqual([final.usage.input_tokens, final.usage.output_tokens], [3, 4]);
    const counted = await anthropic.messages.countTokens({ model: 'small', messages: [{ role: 'user', content: 'count these three' }] });
    assert.equal(counted.input_tokens, 3);
    const models: string[] = [];
    for await (const m of anthropic.models.list()) models.push(m.id);
    assert.deepEqual(models.sort(), ['capped', 'embed', 'fallback', 'free', 'fresh', 'lean', 'poisoned', 'refusing', 'single', 'small', 'spread', 'wide']);
    assert.equal((await anthropic.models.retrieve('small')).display_name, 'small');
    await assert.rejects(anthropic.models.retrieve('nothing-here'), (e: unknown) => e instanceof Anthropic.NotFoundError);
  });

  it('keeps Anthropic message batches at the account that made them: results read through the gateway, their tokens counted once, none shown to another user', async () => {
    await calm();
    await settled();
    await served();
    const before = await totals('small');
    const spentBefore = await spentOn('small');
    const requests = ['a', 'b', 'c'].map((c) => ({ custom_id: c, params: { model: 'small', max_tokens: 50, messages: [{ role: 'user' as const, content: `batch line ${c}` }] } }));
    const batch = await anthropic.messages.batches.create({ requests });
    assert.equal(batch.processing_status, 'in_progress');
    const maker = await servedBy();
    assert.equal(maker.length, 1);
    // Ended: its results are read through the gateway (the upstream's absolute URL would take the client's key there).
    const ended = await anthropic.messages.batches.retrieve(batch.id);
    assert.deepEqual([ended.processing_status, ended.results_url], ['ended', `/v1/messages/batches/${batch.id}/results`]);
    const texts = async () => {
      const read: string[][] = [];
      for await (const r of await anthropic.messages.batches.results(batch.id)) read.push([r.custom_id, r.result.type === 'succeeded' ? (r.result.message.content[0] as { text: string }).text : r.result.type]);
      return read;
    };
    assert.deepEqual(await texts(), [['a', 'echo: batch line a'], ['b', 'echo: batch line b'], ['c', 'echo: batch line c']]);
    assert.equal((await texts()).length, 3, 'read again: not counted again');
    assert.deepEqual(await servedBy(), maker, 'every request reached the account that made the batch');
    const listed: string[] = [];
    for await (const b of anthropic.messages.batches.list({ limit: 1 })) listed.push(b.id);
    assert.equal(listed[0], batch.id, 'newest first, page by page');
    assert.equal(new Set(listed).size, listed.length);
    await assert.rejects(
      anthropic.messages.batches.create({ requests: [requests[0]!, { ...requests[1]!, params: { ...requests[1]!.params, model: 'lean' } }] }),
      (e: unknown) => e instanceof Anthropic.BadRequestError && /requests\.1\.params\.model/.test(e.message),
    );

    // Another user: not theirs to list, read, read the results of, cancel or delete; nothing reaches the upstream.
    const opal = await anotherUser('opal');
    const theirKey = opal.apiKey!;
    const theirs = new Anthropic({ apiKey: theirKey, baseURL: t.roster.gatewayUrl, maxRetries: 0 });
    assert.deepEqual((await theirs.messages.batches.list()).data, []);
    await assert.rejects(theirs.messages.batches.retrieve(batch.id), (e: unknown) => e instanceof Anthropic.NotFoundError);
    const results = await fetch(`${t.roster.gatewayUrl}/v1/messages/batches/${batch.id}/results`, { headers: { 'x-api-key': theirKey } });
    assert.deepEqual([results.status, ((await results.json()) as { type: string }).type], [404, 'error']);
    await assert.rejects(theirs.messages.batches.cancel(batch.id), (e: unknown) => e instanceof Anthropic.NotFoundError);
    await assert.rejects(theirs.messages.batches.delete(batch.id), (e: unknown) => e instanceof Anthropic.NotFoundError);
    assert.deepEqual(await servedBy(), []);

    assert.equal((await anthropic.messages.batches.delete(batch.id)).type, 'message_batch_deleted');
    assert.equal(await t.roster.services.gateway.ownerOf(batch.id), undefined);
    await settled();
    // Made, read, results read twice (each a read of the batch, then its results), deleted: three requests' tokens, once.
    assert.deepEqual(counted(before, await totals('small')), { requests: 7, failures: 0, input: 9, output: 12, estimated: 0 });
    assert.equal(await spentOn('small') - spentBefore, (9 * 1 + 12 * 2) / 2, 'at the batch prices');
  });

  it('keeps Anthropic\'s Files API files at the account that uploaded them: metadata, content, a message\'s document, lists of one\'s own', async () => {
    await calm();
    await settled();
    await served();
    const notes = await anthropic.beta.files.upload({ file: await toFile(Buffer.from('quarterly notes'), 'notes.txt', { type: 'text/plain' }) }, { query: { model: 'small' } });
    assert.deepEqual([notes.type, notes.filename, notes.size_bytes, notes.mime_type], ['file', 'notes.txt', 15, 'text/plain']);
    assert.match(notes.id, /^file_/);
    const maker = await servedBy();
    assert.equal(maker.length, 1);
    const second = await anthropic.beta.files.upload({ file: await toFile(Buffer.from('more'), 'more.txt', { type: 'text/plain' }) }, { query: { model: 'small' } });
    await served();
    // Read, downloaded and named in a message at the account that has it, whichever the pool's order would pick.
    for (let i = 0; i < 3; i++) assert.equal((await anthropic.beta.files.retrieveMetadata(notes.id)).id, notes.id);
    assert.equal(await (await anthropic.beta.files.download(notes.id)).text(), 'quarterly notes');
    for (let i = 0; i < 3; i++) {
      const m = await anthropic.beta.messages.create({
        model: 'small', max_tokens: 20, betas: ['files-api-2025-04-14'],
        messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: notes.id } }, { type: 'text', text: 'summarise it' }] }],
      });
      assert.deepEqual(m.content, [{ type: 'text', text: 'echo: summarise it' }]);
    }
    assert.deepEqual(await servedBy(), maker, 'every request reached the account that has the file');
    // Lists: Anthropic's shape, one's own Anthropic files only (not the OpenAI files of earlier tests), page by page.
    const listed: string[] = [];
    for await (const f of anthropic.beta.files.list({ limit: 1 })) listed.push(f.id);
    assert.deepEqual(listed, [second.id, notes.id]);
    assert.ok((await openai.files.list()).data.every((f) => f.id !== notes.id), 'OpenAI\'s list shows OpenAI\'s files');
    // By ids (as the SDK sends them, `ids[]=`): one's own, newest first, one page; an id not known is left out.
    assert.deepEqual((await anthropic.beta.files.list({ ids: [notes.id] })).data.map((f) => f.id), [notes.id]);
    const byIds = await anthropic.beta.files.list({ ids: [notes.id, 'file_unknown', second.id, notes.id] });
    assert.deepEqual([byIds.data.map((f) => f.id), byIds.hasNextPage()], [[second.id, notes.id], false]);
    await assert.rejects(anthropic.beta.files.list({ ids: [notes.id], limit: 5 }), (e: unknown) => e instanceof Anthropic.BadRequestError && /ids: not with page or limit/.test(e.message));
    await assert.rejects(anthropic.beta.files.list({ ids: Array.from({ length: 101 }, (_, i) => `file_${i}`) }), (e: unknown) => e instanceof Anthropic.BadRequestError && /ids: from 1 to 100/.test(e.message));
    await assert.rejects(anthropic.beta.files.list({ scope_id: 'session_1' }), (e: unknown) => e instanceof Anthropic.BadRequestError && /scope_id/.test(e.message), 'a filter not kept is refused, not ignored');
    // Another user: not theirs to read, download, name or delete; nothing reaches the upstream.
    const opal = await anotherUser('files-opal');
    const theirs = new Anthropic({ apiKey: opal.apiKey!, baseURL: t.roster.gatewayUrl, maxRetries: 0 });
    assert.deepEqual((await theirs.beta.files.list()).data, []);
    assert.deepEqual((await theirs.beta.files.list({ ids: [notes.id] })).data, [], 'not by id either');
    await assert.rejects(theirs.beta.files.retrieveMetadata(notes.id), (e: unknown) => e instanceof Anthropic.NotFoundError);
    await assert.rejects(theirs.beta.files.download(notes.id), (e: unknown) => e instanceof Anthropic.NotFoundError);
    await assert.rejects(theirs.beta.files.delete(notes.id), (e: unknown) => e instanceof Anthropic.NotFoundError);
    await assert.rejects(
      theirs.beta.messages.create({ model: 'small', max_tokens: 20, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'file', file_id: notes.id } }] }] }),
      (e: unknown) => e instanceof Anthropic.BadRequestError && /messages\.0\.content\.0\.source\.file_id/.test(e.message),
    );
    assert.deepEqual(await servedBy(), []);
    // Deleted: forgotten, then unknown.
    assert.deepEqual(await anthropic.beta.files.delete(notes.id), { id: notes.id, type: 'file_deleted' });
    assert.equal(await t.roster.services.gateway.ownerOf(notes.id), undefined);
    await assert.rejects(anthropic.beta.files.retrieveMetadata(notes.id), (e: unknown) => e instanceof Anthropic.NotFoundError);
  });

  it('tells a member and an operator where clients reach it: the host they reached the API by, at its port', async () => {
    const mine = await t.call('GET', '/v1/gateway', undefined, { token: access });
    assert.deepEqual(mine.body, { baseUrl: `${t.roster.gatewayUrl}/v1`, anthropicBaseUrl: t.roster.gatewayUrl }, 'the member\'s own');
    const port = new URL(t.roster.gatewayUrl).port;
    // Raw requests: a Host header of the client's choosing, then HTTP/1.0 without one (no address to give, and no error).
    const { port: apiPort } = new URL(t.roster.url);
    const raw = (head: string) => new Promise<string>((resolve, reject) => {
      const socket = connect(Number(apiPort), '127.0.0.1', () => socket.end(`${head}authorization: Bearer ${t.token}\r\nconnection: close\r\n\r\n`));
      let text = '';
      socket.on('data', (d) => (text += String(d))).on('end', () => resolve(text)).on('error', reject);
    });
    const named = await raw('GET /v1/gateway HTTP/1.1\r\nhost: roster.internal:9999\r\n');
    assert.ok(named.endsWith(JSON.stringify({ baseUrl: `http://roster.internal:${port}/v1`, anthropicBaseUrl: `http://roster.internal:${port}` })), named);
    const hostless = await raw('GET /v1/gateway HTTP/1.0\r\n');
    assert.match(hostless, /^HTTP\/1\.[01] 200/);
    assert.ok(hostless.endsWith('{"baseUrl":null,"anthropicBaseUrl":null}'), hostless);
  });

  it('refuses a request without a valid key (401), an unknown model (404), in the SDK\'s own error shapes', async () => {
    const stranger = new OpenAI({ apiKey: 'rk_00000000000000000000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    await assert.rejects(stranger.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.AuthenticationError);
    const bare = await fetch(`${t.roster.gatewayUrl}/v1/models`);
    assert.equal(bare.status, 401);
    assert.match((await bare.json() as { error: { message: string } }).error.message, /Roster API key/);
    // A key cut short, or a token of no known form, is named for what it is, not asked for as an admin token.
    for (const [header, value] of <Array<[string, string]>>[['authorization', 'Bearer rk_00000000000000000000000000000000_cut'], ['x-api-key', 'rk_typo'], ['authorization', 'Bearer sk-not-ours']]) {
      const r = await fetch(`${t.roster.gatewayUrl}/v1/models`, { headers: { [header]: value } });
      assert.equal(r.status, 401);
      assert.match((await r.json() as { error: { message: string } }).error.message, /^the (API key|bearer token) is not valid$/, `${header}: ${value}`);
    }
    await assert.rejects(openai.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.NotFoundError);
    await assert.rejects(anthropic.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof Anthropic.NotFoundError);
    // A path outside /v1, in the shape of the client that asks.
    const nowhere = async (headers: Record<string, string>) => (await fetch(`${t.roster.gatewayUrl}/v2/nothing`, { headers })).json() as Promise<{ type?: string; error: { message: string } }>;
    assert.equal((await nowhere({})).type, undefined);
    assert.deepEqual([(await nowhere({ 'anthropic-version': '2023-06-01' })).type, (await nowhere({ 'anthropic-version': '2023-06-01' })).error.message], ['error', 'no route GET /v2/nothing']);
  });

  it('fails over from a 503 and a 429 account before the first byte, and cools the 429 one for the model', async () => {
    /** Each account's tries and failures of model small today, as operators read them. */
    const outcomes = async () => {
      await t.roster.services.gateway.meter.flush();
      const { body } = await t.call('GET', `/v1/gateway/upstreams?pool=gw&model=small&position=${encodeURIComponent(String(await t.roster.services.store.headPosition()))}`);
      // Today's rows: the newest day's (a batch counted on the day it finished leaves a row yesterday).
      type Outcome = { login: string; day: string; tries: number; failures: number; errorRate: number; rateLimited: number; timeouts: number; otherFailures: number };
      const today = (body.items as Outcome[])[0]?.day;
      return Object.fromEntries((body.items as Outcome[]).filter((o) => o.day === today).map((o) => [o.login, o]));
    };
    const before = await outcomes();
    await behave({ [accounts[0]!]: { status: 503 }, [accounts[1]!]: { rpm: 0 } });
    for (let i = 0; i < 8; i++) {
      const r = await openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: `try ${i}` }] });
      assert.equal(r.choices[0]!.message.content, `echo: try ${i}`);
    }
    const cooled = t.roster.services.accounts.find((await t.call('GET', '/v1/accounts?pool=gw&limit=10')).body.items.find((a: { login: string }) => a.login === 'gw1@example.test').accountId)!;
    assert.ok(cooled.state.cooldowns.some((c) => c.model === 'small' && c.until > Date.now()), 'the 429 account cools for the model');

    const after = await outcomes();
    const delta = (login: string, field: 'tries' | 'failures') => (after[login]?.[field] ?? 0) - (before[login]?.[field] ?? 0);
    const logins = [0, 1, 2, 3].map((i) => `gw${i}@example.test`);
    assert.equal(logins.reduce((n, l) => n + delta(l, 'tries') - delta(l, 'failures'), 0), 8, 'eight tries succeeded');
    assert.deepEqual([delta(logins[2]!, 'failures'), delta(logins[3]!, 'failures')], [0, 0], 'the healthy accounts never failed');
    for (const l of logins.slice(0, 2)) assert.equal(delta(l, 'failures'), delta(l, 'tries'), `${l} failed every try`);
    // By kind: the 503 account's failures are neither 429s nor timeouts; the other's are 429s.
    const kinds = (login: string) => (['rateLimited', 'timeouts', 'otherFailures'] as const).map((k) => (after[login]?.[k] ?? 0) - (before[login]?.[k] ?? 0));
    assert.deepEqual(kinds(logins[0]!), [0, 0, delta(logins[0]!, 'failures')], 'the 503s');
    assert.deepEqual(kinds(logins[1]!), [delta(logins[1]!, 'failures'), 0, 0], 'the 429s');
    assert.ok(delta(logins[0]!, 'failures') + delta(logins[1]!, 'failures') >= 1);
    assert.equal(after[logins[0]!]!.errorRate, after[logins[0]!]!.failures / after[logins[0]!]!.tries);
  });

  it('disables an account whose credential is refused again soon after its refusal\'s cooldown, with nothing new since; the rest serve', async () => {
    // No scheduler round runs here: nothing refreshes or probes the account, as with a provider that can do neither.
    const cooldown = { baseMs: 1000, maxMs: 1000, failureThreshold: 5, failureWindowMs: 60_000 };
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'gw5', name: 'Refusing', providerId: 'sb', cooldown })).status, 201);
    const keys = ['sk-sandbox-refusing-0', 'sk-sandbox-refusing-1'];
    const imported = await t.call('POST', '/v1/pools/gw5/accounts', { accounts: keys.map((k, i) => ({ login: `refusing${i}@example.test`, accessToken: k })) });
    const [refusing] = imported.body.lines.map((l: { accountId: string }) => l.accountId) as string[];
    await t.call('GET', `/v1/accounts?pool=gw5&position=${imported.body.position}`);
    await behave({ [keys[0]!]: { status: 401 } });
    try {
      const state = () => t.roster.services.accounts.find(refusing!)!.state;
      // Round robin offers both in turn: the refusing one is tried, cools, and the other answers.
      for (let i = 0; i < 2; i++) assert.equal((await ask('refusing')).choices[0]!.message.content, 'echo: x');
      assert.equal(state().cooldowns.find((c) => c.untilRotated)?.reason, 'the upstream refused its credential');
      // Its cooldown over, it is tried again and refused again: disabled, with the reason.
      await until('the cooldown over', async () => state().cooldowns.every((c) => c.until <= Date.now()));
      for (let i = 0; i < 2; i++) assert.equal((await ask('refusing')).choices[0]!.message.content, 'echo: x');
      await until('disabled', async () => state().status === 'disabled');
      const row = (await t.call('GET', `/v1/accounts/${refusing}?position=${encodeURIComponent(String(await t.roster.services.store.headPosition()))}`)).body;
      assert.deepEqual([row.status, row.disabledReason], ['disabled', REFUSED_AGAIN]);
    } finally {
      await behave({});
    }
  });

  it('answers usage per key, model and day over HTTP: a member its own keys\' only, an admin anyone\'s, by user, key, model and day', async () => {
    await calm();
    await registerUser(t.roster.services.users, { email: 'meter@example.test', password: 'meter password 1', role: 'member', verified: true }, { actor: 'test', correlationId: 'meter' });
    const signedIn = (await t.call('POST', '/v1/auth/login', { email: 'meter@example.test', password: 'meter password 1' }, { token: null })).body;
    const meterId = signedIn.user.userId as string;
    const made = (await t.call('POST', '/v1/keys', { name: 'meter' }, { token: signedIn.accessToken })).body;
    const client = new OpenAI({ apiKey: made.key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    for (let i = 0; i < 2; i++) await client.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: `meter ${i}` }] });
    await settled();
    type Row = { keyId: string; userId: string; model: string; day: string; requests: number };
    const usage = async (query: string, token?: string) => (await t.call('GET', `/v1/usage/gateway${query}`, undefined, token ? { token } : {})).body.items as Row[];
    const requests = (rows: Row[]) => rows.reduce((n, r) => n + r.requests, 0);

    const own = await usage('', signedIn.accessToken);
    assert.deepEqual([new Set(own.map((r) => r.userId)), requests(own)], [new Set([meterId]), 2], 'a member sees its own usage');
    const devId = (await t.call('GET', '/v1/auth/me', undefined, { token: access })).body.userId as string;
    assert.deepEqual(new Set((await usage(`?userId=${devId}`, signedIn.accessToken)).map((r) => r.userId)), new Set([meterId]), 'and only its own, whatever it asks');

    const everyone = await usage('');
    assert.ok(everyone.some((r) => r.userId === devId) && everyone.some((r) => r.userId === meterId), 'an admin sees every user\'s');
    const one = await usage(`?userId=${meterId}`);
    assert.deepEqual([new Set(one.map((r) => r.userId)), new Set(one.map((r) => r.keyId)), requests(one)], [new Set([meterId]), new Set([made.keyId]), 2]);
    assert.equal(requests(await usage(`?keyId=${made.keyId}&model=small`)), 2);
    assert.deepEqual(await usage(`?userId=${meterId}&model=no-such-model`), []);
    const today = one[0]!.day;
    assert.equal(requests(await usage(`?userId=${meterId}&from=${today}&to=${today}`)), 2);
    const bad = await t.call('GET', '/v1/usage/gateway?userId=not-a-uuid');
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /userId/);
  });

  it('blames only the first of a request\'s failures when every account it tried failed: requests failing everywhere cool one account, not all', async () => {
    // A pool of its own: four accounts no earlier failure counts against (the threshold: 5 within 5 minutes).
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'gw6', name: 'Fresh', providerId: 'sb' })).status, 201);
    const keys = Array.from({ length: 4 }, (_, i) => `sk-sandbox-fresh-${i}`);
    const imported = await t.call('POST', '/v1/pools/gw6/accounts', { accounts: keys.map((k, i) => ({ login: `fresh${i}@example.test`, accessToken: k })) });
    const fresh = imported.body.lines.map((l: { accountId: string }) => l.accountId) as string[];
    await t.call('GET', `/v1/accounts?pool=gw6&position=${imported.body.position}`);
    await settled();
    const before = await totals('fresh');
    // Every account answers 500, as they would to a request that makes the upstream fail (or in an outage).
    await behave(Object.fromEntries(keys.map((k) => [k, { status: 500 }])));
    for (let i = 0; i < 5; i++) {
      await assert.rejects(openai.chat.completions.create({ model: 'fresh', messages: [{ role: 'user', content: `fails ${i}` }] }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 503);
    }
    await settled();
    // Each request tried all four accounts: 20 failed tries, counted as such; 5 blamed (each request's first).
    assert.deepEqual(counted(before, await totals('fresh')), { requests: 20, failures: 20, input: 0, output: 0, estimated: 0 });
    const reports = await failuresReported(fresh, 20);
    assert.deepEqual([reports.length, reports.filter((e) => (e.data as { unblamed?: boolean }).unblamed).length], [20, 15], 'every failure in the accounts\' history; fifteen unblamed');
    // Blamed all, each account would have reached the threshold (5) and the pool would answer 429 to everyone; so, at most one did.
    const cooling = fresh.filter((id) => t.roster.services.accounts.find(id)!.state.cooldowns.some((c) => c.until > Date.now()));
    assert.ok(cooling.length <= 1, `${cooling.length} accounts cool`);
    await behave({});
    assert.equal((await openai.chat.completions.create({ model: 'fresh', messages: [{ role: 'user', content: 'x' }] })).choices[0]!.message.content, 'echo: x', 'the next client is served');
    await Promise.all(cooling.map((id) => t.call('DELETE', `/v1/accounts/${id}/cooldown`)));
  });

  it('blames no account for a client\'s requests that fail everywhere while the accounts answer others: the pool goes on serving', async () => {
    // A pool of its own (threshold: 5 failures within 5 minutes); every account fails on some content, as an upstream can.
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'gw7', name: 'Poisoned', providerId: 'sb', strategy: 'round_robin' })).status, 201);
    const keys = Array.from({ length: 4 }, (_, i) => `sk-sandbox-poisoned-${i}`);
    const imported = await t.call('POST', '/v1/pools/gw7/accounts', { accounts: keys.map((k, i) => ({ login: `poisoned${i}@example.test`, accessToken: k })) });
    const pool = imported.body.lines.map((l: { accountId: string }) => l.accountId) as string[];
    await t.call('GET', `/v1/accounts?pool=gw7&position=${imported.body.position}`);
    await behave(Object.fromEntries(keys.map((k) => [k, { failOn: 'poison' }])));
    const ask = (content: string) => openai.chat.completions.create({ model: 'poisoned', messages: [{ role: 'user', content }] });
    try {
      // Everyone else is served by every account; one client sends 10 requests every account fails.
      for (let i = 0; i < 4; i++) assert.equal((await ask(`fine ${i}`)).choices[0]!.message.content, `echo: fine ${i}`);
      for (let i = 0; i < 10; i++) await assert.rejects(ask(`poison ${i}`), (e: unknown) => e instanceof OpenAI.APIError && e.status === 503);
      await settled();
      const reports = await failuresReported(pool, 40);
      assert.deepEqual([reports.length, reports.filter((e) => (e.data as { unblamed?: boolean }).unblamed).length], [40, 40], 'every failure recorded, none blamed');
      const cooling = pool.filter((id) => t.roster.services.accounts.find(id)!.state.cooldowns.some((c) => c.until > Date.now()));
      assert.deepEqual(cooling, []);
      for (let i = 0; i < 4; i++) assert.equal((await ask(`after ${i}`)).choices[0]!.message.content, `echo: after ${i}`);
    } finally {
      await behave({});
    }
  });

  it('serves waiting keys in turn: a key with many requests waiting for a busy account does not keep another key\'s request behind them', async () => {
    // One account serving 8 requests at once (ROSTER_GATEWAY_MAX_IN_FLIGHT), each answered after 1 s (time for all sixteen to arrive on a busy machine).
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'gw8', name: 'Single', providerId: 'sb' })).status, 201);
    const imported = await t.call('POST', '/v1/pools/gw8/accounts', { accounts: [{ login: 'single@example.test', accessToken: 'sk-sandbox-single-0' }] });
    await t.call('GET', `/v1/accounts?pool=gw8&position=${imported.body.position}`);
    await behave({ 'sk-sandbox-single-0': { latencyMs: 1000 } });
    const other = await anotherUser('fair');
    try {
      const finished: string[] = [];
      const ask = (client: OpenAI, who: string) => client.chat.completions.create({ model: 'single', messages: [{ role: 'user', content: who }] }).then(() => void finished.push(who));
      // The flooding key: 8 served at once, 8 more waiting, before the other key asks.
      const flood = Array.from({ length: 16 }, () => ask(openai, 'flood'));
      await until('the account at its limit', async () => t.roster.services.gateway.serving(imported.body.lines[0].accountId));
      // Eight wait (a CI run once had fewer arrived 100 ms after the first was served); never more.
      await until('eight requests waiting', async () => /^roster_gateway_waiting(\{[^}]*\})? 8$/m.test(String((await t.call('GET', '/metrics')).body)), 900);
      await Promise.all([...flood, ask(other, 'other')]);
      // First come, first served would put the other key's request after all sixteen.
      assert.ok(finished.indexOf('other') < 16, `the other key's request finished ${finished.indexOf('other') + 1}th of 17`);
    } finally {
      await behave({});
    }
  });

  it('lets a request whose client went away leave the line at once, before any place frees', async () => {
    // Pool gw8 (the test above): one account, 8 requests at once, each answered after 1.5 s.
    const account = (await t.call('GET', '/v1/accounts?pool=gw8')).body.items[0].accountId as string;
    await behave({ 'sk-sandbox-single-0': { latencyMs: 1500 } });
    try {
      let served = 0;
      const running = Array.from({ length: 8 }, () => openai.chat.completions.create({ model: 'single', messages: [{ role: 'user', content: 'held' }] }).then(() => void served++));
      await until('the account at its limit', async () => t.roster.services.gateway.serving(account));
      const leave = new AbortController();
      const waiting = Array.from({ length: 4 }, () => openai.chat.completions.create({ model: 'single', messages: [{ role: 'user', content: 'waits' }] }, { signal: leave.signal }).catch((e: unknown) => e));
      await until('four waiting', async () => t.roster.services.gateway.waiting === 4);
      leave.abort();
      await until('none waiting', async () => t.roster.services.gateway.waiting === 0);
      assert.equal(served, 0, 'they left while the account still served its eight');
      for (const e of await Promise.all(waiting)) assert.ok(e instanceof OpenAI.APIUserAbortError);
      await Promise.all(running);
    } finally {
      await behave({});
    }
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    await calm();
    await behave({ [accounts[0]!]: { rpm: 0, retryAfterDate: true } });
    const state = () => t.roster.services.accounts.find(ids[0]!)!.state;
    for (let i = 0; i < 6 && !state().cooldowns.some((c) => c.until > Date.now()); i++) await ask('small');
    const cooldown = state().cooldowns.find((c) => c.until > Date.now());
    assert.match(cooldown?.reason ?? '', /^429 with Retry-After (59|60)s$/, 'as long as the date says, not a backoff');
    assert.equal(cooldown?.model, 'small');
    await calm();
    await behave({});
  });

  it('fails over from an upstream that cuts a whole answer short before any of it reached the client', async () => {
    await calm();
    await settled();
    await served();
    const before = await totals('small');
    await behave({ [accounts[2]!]: { cutBody: true } });
    // Round robin offers each of the four accounts in turn: the cut one is tried, and another answers.
    for (let i = 0; i < 4; i++) {
      const r = await openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: `cut ${i}` }] });
      assert.equal(r.choices[0]!.message.content, `echo: cut ${i}`);
    }
    const stats = (await sandbox.app.inject({ method: 'GET', url: '/_sandbox/llm/stats' })).json() as { requests: Record<string, Record<string, number>> };
    const cut = stats.requests[accounts[2]!]?.cut ?? 0;
    assert.ok(cut >= 1, 'the cutting account was tried');
    await settled();
    const { requests = 0, failures = 0 } = counted(before, await totals('small'));
    assert.deepEqual([requests - failures, failures], [4, cut], 'each cut try counted as a failure, each answer once');
    await calm();
  });

  it('shows operators its routes with their pools, weights, priorities and prices, and no member', async () => {
    const { body } = await t.call('GET', '/v1/gateway/routes');
    const byModel = Object.fromEntries(body.items.map((r: { model: string }) => [r.model, r]));
    assert.deepEqual(byModel.small, { model: 'small', aliases: ['tiny'], upstreamModel: 'sandbox-small', pools: [{ poolId: 'gw', weight: 1, priority: 0, upstreamModel: 'sandbox-small' }], price: { inputPerMillion: 1_000_000, outputPerMillion: 2_000_000 }, source: 'config' });
    assert.deepEqual(byModel.fallback.pools, [{ poolId: 'gw', weight: 1, priority: 1, upstreamModel: 'sandbox-small' }, { poolId: 'gw2', weight: 1, priority: 0, upstreamModel: 'sandbox-small' }]);
    assert.equal(byModel.spread.price, null);
    const member = (await t.call('POST', '/v1/auth/login', { email: 'dev@example.test', password: 'dev password 1' }, { token: null })).body.accessToken;
    assert.equal((await t.call('GET', '/v1/gateway/routes', undefined, { token: member })).status, 403);
    assert.equal((await t.call('GET', '/v1/gateway/upstreams?from=yesterday')).body.errors[0].field, 'from');
  });

  it('answers 429 with Retry-After when every account is cooling', async () => {
    await behave(Object.fromEntries(accounts.map((a) => [a, { rpm: 0 }])));
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i++) {
      const res = await askRaw('small');
      statuses.push(res.status);
      retryAfter = res.headers.get('retry-after');
      await res.text();
    }
    assert.equal(statuses.at(-1), 429);
    assert.ok(Number(retryAfter) >= 1, 'Retry-After names the soonest end of a cooldown');
    await assert.rejects(openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => e instanceof OpenAI.RateLimitError);
  });

  it('ends the client\'s stream with an error event when the upstream fails mid-stream', async () => {
    await calm();
    await behave(Object.fromEntries(accounts.map((a) => [a, { failAfterChunks: 2 }])));
    const stream = await openai.chat.completions.create({ model: 'small', stream: true, messages: [{ role: 'user', content: 'a b c d e f g' }] });
    let text = '';
    await assert.rejects((async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })());
    assert.ok(text.length < 'echo: a b c d e f g'.length, 'the stream stopped part way');
    const events = await openai.responses.create({ model: 'small', input: 'a b c d e f g', stream: true });
    await assert.rejects((async () => {
      for await (const event of events) assert.notEqual(event.type, 'response.completed');
    })());
    await behave({});
  });

  it('keeps credentials apart: the client\'s key never goes upstream; no account credential reaches the client or a log line', async () => {
    const res = await fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
      method: 'POST', body: JSON.stringify({ model: 'free', messages: [{ role: 'user', content: 'headers' }] }),
      headers: {
        authorization: `Bearer ${key}`, 'content-type': 'application/json', cookie: 'session=client-cookie', 'x-forwarded-for': '203.0.113.9', 'x-api-key': key,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      },
    });
    assert.equal(res.status, 200);
    const upstream = (await sandbox.app.inject({ method: 'GET', url: '/_sandbox/llm/stats' })).json() as { lastHeaders: Record<string, string>; requests: Record<string, unknown> };
    assert.match(upstream.lastHeaders.authorization!, /^Bearer sk-sandbox-account-\d$/);
    for (const name of ['cookie', 'x-forwarded-for', 'x-api-key']) assert.equal(upstream.lastHeaders[name], undefined, `${name} is not forwarded`);
    assert.ok(!JSON.stringify(upstream).includes(key.slice(36)), 'the client\'s key never reaches the upstream');
    assert.match(upstream.lastHeaders.traceparent!, /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-0[01]$/, 'the upstream call is in the client\'s trace');
    assert.ok(Object.keys(upstream.requests).every((k) => k.startsWith('sk-sandbox-')), 'only accounts\' keys reach the upstream');
    const sent = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n') + await res.text();
    assert.ok(!sent.includes('sk-sandbox-account') && !res.headers.has('set-cookie'));
    const logs = t.logs.join('');
    assert.ok(logs.includes('"msg":"gateway request"'), 'a log line per request');
    assert.ok(!logs.includes('sk-sandbox-account') && !logs.includes(key.slice(36)), 'no credential in a log line');
    const metrics = await t.call('GET', '/metrics');
    assert.match(String(metrics.body), /roster_gateway_requests_total\{[^}]*model="small"[^}]*outcome="200"/);
    assert.match(String(metrics.body), /roster_gateway_tokens_total\{[^}]*direction="output"/);
    assert.match(String(metrics.body), /roster_gateway_request_duration_seconds_count\{[^}]*model="free"[^}]*outcome="200"[^}]*\} [1-9]/, 'the latency of the request above');
  });

  it('describes its routes in an OpenAPI document, served without a key, that validates', async () => {
    const res = await fetch(`${t.roster.gatewayUrl}/docs/json`);
    assert.equal(res.status, 200);
    const doc = await res.json() as { paths: Record<string, Record<string, { tags: string[]; summary: string; security?: unknown[]; requestBody?: unknown; responses: Record<string, { headers?: object }> }>>; components: { securitySchemes: object } };
    await SwaggerParser.validate(structuredClone(doc) as never);
    // The answers every route shares are written once, in the components.
    const answers = Object.values(doc.paths).flatMap((item) => Object.values(item).map((operation) => JSON.stringify(operation.responses)));
    assert.deepEqual(new Set(answers), new Set([JSON.stringify({ 200: { $ref: '#/components/responses/Upstream' }, '4XX': { $ref: '#/components/responses/Refused' }, '5XX': { $ref: '#/components/responses/Failed' } })]));
    const whole = await SwaggerParser.dereference(structuredClone(doc) as never) as unknown as typeof doc;
    // Every route the gateway serves, the pass-through's wildcard as a named parameter.
    for (const [path, method] of <Array<[string, string]>>[['/v1/chat/completions', 'post'], ['/v1/messages', 'post'], ['/v1/models', 'get'], ['/v1/files/{id}', 'delete'], ['/v1/vector_stores/{id}/{path}', 'post'], ['/v1/{path}', 'patch'], ['/health', 'get']]) {
      const operation = whole.paths[path]?.[method];
      assert.ok(operation?.summary && operation.tags.length, `${method} ${path}`);
      for (const status of ['200', '4XX', '5XX']) assert.ok(operation.responses[status]?.headers && 'x-roster-request-id' in operation.responses[status].headers, `${method} ${path}: ${status} with the request id header`);
    }
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['apiKey', 'bearer']);
    assert.deepEqual(doc.paths['/health']!.get!.security, [], 'health needs no key');
    assert.ok(doc.paths['/v1/messages']!.post!.requestBody, 'a JSON body named');
    // The document describes; it checks nothing: a body without its "required" fields still reaches the upstream, which answers.
    const loose = await fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'small' }) });
    assert.equal(loose.status, 400);
    assert.match((await loose.json() as { error: { message: string } }).error.message, /messages are required/, 'the upstream\'s answer, not the gateway\'s');
    assert.equal((await fetch(`${t.roster.gatewayUrl}/docs`)).status, 200, 'the page, in a browser');
    const root = await fetch(`${t.roster.gatewayUrl}/`, { redirect: 'manual' });
    assert.deepEqual([root.status, root.headers.get('location')], [302, '/docs'], 'the gateway\'s own address leads to it');
  });

  it('keeps a log of the requests it forwarded: who, where, what it cost; a member reads its own, pages back, and old rows go', async () => {
    await calm();
    await registerUser(t.roster.services.users, { email: 'logged@example.test', password: 'logged password 1', role: 'member', verified: true }, { actor: 'test', correlationId: 'logged' });
    const member = (await t.call('POST', '/v1/auth/login', { email: 'logged@example.test', password: 'logged password 1' }, { token: null })).body;
    const made = (await t.call('POST', '/v1/keys', { name: 'logged' }, { token: member.accessToken })).body;
    const client = new OpenAI({ apiKey: made.key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    const whole = await client.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'one' }] }).withResponse();
    const stream = await client.chat.completions.create({ model: 'tiny', stream: true, messages: [{ role: 'user', content: 'two' }] }).withResponse();
    for await (const _ of stream.data) { /* read to the end */ }
    const missing = await fetch(`${t.roster.gatewayUrl}/v1/chat/completions?x=1`, { method: 'POST', headers: { authorization: `Bearer ${made.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'small' }) });
    assert.equal(missing.status, 400);
    const mine = () => t.call('GET', `/v1/gateway/requests?keyId=${made.keyId}`, undefined, { token: member.accessToken });
    const { body } = await until('the requests logged', async () => ((await mine()).body.items.length === 3 ? await mine() : undefined));
    const [third, second, first] = body.items;
    assert.equal(first.requestId, whole.response.headers.get('x-roster-request-id'));
    assert.deepEqual(
      [first.userId, first.keyId, first.method, first.path, first.model, first.poolId, first.accountId, first.status, first.outcome, first.tries, first.estimated],
      [made.userId, made.keyId, 'POST', '/v1/chat/completions', 'small', null, null, 200, '200', 1, false],
      'a member is not told the pool and account',
    );
    assert.deepEqual([first.inputTokens, first.outputTokens], [whole.data.usage!.prompt_tokens, whole.data.usage!.completion_tokens]);
    assert.equal(first.spend, first.inputTokens + 2 * first.outputTokens, 'at the route\'s price');
    assert.ok(first.durationMs >= 0 && first.upstreamRequestId);
    assert.equal(second.requestId, stream.response.headers.get('x-roster-request-id'));
    assert.deepEqual([second.model, second.status], ['small', 200], 'an alias is logged under its route');
    assert.ok(second.outputTokens > 0, 'a stream\'s tokens');
    assert.deepEqual([third.path, third.status], ['/v1/chat/completions', 400], 'the upstream\'s refusal, the query left out');
    const table = (await t.db.pool.query<{ row: string }>('SELECT t::text AS row FROM gateway_requests t')).rows.map((r) => r.row).join('\n');
    for (const text of [JSON.stringify(body), table]) assert.ok(!text.includes(made.key.slice(36)) && !text.includes('sk-sandbox'), 'no key, no credential');
    // Another member sees none of them, whatever it asks for; an admin sees them.
    const other = await anotherUser('unlogged');
    await other.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'x' }] });
    const otherAccess = (await t.call('POST', '/v1/auth/login', { email: 'unlogged@example.test', password: 'unlogged password 1' }, { token: null })).body.accessToken;
    const theirs = await until('the other request logged', async () => {
      const r = await t.call('GET', `/v1/gateway/requests?userId=${first.userId}`, undefined, { token: otherAccess });
      return r.body.items.length ? r : undefined;
    });
    assert.ok(theirs.body.items.every((r: { userId: string }) => r.userId !== first.userId));
    const seenByAdmin = (await t.call('GET', `/v1/gateway/requests?userId=${first.userId}`)).body.items;
    assert.deepEqual(seenByAdmin.map((r: { requestId: string }) => r.requestId), [third.requestId, second.requestId, first.requestId]);
    assert.equal(seenByAdmin[2].poolId, 'gw');
    assert.ok(ids.includes(seenByAdmin[2].accountId), 'an admin sees the account that served it');
    // Pages, newest first.
    const page = (await t.call('GET', `/v1/gateway/requests?keyId=${made.keyId}&limit=2`)).body;
    assert.deepEqual(page.items.map((r: { requestId: string }) => r.requestId), [third.requestId, second.requestId]);
    const rest = (await t.call('GET', `/v1/gateway/requests?keyId=${made.keyId}&limit=2&before=${page.next}`)).body;
    assert.deepEqual([rest.items.map((r: { requestId: string }) => r.requestId), rest.next], [[first.requestId], undefined]);
    assert.equal((await t.call('GET', `/v1/gateway/requests?keyId=${made.keyId}&status=400`)).body.items.length, 1);
    assert.deepEqual((await t.call('GET', `/v1/gateway/requests?requestId=${second.requestId}`)).body.items.map((r: { path: string; tries: number }) => [r.path, r.tries]), [['/v1/chat/completions', second.tries]], 'found by the id its client was answered');
    assert.equal((await t.call('GET', `/v1/gateway/requests?keyId=${made.keyId}&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body.items.length, 0);
    for (const bad of ['limit=0', 'status=99', 'before=x', 'from=yesterday', 'keyId=nope', 'before=100000000000000000000']) {
      const r = await t.call('GET', `/v1/gateway/requests?${bad}`);
      assert.equal(r.status, 400, bad);
      assert.equal(r.body.errors[0].field, bad.split('=')[0], bad);
    }
    assert.match(String((await t.call('GET', '/metrics')).body), /^roster_gateway_requests_unlogged_total(\{[^}]*\})? 0$/m, 'none dropped');
    // Rows older than the days kept go.
    const log = t.roster.services.gateway.requests!;
    assert.ok(await log.prune(14, Date.now() + 15 * 86_400_000) >= 4);
    assert.equal((await t.call('GET', `/v1/gateway/requests?keyId=${made.keyId}`)).body.items.length, 0);
  });

  it('checks a route against its pools\' upstream model lists, through an active account of each, telling no credential', async () => {
    await calm();
    const check = async (model: string, token?: string | null) => t.call('POST', `/v1/gateway/routes/${encodeURIComponent(model)}/check`, undefined, token === undefined ? {} : { token });
    const small = await check('tiny');
    assert.equal(small.status, 200, JSON.stringify(small.body));
    assert.equal(small.body.model, 'small', 'an alias checks its route');
    const [gw] = small.body.pools;
    assert.deepEqual([gw.poolId, gw.upstreamModel, gw.result, gw.status], ['gw', 'sandbox-small', 'listed', 200]);
    assert.ok(ids.includes(gw.accountId) && gw.latencyMs >= 0);
    // An account cooling for the model is asked after those that are not: the one asked first cools, and another answers.
    await t.call('POST', `/v1/accounts/${gw.accountId}/cooldown`, { durationMs: 3600_000, model: 'small', reason: 'test' });
    await until('the cooldown', async () => t.roster.services.gateway.cooling(gw.accountId, 'small'));
    const past = (await check('small')).body.pools[0];
    assert.ok(past.result === 'listed' && past.accountId !== gw.accountId, JSON.stringify(past));
    await calm();
    // A misspelt upstream model, a pool without accounts, an upstream that refuses the account.
    await t.call('POST', '/v1/pools', { poolId: 'gwempty', name: 'empty', providerId: 'sb' });
    assert.equal((await t.call('PUT', '/v1/gateway/routes/typo', { pools: ['gw', 'gwempty'], upstreamModel: 'sandbox-smal' })).status, 200);
    const typo = (await check('typo')).body.pools;
    assert.deepEqual(typo.map((p: { result: string }) => p.result), ['not_listed', 'unchecked']);
    assert.match(typo[0].detail, /lists 3 models, not sandbox-smal/);
    assert.equal(typo[1].detail, 'the pool has no active account');
    // Every route at once, each pool asked once: routes sharing pool gw share its answer.
    const all = await t.call('POST', '/v1/gateway/routes/check');
    const routes = (await t.call('GET', '/v1/gateway/routes')).body.items.map((r: { model: string }) => r.model);
    assert.deepEqual(all.body.items.map((r: { model: string }) => r.model).sort(), routes.sort());
    const at = (model: string) => all.body.items.find((r: { model: string }) => r.model === model).pools[0];
    assert.deepEqual([at('small').result, at('typo').result, at('embed').result], ['listed', 'not_listed', 'listed']);
    assert.deepEqual([at('typo').accountId, at('typo').latencyMs, at('embed').latencyMs], [at('small').accountId, at('small').latencyMs, at('small').latencyMs]);
    // The account asked first refused: another is asked, and answers.
    const firstAsked = Number(/^gw(\d)@/.exec((await t.call('GET', `/v1/accounts/${gw.accountId}`)).body.login)![1]);
    await behave({ [accounts[firstAsked]!]: { refuse: true } });
    const another = (await check('small')).body.pools[0];
    assert.ok(another.result === 'listed' && another.accountId !== gw.accountId, JSON.stringify(another));
    await behave(Object.fromEntries(accounts.map((a) => [a, { refuse: true }])));
    try {
      const refused = (await check('small')).body.pools[0];
      assert.deepEqual([refused.result, refused.status, refused.detail], ['failed', 401, 'the upstream answered 401 to GET /v1/models (the last of 3 accounts asked)']);
      assert.ok(!JSON.stringify(refused).includes('sk-sandbox'), 'nothing of the upstream\'s answer, which quotes the credential');
    } finally {
      await behave({});
      await t.call('DELETE', '/v1/gateway/routes/typo');
    }
    const unknown = await check('nothing-here');
    assert.deepEqual([unknown.status, unknown.body.errors?.[0]?.field], [404, 'model']);
    await registerUser(t.roster.services.users, { email: 'checker@example.test', password: 'checker password 1', role: 'member', verified: true }, { actor: 'test', correlationId: 'checker' });
    const memberAccess = (await t.call('POST', '/v1/auth/login', { email: 'checker@example.test', password: 'checker password 1' }, { token: null })).body.accessToken;
    assert.equal((await check('small', memberAccess)).status, 403, 'a member may not');
  });

  it('gives every answer its own request id, the reqId of its log line, which names the upstream\'s id of the request too', async () => {
    const ask = () => fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
      method: 'POST', body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'ids' }] }), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });
    const [one, two] = [await ask(), await ask()];
    await Promise.all([one.text(), two.text()]);
    const ids = [one, two].map((r) => r.headers.get('x-roster-request-id'));
    for (const id of ids) assert.match(String(id), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.notEqual(ids[0], ids[1]);
    const upstreamId = one.headers.get('x-request-id');
    assert.match(String(upstreamId), /^req_[0-9a-f]{24}$/, 'the upstream\'s own id passes to the client');
    const line = t.logs.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.reqId === ids[0] && l.msg === 'gateway request');
    assert.equal(line?.upstreamRequestId, upstreamId, 'the log line names both ids');
    // A stream's answer carries one (its head is written apart), and so do refusals, an Anthropic client's among them.
    const streamed = await fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
      method: 'POST', body: JSON.stringify({ model: 'small', stream: true, messages: [{ role: 'user', content: 'ids' }] }), headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    });
    assert.equal(streamed.headers.get('content-type'), 'text/event-stream');
    assert.match(String(streamed.headers.get('x-roster-request-id')), /^[0-9a-f-]{36}$/);
    await streamed.text();
    const refused = await fetch(`${t.roster.gatewayUrl}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'rk_typo', 'anthropic-version': '2023-06-01' } });
    assert.equal(refused.status, 401);
    assert.match(String(refused.headers.get('x-roster-request-id')), /^[0-9a-f-]{36}$/);
  });

  it('never shows the client an upstream\'s refusal of an account\'s credential: another account is tried, and when all refuse, the gateway answers', async () => {
    await calm();
    await behave({ [accounts[0]!]: { refuse: true } });
    for (let i = 0; i < 6; i++) {
      const r = await openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: `refused ${i}` }] });
      assert.equal(r.choices[0]!.message.content, `echo: refused ${i}`);
    }
    const refusals = (await sandbox.app.inject({ method: 'GET', url: '/_sandbox/llm/stats' })).json().requests[accounts[0]!];
    assert.ok(refusals?.unauthorized >= 1, 'the refusing account was tried');
    await calm(); // its refusals may have cooled it
    await behave(Object.fromEntries(accounts.map((a) => [a, { refuse: true }])));
    const res = await askRaw('free');
    const text = await res.text();
    assert.equal(res.status, 503, text);
    assert.ok(!text.includes('sk-san') && !text.includes('****'), `no account credential, even masked: ${text}`);
    assert.ok(t.logs.join('').includes('refused an account\'s credential'));
    await calm();
  });

  it('cools an account for every model only for a 401 or no credits on a route of its own: on a path a client chose, or for a 403, a failure for the model', async () => {
    await calm();
    await behave({ [accounts[0]!]: { refuse: true } });
    const { accounts: index } = t.roster.services;
    const refused = () => index.find(ids[0]!)!.state.cooldowns.some((c) => c.untilRotated && c.until > Date.now());
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${t.roster.gatewayUrl}/v1/moderations`, {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'small', input: `pass ${i}` }),
      });
      assert.equal(res.status, 200, await res.text());
    }
    const stats = (await sandbox.app.inject({ method: 'GET', url: '/_sandbox/llm/stats' })).json().requests as Record<string, Record<string, number>>;
    assert.ok((stats[accounts[0]!]?.unauthorized ?? 0) >= 1, 'the refusing account was tried');
    assert.equal(refused(), false, 'a pass-through path\'s 401 cools no account for every model');
    for (let i = 0; i < 6 && !refused(); i++) await openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: `own ${i}` }] });
    assert.equal(refused(), true, 'a 401 on the gateway\'s own route does');
    await calm();
    await behave({ [accounts[0]!]: { noCredits: true } });
    for (let i = 0; i < 6; i++) {
      await (await fetch(`${t.roster.gatewayUrl}/v1/moderations`, {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'small', input: `quota ${i}` }),
      })).text();
    }
    const noCredits = (await sandbox.app.inject({ method: 'GET', url: '/_sandbox/llm/stats' })).json().requests[accounts[0]!]?.no_credits ?? 0;
    assert.ok(noCredits >= 1, 'the account without credits was tried');
    assert.ok(!index.find(ids[0]!)!.state.cooldowns.some((c) => !c.model && c.until > Date.now()), 'nor does a pass-through path\'s word on credits');
    await calm();
    await behave({});
  });

  it('never passes on an upstream saying an account has no credits: another account serves, and that one cools for every model', async () => {
    await calm();
    await served();
    await behave({ [accounts[0]!]: { noCredits: true }, [accounts[1]!]: { noCredits: true } });
    for (let i = 0; i < 6; i++) {
      const r = await openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: `quota ${i}` }] });
      assert.equal(r.choices[0]!.message.content, `echo: quota ${i}`);
      const m = await anthropic.messages.create({ model: 'small', max_tokens: 20, messages: [{ role: 'user', content: `credit ${i}` }] });
      assert.deepEqual(m.content, [{ type: 'text', text: `echo: credit ${i}` }]);
    }
    const stats = (await sandbox.app.inject({ method: 'GET', url: '/_sandbox/llm/stats' })).json().requests as Record<string, Record<string, number>>;
    assert.ok(stats[accounts[0]!]?.no_credits === 1 && stats[accounts[1]!]?.no_credits === 1, `each tried once, then left to cool: ${JSON.stringify(stats)}`);
    const { accounts: index } = t.roster.services;
    for (const i of [0, 1]) {
      const cooldowns = index.find(ids[i]!)!.state.cooldowns.filter((c) => c.until > Date.now() + 3000_000);
      assert.deepEqual(cooldowns.map((c) => [c.reason, c.model]), [['the upstream says it has no credits left', undefined]], `account ${i}`);
    }
    await calm();
    await behave(Object.fromEntries(accounts.map((a) => [a, { noCredits: true }])));
    const res = await askRaw('free');
    const text = await res.text();
    assert.equal(res.status, 503, text);
    assert.ok(!text.includes('quota'), `not the upstream's word about one account: ${text}`);
    await calm();
    await behave({});
  });

  it('cancels the upstream request when the client goes away, without blaming the account', async () => {
    await calm();
    await behave(Object.fromEntries(accounts.map((a) => [a, { latencyMs: 1500 }])));
    await served();
    const before = t.logs.length;
    const abort = new AbortController();
    const pending = fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
      method: 'POST', signal: abort.signal, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'free', messages: [{ role: 'user', content: 'x' }] }),
    }).catch((e: Error) => e);
    const serving = () => accounts.some((_, i) => t.roster.services.gateway.serving(ids[i]!));
    await until('an account to serve the request', async () => serving(), 1000);
    abort.abort();
    assert.ok((await pending) instanceof Error);
    // Free well before the upstream would answer.
    await until('the account to be free', async () => !serving(), 1000);
    assert.match(t.logs.slice(before).join(''), /"status":499/);
    for (const id of ids) assert.ok(!t.roster.services.accounts.find(id)!.state.cooldowns.some((c) => c.until > Date.now()), 'no cooldown for a client that left');
    // The upstream saw its client (the gateway) go away too: nothing was served.
    const stats = await until('the upstream to finish its wait', async () => {
      const s = (await sandbox.app.inject({ method: 'GET', url: '/_sandbox/llm/stats' })).json() as { requests: Record<string, Record<string, number>> };
      return Object.values(s.requests).some((r) => r.gone) && s.requests;
    }, 5000);
    assert.deepEqual(Object.values(stats).map((r) => r['200'] ?? 0), Object.values(stats).map(() => 0));
    await calm();
  });

  it('a budget holds under concurrency: reserved before forwarding, settled after, never passed', async () => {
    const access = (await t.call('POST', '/v1/auth/login', { email: 'dev@example.test', password: 'dev password 1' }, { token: null })).body.accessToken;
    const budgeted = (await t.call('POST', '/v1/keys', { name: 'budget', limits: { budget: { units: 0.5, period: 'day' } } }, { token: access })).body;
    const client = new OpenAI({ apiKey: budgeted.key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => client.chat.completions.create({ model: 'free', max_tokens: 100, messages: [{ role: 'user', content: 'spend a little' }] })
      .then((r) => ({ ok: true, tokens: r.usage!.total_tokens }), (e: unknown) => ({ ok: false, status: (e as { status?: number }).status }))));
    const ok = outcomes.filter((o) => o.ok);
    assert.ok(ok.length >= 4, `${ok.length} fit in the budget at once`);
    assert.ok(outcomes.some((o) => !o.ok && 'status' in o && o.status === 429), 'the rest are refused with 429');
    // A reservation is settled just after its answer is sent: wait (bounded) for the last ones.
    let budget = (await t.call('GET', `/v1/keys/${budgeted.keyId}`, undefined, { token: access })).body.budget;
    for (let i = 0; i < 50 && budget.reserved !== 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      budget = (await t.call('GET', `/v1/keys/${budgeted.keyId}`, undefined, { token: access })).body.budget;
    }
    const spent = ok.reduce((n, o) => n + ('tokens' in o ? o.tokens : 0), 0) / 1000;
    assert.equal(budget.reserved, 0, 'every reservation settled');
    assert.ok(Math.abs(budget.spent - spent) < 1e-9, `spent ${budget.spent}, the answers' tokens priced: ${spent}`);
  });

  it('limits a key\'s requests under way at once: one more is refused with 429 until one ends, and other keys go on', async () => {
    await calm();
    const zero = await t.call('POST', '/v1/keys', { name: 'none at once', limits: { concurrentRequests: 0 } }, { token: access });
    assert.equal(zero.status, 400);
    assert.match(JSON.stringify(zero.body), /concurrentRequests/);
    const limited = (await t.call('POST', '/v1/keys', { name: 'two at once', limits: { concurrentRequests: 2 } }, { token: access })).body as { key: string; keyId: string };
    assert.equal((await t.call('GET', `/v1/keys/${limited.keyId}`, undefined, { token: access })).body.limits.concurrentRequests, 2);
    const client = new OpenAI({ apiKey: limited.key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    await behave(Object.fromEntries(accounts.map((a) => [a, { latencyMs: 600 }])));
    const slow = [0, 1].map((i) => client.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: `slow ${i}` }] }));
    await until('both under way', async () => ids.filter((id) => t.roster.services.gateway.serving(id)).length === 2, 500);
    const third = await fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${limited.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'third' }] }),
    });
    assert.deepEqual([third.status, third.headers.get('retry-after')], [429, '1']);
    assert.match((await third.json() as { error: { message: string } }).error.message, /requests at once: limit of 2 reached/);
    // Another key of the same user is not held back by this key's limit.
    assert.equal((await ask('small')).choices[0]!.message.content, 'echo: x');
    assert.deepEqual((await Promise.all(slow)).map((r) => r.choices[0]!.message.content), ['echo: slow 0', 'echo: slow 1']);
    // Both ended: their places are free again, on every node (the table holds none). A place
    // is given back as its request ends, just after the client has its answer: awaited, bounded.
    await behave({});
    assert.equal((await client.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'after' }] })).choices[0]!.message.content, 'echo: after');
    const held = async () => (await t.db.pool.query('SELECT count(*)::int AS n FROM request_slots WHERE scope = $1', [`key:${limited.keyId}`])).rows[0].n as number;
    await until('every place given back', async () => (await held()) === 0, 5000);
  });

  it('limits a key\'s tokens per minute by the tokens its answers used: refused with 429 once spent, other keys go on', async () => {
    await calm();
    // Each answer to 'x' uses 3 tokens: the first request leaves 2 of 5, the second spends past them.
    const limited = (await t.call('POST', '/v1/keys', { name: 'five tokens a minute', limits: { tokensPerMinute: 5 } }, { token: access })).body as { key: string };
    const client = new OpenAI({ apiKey: limited.key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    const used: Array<number | undefined> = [];
    for (let i = 0; i < 2; i++) used.push((await client.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'x' }] })).usage?.total_tokens);
    assert.deepEqual(used, [3, 3]);
    // Tokens are charged just after the answer is sent: the third request is refused once they are (bounded).
    let third: Response | undefined;
    await until('the tokens charged', async () => {
      third = await fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
        method: 'POST', headers: { authorization: `Bearer ${limited.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'small', messages: [{ role: 'user', content: 'x' }] }),
      });
      return third.status === 429 || void (await third.text());
    }, 2000);
    const retryAfter = Number(third!.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}: within the minute`);
    const shown = await third!.json() as { error: { message: string; type: string } };
    assert.match(shown.error.message, /tokens per minute limit reached/);
    // A refused request used no account: nothing counted for it. Another key of the same user goes on.
    assert.equal((await ask('small')).choices[0]!.message.content, 'echo: x');
  });

  it('never lets an exclusive lease and gateway use share an account', async () => {
    await calm();
    await behave(Object.fromEntries(accounts.map((a) => [a, { latencyMs: 1000 }])));
    const serving = Promise.all(accounts.map(() => openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: 'slow' }] })));
    await until('every account to serve the gateway', async () => ids.every((id) => t.roster.services.gateway.serving(id)), 900);
    const during = await t.call('POST', '/v1/pools/gw/sessions', { count: 1 });
    assert.deepEqual([during.status, during.body.code], [503, 'no_account_available'], 'every account is serving the gateway');
    await serving;
    await behave({});
    const leases = await Promise.all(accounts.map(() => t.call('POST', '/v1/pools/gw/sessions', { count: 1 })));
    assert.deepEqual(leases.map((l) => l.status), [201, 201, 201, 201]);
    const res = await askRaw('small');
    assert.equal(res.status, 503, 'every account is leased');
    await res.text();
    for (const l of leases) await t.call('POST', `/v1/pools/gw/sessions/${l.body.sessionId}/release`, { leaseSecret: l.body.leaseSecret });
  });

  it('stops each account at its daily limit for the model, exactly under concurrency, then answers 429 until the next usage day', async () => {
    await calm();
    assert.equal((await t.call('PATCH', '/v1/pools/gw', { dailyLimits: { capped: 2 } })).status, 200);
    await served();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => ask('capped')));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 8, 'two requests on each of the four accounts');
    assert.ok(results.every((r) => r.status === 'fulfilled' || r.reason instanceof OpenAI.RateLimitError));
    assert.deepEqual(Object.values(await served()).sort(), [2, 2, 2, 2]);
    const res = await askRaw('capped');
    assert.equal(res.status, 429);
    assert.match((await res.json() as { error: { message: string } }).error.message, /daily limit/);
    const midnight = Date.parse(new Date().toISOString().slice(0, 10)) + 86_400_000;
    assert.ok(Math.abs(Number(res.headers.get('retry-after')) - (midnight - Date.now()) / 1000) < 5, 'Retry-After: when the usage day ends (UTC midnight)');
    assert.equal((await ask('small')).choices[0]!.message.content, 'echo: x', 'other models are not limited');
    // The accounts listing finds them by what the gateway served, once the usage is flushed.
    await t.roster.services.gateway.meter.flush();
    const reached = await t.call('GET', `/v1/accounts?pool=gw&limitReached=capped&position=${encodeURIComponent(String(await t.roster.services.store.headPosition()))}`);
    const all = await t.call('GET', '/v1/accounts?pool=gw');
    assert.deepEqual([reached.body.total, all.body.total], [4, 4], 'each of the four reached it');
  });

  it('tries a route\'s pools by priority, shares requests among pools of one priority by weight, and fails over to the next priority', async () => {
    await calm();
    await served();
    for (let i = 0; i < 20; i++) await Promise.all(Array.from({ length: 10 }, () => ask('spread')));
    const spread = await served();
    const first = accounts.reduce((n, a) => n + (spread[a] ?? 0), 0);
    assert.equal(first + others.reduce((n, a) => n + (spread[a] ?? 0), 0), 200);
    assert.ok(first >= 120 && first <= 180, `pool gw (weight 3 of 4) served ${first} of 200`);

    for (let i = 0; i < 6; i++) await ask('fallback');
    assert.deepEqual(Object.keys(await served()).sort(), others, 'priority 0 (gw2) serves while it can');
    await behave(Object.fromEntries(others.map((a) => [a, { status: 503 }])));
    for (let i = 0; i < 3; i++) await ask('fallback');
    const fellBack = await served();
    assert.equal(accounts.reduce((n, a) => n + (fellBack[a] ?? 0), 0), 3, 'priority 1 (gw) serves when gw2 fails');
  });

  it('sends each pool of a route the model as its upstream names it: a later priority may fall back to another model', async () => {
    await calm();
    const set = await t.call('PUT', '/v1/gateway/routes/twofold', { pools: [{ pool: 'gw', upstreamModel: 'sandbox-large' }, { pool: 'gw2', priority: 1 }], upstreamModel: 'sandbox-small' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const listed = (await t.call('GET', '/v1/gateway/routes')).body.items.find((r: { model: string }) => r.model === 'twofold');
    assert.deepEqual(listed.pools.map((p: { poolId: string; upstreamModel: string }) => [p.poolId, p.upstreamModel]), [['gw', 'sandbox-large'], ['gw2', 'sandbox-small']]);
    assert.equal((await ask('twofold')).model, 'sandbox-large');
    // gw's accounts answer 429: a request tries them (as many as the retries allow) and they cool for the model.
    await behave(Object.fromEntries(accounts.map((a) => [a, { rpm: 0 }])));
    await ask('twofold').catch(() => undefined);
    assert.equal((await ask('twofold')).model, 'sandbox-small', 'gw cooling, gw2 answers with its own model');
    await calm();
    assert.equal((await t.call('DELETE', '/v1/gateway/routes/twofold')).status, 204);
  });

  it('lru sends each request to the account given one longest ago, and opens the credentials of those it offers next ahead of time', async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `sk-sandbox-wide-${i}`);
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'gw3', name: 'Wide', providerId: 'sb', strategy: 'lru' })).status, 201);
    const imported = await t.call('POST', '/v1/pools/gw3/accounts', { accounts: keys.map((k, i) => ({ login: `wide${i}@example.test`, accessToken: k })) });
    assert.equal(imported.body.imported, 20);
    const wide: string[] = imported.body.lines.map((l: { accountId: string }) => l.accountId);
    await t.call('GET', `/v1/accounts?pool=gw3&position=${imported.body.position}`);
    const { vault } = t.roster.services;
    assert.deepEqual(wide.filter((id) => vault.cached(id)), [], 'an import writes credentials without opening them');
    await served();
    await ask('wide');
    await until('the credentials of the accounts offered next', async () => wide.every((id) => vault.cached(id)), 5000);
    for (let i = 0; i < 39; i++) await ask('wide');
    const counts = await served();
    assert.deepEqual(keys.map((k) => counts[k]), keys.map(() => 2), 'forty requests, one after another: each account served two');
  });

  it('chooses by the pool\'s strategy: least_used sends requests to the account that served fewest today', async () => {
    await calm();
    await served();
    // What each account of gw2 served today for the model (earlier tests used them unevenly).
    await settled();
    const byLogin = new Map((await t.call('GET', '/v1/accounts?pool=gw2&limit=10')).body.items.map((a: { accountId: string; login: string }) => [a.login, a.accountId]));
    const today = async (i: number) => (await usageRows()).filter((r) => r.account_id === byLogin.get(`gw2-${i}@example.test`) && r.model === 'lean')
      .reduce((n, r) => n + Number(r.requests) - Number(r.failures), 0);
    const lead = Math.max(0, (await today(1)) - (await today(0))) + 4;
    // One account of gw2 gets ahead by four: the other fails (failures are not counted).
    await behave({ [others[1]!]: { status: 503 } });
    for (let i = 0; i < lead; i++) await ask('lean');
    await calm();
    const before = await served();
    assert.equal(before[others[0]!], lead);
    for (let i = 0; i < 3; i++) await ask('lean');
    const after = await served();
    assert.deepEqual([after[others[0]!] ?? 0, after[others[1]!] ?? 0], [0, 3], 'round robin would have alternated');
  });

  it('counts usage exactly under 1,000 concurrent requests', async () => {
    await calm();
    await settled();
    const before = await usageRows();
    const sum = (rows: Array<Record<string, unknown>>, column: string) => rows.reduce((n, r) => n + Number(r[column]), 0);
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => openai.chat.completions.create({ model: 'small', messages: [{ role: 'user', content: `n ${'w '.repeat(i % 5)}` }] })));
    const expected = results.reduce((u, r) => ({ input: u.input + r.usage!.prompt_tokens, output: u.output + r.usage!.completion_tokens }), { input: 0, output: 0 });
    await settled();
    const rows = await usageRows();
    assert.equal(sum(rows, 'requests') - sum(before, 'requests'), 1000);
    assert.equal(sum(rows, 'failures') - sum(before, 'failures'), 0);
    assert.equal(sum(rows, 'input_tokens') - sum(before, 'input_tokens'), expected.input);
    assert.equal(sum(rows, 'output_tokens') - sum(before, 'output_tokens'), expected.output);
    const spend = sum(rows, 'spend') - sum(before, 'spend');
    assert.ok(Math.abs(spend - (expected.input + 2 * expected.output)) < 1e-6, `spend ${spend} from the price table`);
    // Counting tokens is a request that uses none.
    for (let i = 0; i < 3; i++) await anthropic.messages.countTokens({ model: 'small', messages: [{ role: 'user', content: 'count these three' }] });
    await settled();
    const counted = await usageRows();
    assert.deepEqual([sum(counted, 'requests') - sum(rows, 'requests'), sum(counted, 'input_tokens') - sum(rows, 'input_tokens')], [3, 0]);
    assert.ok(Math.abs(sum(counted, 'spend') - sum(rows, 'spend')) < 1e-6, 'and costs nothing');
  });

  it('passes another API\'s stream through whole, with the usage it carries, though it ends without an end marker', async () => {
    await calm();
    await settled();
    const before = await totals('small');
    const res = await fetch(`${t.roster.gatewayUrl}/v1/images/edits`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'tiny', prompt: 'x', stream: true }),
    });
    assert.equal(res.status, 200);
    const data = (await res.text()).split('\n\n').filter(Boolean).map((e) => JSON.parse(e.replace(/^data: /, '')));
    assert.deepEqual(data.map((d) => Object.keys(d).sort().join()), ['contentType,json,method,text,url', 'choices,usage'], 'the echo, then the usage chunk, and no error event');
    assert.equal(data[0].json.model, 'sandbox-small');
    await settled();
    assert.deepEqual(counted(before, await totals('small')), { requests: 1, failures: 0, input: 2, output: 5, estimated: 0 });
  });

  it('answers hostile ids, queries and bodies on every kept route with a 4xx in the client\'s own error shape, never a 5xx', async () => {
    await calm();
    const ids = ['x'.repeat(3000), '%E0%A4%A', '%27%3B%20DROP%20TABLE%20x%3B%20--', '%00', '..%2F..%2Fetc', '%F0%9F%99%82', ' '];
    const paths = [
      '/v1/responses/{id}', '/v1/responses/{id}/input_items', '/v1/files/{id}', '/v1/files/{id}/content', '/v1/batches/{id}', '/v1/batches/{id}/cancel', '/v1/models/{id}',
      ...['/v1/vector_stores', '/v1/fine_tuning/jobs', '/v1/conversations', '/v1/containers', '/v1/assistants', '/v1/threads'].flatMap((c) => [`${c}/{id}`, `${c}/{id}/items`]),
      '/v1/uploads/{id}/parts', '/v1/uploads/{id}/complete', '/v1/uploads/{id}/cancel',
      '/v1/messages/batches/{id}', '/v1/messages/batches/{id}/cancel', '/v1/messages/batches/{id}/results',
    ];
    const queries = [
      '/v1/files?limit=-1', '/v1/files?limit=abc', '/v1/files?after=%00', '/v1/messages/batches?before_id=%00', `/v1/batches?after=${'a'.repeat(500)}`, '/v1/vector_stores?order=sideways', '/v1/assistants?limit=1e9',
      '/v1/messages/batches?limit=0', `/v1/messages/batches?after_id=${'a'.repeat(500)}`, `/v1/threads?assistant_id=${'a'.repeat(3000)}`, `/v1/chat/completions?model=${'m'.repeat(3000)}`,
    ];
    const bodies = ['{', '[]', 'null', '"text"', '{"model": 7}', '{"model": {"a": 1}, "messages": "no"}', `{"model": "small", "messages": [${'['.repeat(200)}${']'.repeat(200)}]}`,
      '{"requests": [{"params": {"model": ["small"]}}]}', '{"input_file_id": 12}', '{"assistant_id": {"id": 1}}', '{"previous_response_id": ["a"], "model": "small", "input": "x"}'];
    const posts = ['/v1/chat/completions', '/v1/responses', '/v1/messages', '/v1/messages/batches', '/v1/batches', '/v1/threads', '/v1/threads/runs', '/v1/assistants', '/v1/vector_stores', '/v1/files', '/v1/uploads', '/v1/embeddings'];
    // Anthropic's Files API shares the paths: with `anthropic-version`, in Anthropic's shape.
    const anthropicFiles = [
      ...['/v1/files/{id}', '/v1/files/{id}/content'].flatMap((p) => ids.flatMap((id) => ['GET', 'DELETE'].map((method) => ({ method, url: p.replace('{id}', id), anthropic: true })))),
      ...['/v1/files?page=%00', `/v1/files?page=${'a'.repeat(500)}`, '/v1/files?ids=x&ids=y', '/v1/files?scope_id=s', '/v1/files?before_id=%00', '/v1/files?limit=0'].map((url) => ({ method: 'GET', url, anthropic: true })),
      ...bodies.map((body) => ({ method: 'POST', url: '/v1/files', body, anthropic: true })),
    ];
    const tries: Array<{ method: string; url: string; body?: string; anthropic?: boolean }> = [
      ...paths.flatMap((p) => ids.flatMap((id) => ['GET', 'POST', 'DELETE'].map((method) => ({ method, url: p.replace('{id}', id), ...(method === 'POST' ? { body: '{}' } : {}) })))),
      ...queries.map((url) => ({ method: url.startsWith('/v1/chat') ? 'POST' : 'GET', url, ...(url.startsWith('/v1/chat') ? { body: '{"messages": []}' } : {}) })),
      ...posts.flatMap((url) => bodies.map((body) => ({ method: 'POST', url, body }))),
      ...anthropicFiles,
    ];
    const fives: string[] = [];
    for (const { method, url, body, anthropic: versioned } of tries) {
      const headers = { authorization: `Bearer ${key}`, 'x-api-key': key, 'content-type': 'application/json', ...(versioned ? { 'anthropic-version': '2023-06-01' } : {}) };
      const res = await fetch(`${t.roster.gatewayUrl}${url}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      if (res.status >= 500) fives.push(`${method} ${url.slice(0, 80)} ${body?.slice(0, 40) ?? ''} → ${res.status} ${text.slice(0, 120)}`);
      else if (res.status >= 400) {
        const shown = JSON.parse(text) as { type?: string; error?: { message?: string } };
        const anthropicShape = url.startsWith('/v1/messages') || versioned === true;
        assert.ok(anthropicShape ? shown.type === 'error' && typeof shown.error?.message === 'string' : typeof shown.error?.message === 'string', `${method} ${url.slice(0, 80)}: ${text.slice(0, 200)}`);
      }
    }
    assert.deepEqual(fives, [], `${tries.length} hostile requests`);
    // A long id (a fine-tuned model's name may pass fastify's default of 100 characters) still reaches its route.
    const long = await fetch(`${t.roster.gatewayUrl}/v1/files/file-${'x'.repeat(300)}`, { headers: { authorization: `Bearer ${key}` } });
    assert.deepEqual([long.status, ((await long.json()) as { error: { message: string } }).error.message.includes('not made through this gateway')], [404, true]);
  });

  it('passes any other path through unchanged but for the model: JSON, multipart, a query, and bytes back', async () => {
    await calm();
    await served();
    interface Echo { method: string; url: string; contentType: string | null; json: Record<string, unknown> | null; text: string | null }
    // JSON, through the SDK: the sandbox echoes what arrived.
    const image = await openai.images.generate({ model: 'tiny', prompt: 'a cat' }) as unknown as Echo;
    assert.deepEqual([image.method, image.url, image.json], ['POST', '/v1/images/generations', { model: 'sandbox-small', prompt: 'a cat' }]);
    assert.match((await sandboxHeaders()).authorization!, /^Bearer sk-sandbox-account-\d$/, 'the account\'s credential, not the client\'s key');

    // A multipart form (an audio file), through the SDK: the model field renamed, the file's bytes as they were.
    const sound = Buffer.from('RIFF\u0000\u0001fake wave bytes');
    const heard = await openai.audio.transcriptions.create({ model: 'small', file: await toFile(sound, 'a.wav', { type: 'audio/wav' }), language: 'en' }) as unknown as Echo;
    assert.equal(heard.url, '/v1/audio/transcriptions');
    assert.match(heard.contentType ?? '', /^multipart\/form-data; boundary=/);
    assert.match(heard.text ?? '', /name="model"\r\n\r\nsandbox-small\r\n/);
    assert.ok(heard.text!.includes(sound.toString('utf8')) && heard.text!.includes('name="language"\r\n\r\nen\r\n'), 'every other part as sent');

    // A GET naming its model in the query; the rest of the query stays.
    const evals = await fetch(`${t.roster.gatewayUrl}/v1/evals?after=e1&model=tiny&limit=2`, { headers: { authorization: `Bearer ${key}` } });
    assert.deepEqual(await evals.json(), { method: 'GET', url: '/v1/evals?after=e1&model=sandbox-small&limit=2', contentType: null, json: null, text: null });

    // Bytes back (speech) come as bytes.
    const speech = await fetch(`${t.roster.gatewayUrl}/v1/audio/speech`, {
      method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'small', input: 'hi', voice: 'alloy' }),
    });
    assert.equal(speech.headers.get('content-type'), 'audio/mpeg');
    assert.deepEqual(Buffer.from(await speech.arrayBuffer()), Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x00]), Buffer.alloc(60, 0x55)]));

    // Naming no model is the client's mistake, said so.
    const nameless = await fetch(`${t.roster.gatewayUrl}/v1/evals`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(nameless.status, 400);
    assert.match((await nameless.json() as { error: { message: string } }).error.message, /^model: required/);
    assert.equal(Object.values(await served()).reduce((n, k) => n + k, 0), 4, 'four requests reached the upstream');
  });

  it('sends a request naming no model on a path with a default route through that route, its upstream model named; the key\'s models still bind', async () => {
    await calm();
    await settled();
    const before = await totals('small');
    const moderated = await openai.moderations.create({ input: 'is this fine' });
    assert.equal(moderated.model, 'sandbox-small', 'the route\'s upstream model was named upstream');
    await settled();
    assert.equal(counted(before, await totals('small')).requests, 1, 'counted under the default route');
    const scoped = new OpenAI({ apiKey: (await t.call('POST', '/v1/keys', { name: 'embed only', scopes: { pools: null, models: ['embed'], readOnly: false } }, { token: access })).body.key, baseURL: `${t.roster.gatewayUrl}/v1`, maxRetries: 0 });
    await assert.rejects(scoped.moderations.create({ input: 'x' }), (e: unknown) => e instanceof OpenAI.PermissionDeniedError && /may not use model small/.test(e.message));
    const images = await fetch(`${t.roster.gatewayUrl}/v1/images/generations`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ prompt: 'a cat' }) });
    assert.equal(images.status, 400, 'a path without a default route still needs a model');
  });

  it('holds an account for a binary answer until it has passed, as for a stream', async () => {
    await calm();
    await behave(Object.fromEntries(accounts.map((a) => [a, { slowBodyMs: 800 }])));
    try {
      const speech = await fetch(`${t.roster.gatewayUrl}/v1/audio/speech`, {
        method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'small', input: 'hi', voice: 'alloy' }),
      });
      assert.equal(speech.status, 200);
      // Its headers came; its body is still coming from the account, which serves it until then.
      const serving = ids.filter((id) => t.roster.services.gateway.serving(id));
      assert.equal(serving.length, 1, 'the account still serves the answer');
      assert.equal(Buffer.from(await speech.arrayBuffer()).length, 64);
      await until('the account free once the answer passed', async () => !t.roster.services.gateway.serving(serving[0]!), 2000);
    } finally {
      await behave({});
    }
  });
});
