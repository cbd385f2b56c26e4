/**
 * Fuzzing every route of the gateway's own OpenAPI document: each request is a valid one
 * (a chat, a message, an embedding, a batch, a list, an object's id) but for one value,
 * which is hostile: at a path parameter, a query parameter, or anywhere in the body (a
 * message's content, `stream_options`, a batch's params), some with an odd header beside
 * it. The upstream is the sandbox, which refuses bad bodies as the real APIs do. No answer
 * may be a 5xx; every 4xx is an error in the client's own shape (OpenAI's, or Anthropic's
 * for its routes); afterwards no account cools and requests are served as before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { registerUser } from '../../src/commands/users.ts';
import { buildSandbox } from '../../src/sandbox/server.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

interface Parameter { in: string; name: string }
interface Operation { method: string; path: string; parameters: Parameter[] }

const said = [{ role: 'user', content: 'x' }];
/** A valid body for each route that needs more than a model. */
const BODIES: Record<string, Record<string, unknown>> = {
  '/v1/chat/completions': { model: 'small', messages: said },
  '/v1/responses': { model: 'small', input: 'x' },
  '/v1/completions': { model: 'small', prompt: 'x' },
  '/v1/embeddings': { model: 'small', input: 'x' },
  '/v1/messages': { model: 'small', max_tokens: 5, messages: said },
  '/v1/messages/count_tokens': { model: 'small', messages: said },
  '/v1/messages/batches': { requests: [{ custom_id: 'a', params: { model: 'small', max_tokens: 5, messages: said } }] },
  '/v1/batches': { input_file_id: 'file-x', endpoint: '/v1/chat/completions', completion_window: '24h' },
  '/v1/threads/runs': { assistant_id: 'asst_x', thread: {} },
};
/** Plain values for parameters the hostile value is not in. */
const PLAIN: Record<string, string> = { path: 'x', limit: '2', order: 'asc' };

/** Hostile values: text PostgreSQL cannot store, odd numbers, wrong types and shapes, random JSON. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('a\u0000b', '\u0000', 'x\ud800y', '\udfff', ' ', '', 'x'.repeat(5000), '../../etc/passwd', '%00', '{"$gt":""}', 'tiny'),
  fc.constantFrom(1e20, -1e20, 0.5, -1, 0, 2 ** 53 + 1, 1e-300),
  fc.constantFrom<unknown>({}, [], [null], true, false, null, { a: { b: {} } }, [{}], [{ role: 'user' }], { include_usage: 'yes' }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Headers a client may send that the gateway reads or passes on, with odd values a client can send (Latin-1, long, empty). */
const oddHeader = fc.option(fc.record({
  name: fc.constantFrom('anthropic-beta', 'anthropic-version', 'openai-beta', 'openai-organization', 'user-agent', 'accept', 'x-request-id', 'idempotency-key', 'x-custom'),
  value: fc.constantFrom('\u00e9t\u00e9', '\u00ff\u00ff', 'a\tb', ' x ', 'x'.repeat(9000), '\u0080', '{"a":1}', '', '\u00a0', '2023-06-01, 2024-01-01'),
}), { freq: 3 });

/** Every place in a body a value may go: each field at any depth, and `stream` and `stream_options` beside them. */
function placesIn(value: unknown, at: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [at];
  const inner = Object.entries(value).flatMap(([k, v]) => placesIn(v, [...at, k]));
  return [...(at.length ? [at] : []), ...inner, [...at, 'stream'], [...at, 'stream_options']];
}

/** A copy of `body` with `value` at `place`. */
function put(body: unknown, place: string[], value: unknown): unknown {
  if (!place.length) return value;
  const [key, ...rest] = place as [string, ...string[]];
  const copy = (Array.isArray(body) ? [...(body as unknown[])] : { ...(body as object) }) as Record<string, unknown>;
  copy[key] = put((body as Record<string, unknown> | undefined)?.[key], rest, value);
  return copy;
}

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined');

describe('fuzzing every route of the gateway', () => {
  const sandbox = buildSandbox();
  let t: TestRoster;
  let key: string;
  let operations: Operation[] = [];
  /** An account's id by its login's start. */
  const accountOf = (login: string) => [...t.roster.services.accounts.pool('gf')].find(([, e]) => e.state.login.startsWith(login))![0];
  const chat = () => fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(BODIES['/v1/chat/completions']),
  });

  before(async () => {
    const sandboxUrl = await sandbox.app.listen({ port: 0, host: '127.0.0.1' });
    t = await startTestRoster({
      ROSTER_PROVIDERS: JSON.stringify({ sb: { use: 'sandbox', options: { baseUrl: sandboxUrl } } }),
      ROSTER_GATEWAY_ROUTES: JSON.stringify({ small: { pools: ['gf'], upstreamModel: 'sandbox-small' } }),
      ROSTER_SCHEDULER_INTERVAL_MS: '3600000',
    });
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'gf', name: 'Fuzzed', providerId: 'sb' })).status, 201);
    const imported = await t.call('POST', '/v1/pools/gf/accounts', { accounts: [0, 1].map((i) => ({ login: `fuzzed${i}@example.test`, accessToken: `sk-sandbox-fuzzed-${i}` })) });
    await t.call('GET', `/v1/accounts?pool=gf&position=${imported.body.position}`);
    await registerUser(t.roster.services.users, { email: 'gf@example.test', password: 'fuzz password 1', role: 'member', verified: true }, { actor: 'test', correlationId: 'gf' });
    const access = (await t.call('POST', '/v1/auth/login', { email: 'gf@example.test', password: 'fuzz password 1' }, { token: null })).body.accessToken;
    key = (await t.call('POST', '/v1/keys', { name: 'fuzz' }, { token: access })).body.key;
    const doc = await (await fetch(`${t.roster.gatewayUrl}/docs/json`)).json() as { paths: Record<string, Record<string, { parameters?: Parameter[] }>> };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods)
      .map(([method, op]) => ({ method: method.toUpperCase(), path, parameters: (op.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query') })))
      .filter((o) => o.path !== '/health');
    assert.ok(operations.length > 80, `operations found: ${operations.length}`);
    assert.equal((await chat()).status, 200);
  });
  after(async () => {
    await t.stop();
    await sandbox.app.close();
  });

  it('answers a hostile value anywhere with a 4xx in the client\'s own shape, never a 5xx, and serves on', async () => {
    const fives: string[] = [];
    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(fc.nat(), fc.nat(), hostile, fc.boolean(), fc.boolean(), oddHeader, async (i, j, value, inParameter, anthropic, header) => {
      const op = operations[i % operations.length]!;
      const valid = BODIES[op.path] ?? { model: 'small' };
      const bodied = op.method !== 'GET' && op.method !== 'DELETE';
      const places = bodied ? placesIn(valid) : [];
      const parameter = op.parameters.length && (inParameter || !places.length) ? j % op.parameters.length : -1;
      let url = op.path;
      const query = new URLSearchParams();
      for (const [n, p] of op.parameters.entries()) {
        const v = (n === parameter ? text(value) : PLAIN[p.name] ?? 'x1').toWellFormed();
        if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(v));
        else query.set(p.name, v);
      }
      const body = bodied ? JSON.stringify(parameter < 0 ? put(valid, places[j % places.length]!, value) : valid) : undefined;
      const headers = {
        authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...(anthropic ? { 'anthropic-version': '2023-06-01' } : {}), ...(header ? { [header.name]: header.value } : {}),
      };
      const res = await fetch(`${t.roster.gatewayUrl}${url}${query.size ? `?${query}` : ''}`, { method: op.method, headers, body });
      const raw = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const what = `${op.method} ${url.slice(0, 80)}?${query.toString().slice(0, 80)} ${body?.slice(0, 160) ?? ''}${anthropic ? ' (anthropic-version)' : ''}${header ? ` ${header.name}: ${header.value.slice(0, 20)}` : ''} → ${res.status} ${raw.slice(0, 200)}`;
      if (res.status >= 500) fives.push(what);
      else if (res.status >= 400) {
        const shown = JSON.parse(raw) as { type?: string; error?: { message?: unknown } };
        // Anthropic's routes, and the Files API asked as Anthropic's SDK asks it, answer in its shape.
        const anthropicShape = op.path.startsWith('/v1/messages') || (anthropic && op.path.startsWith('/v1/files'));
        assert.ok(typeof shown.error?.message === 'string' && (!anthropicShape || shown.type === 'error'), what);
      }
    }), { numRuns: Number(process.env.FUZZ_RUNS ?? 3000), seed: Number(process.env.FUZZ_SEED ?? 1), endOnFailure: true });
    assert.deepEqual(fives, []);
    assert.ok((statuses.get(400) ?? 0) > 300, `refused often enough to have reached the checks: ${JSON.stringify([...statuses])}`);
    assert.ok((statuses.get(200) ?? 0) > 300, `served often enough to have reached the upstream: ${JSON.stringify([...statuses])}`);
    // No account was blamed for what its clients sent.
    assert.deepEqual(['fuzzed0', 'fuzzed1'].map((login) => t.roster.services.gateway.cooling(accountOf(login), 'small')), [false, false]);
    assert.equal((await chat()).status, 200);
  });
});
