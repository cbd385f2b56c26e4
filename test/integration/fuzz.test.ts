/**
 * Fuzzing every route of the OpenAPI document: each request is valid but for one field (a
 * path or query parameter, a body field, or an id header), which gets a hostile value. No
 * answer may be a 5xx (but 503 `no_account_available`, the pool's state); a 400 is
 * problem+json naming that field; a refusal writes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

interface Schema {
  type?: string; pattern?: string; format?: string; minimum?: number; maximum?: number; minLength?: number; maxLength?: number;
  enum?: unknown[]; const?: unknown; minProperties?: number; anyOf?: Schema[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema;
}
interface Parameter { in: 'path' | 'query'; name: string; required?: boolean; schema: Schema }
interface Route { method: string; path: string; parameters: Parameter[]; body?: Schema }
interface Target { where: 'path' | 'query' | 'body' | 'header'; name: string }

const ACCOUNT = '11111111-2222-4333-8444-555555555555';
/** Body fields a route's handler needs beyond its schema (rules across fields). */
const BASELINE: Record<string, Record<string, unknown>> = {
  'POST /v1/accounts/{accountId}/cooldown': { durationMs: 60_000 },
};

/** A value the schema accepts, as plain as can be. */
function valid(schema: Schema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return valid(schema.anyOf[0]!);
  switch (schema.type) {
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object': {
      // The required fields; a body that needs at least one field gets its first.
      const keys = schema.required?.length ? schema.required : schema.minProperties ? Object.keys(schema.properties ?? {}).slice(0, 1) : [];
      return Object.fromEntries(keys.map((k) => [k, valid(schema.properties![k]!)]));
    }
    default: {
      if (schema.format === 'uuid') return ACCOUNT;
      if (schema.format === 'date-time') return new Date().toISOString();
      const fits = (s: string) => (!schema.pattern || new RegExp(schema.pattern).test(s)) && s.length >= (schema.minLength ?? 0);
      return ['fuzz', 'fuzz@example.test', '1', 'fuzz-reason'].find(fits) ?? 'fuzz';
    }
  }
}

/** Hostile values: text PostgreSQL cannot store, out-of-range and non-finite numbers, wrong types, long and random text. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('a\u0000b', '\u0000', 'x\ud800y', '\udfff', 'ok\u0000', ' ', '', 'x'.repeat(5000), '../../etc/passwd', '%00', '{"$gt":""}'),
  fc.constantFrom(1e20, -1e20, Infinity, -Infinity, 0.5, -1, 2 ** 53 + 1, 1e-300),
  fc.constantFrom<unknown>({}, [], [null], true, null, { a: { b: {} } }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
);

/** JSON text of a body, with non-finite numbers written as literals JSON cannot represent otherwise (`1e999`). */
function bodyText(body: Record<string, unknown>): string {
  return JSON.stringify(body, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `@@${v > 0 ? '' : '-'}1e999@@` : v)).replace(/"@@(-?1e999)@@"/g, '$1');
}

/** Query and path text for a value (`Infinity` stays `Infinity`; objects become what a client's `String()` makes). */
const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v));
/** Percent-encodes, keeping an unpaired surrogate (which `encodeURIComponent` refuses) as the replacement its UTF-8 form would be. */
const encode = (s: string) => encodeURIComponent(s.toWellFormed());

describe('fuzzing every route from the OpenAPI document', () => {
  let t: TestRoster;
  let routes: Route[] = [];
  /** Path parameters that name things that exist, so that only the hostile field can be wrong. */
  const known: Record<string, string> = { poolId: 'default', email: 'fz1@example.test' };
  /** Events a request wrote: those whose metadata carries its id (request or correlation id). */
  const eventsOf = async (id: string) => Number((await t.db.pool.query(
    "SELECT count(*) AS n FROM events WHERE metadata->>'requestId' = $1 OR metadata->>'correlationId' = $1", [id],
  )).rows[0].n);
  before(async () => {
    t = await startTestRoster();
    const lines = Array.from({ length: 200 }, (_, i) => `fz${i + 1}@example.test:pw${i + 1}`).join('\n');
    const imported = await t.call('POST', '/v1/pools/default/accounts', lines, { contentType: 'text/plain' });
    known.accountId = imported.body.lines[0].accountId;
    const doc = (await t.call('GET', '/docs/json')).body as { paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>> };
    routes = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(), path, parameters: op.parameters ?? [], body: op.requestBody?.content['application/json']?.schema,
    // The OAuth token endpoint takes a form and answers RFC 6749's errors, not problem+json: oauth-token.test.ts refuses hostile input there.
    }))).filter((r) => !r.path.startsWith('/ws') && !r.path.startsWith('/docs') && r.path !== '/oauth/token');
    assert.ok(routes.length > 30, `routes found: ${routes.length}`);
  });
  after(async () => t.stop());

  /** Every field of a route that a request can carry. */
  const targets = (r: Route): Target[] => [
    ...r.parameters.map((p) => ({ where: p.in, name: p.name })),
    ...Object.keys(r.body?.properties ?? {}).map((name) => ({ where: 'body' as const, name })),
    { where: 'header', name: 'x-request-id' }, { where: 'header', name: 'x-correlation-id' },
  ];

  const baselines = new Map<Route, Promise<{ fields: string[] }>>();
  /** What the route answers its valid request: the fields a 400 names (none when it is not refused). */
  const baseline = (r: Route) => {
    let b = baselines.get(r);
    if (!b) {
      b = send(r, { where: 'header', name: 'x-fuzz' }, 'none').then((res) => ({ fields: res.status === 400 ? (res.body?.errors ?? []).map((e) => e.field) : [] }));
      baselines.set(r, b);
    }
    return b;
  };

  /** Sends the route's valid request with `value` in `target`. */
  async function send(r: Route, target: Target, value: unknown) {
    let path = r.path;
    const query = new URLSearchParams();
    for (const p of r.parameters) {
      const v = p.name === target.name && p.in === target.where ? value : valid(p.schema);
      if (p.in === 'path') path = path.replace(`{${p.name}}`, encode(text(p.name === target.name ? v : known[p.name] ?? v)));
      else if (p.required || p.name === target.name) query.set(p.name, text(v).toWellFormed());
    }
    // The request is known by an id header the hostile value is not in.
    const id = `fuzz-${randomUUID()}`;
    const headers: Record<string, string> = { authorization: `Bearer ${t.token}`, [target.name === 'x-request-id' ? 'x-correlation-id' : 'x-request-id']: id };
    if (target.where === 'header') headers[target.name] = text(value).replace(/[^\x20-\x7e]/g, '?');
    let body: string | undefined;
    if (r.body) {
      const b = { ...(valid(r.body) as Record<string, unknown>), ...BASELINE[`${r.method} ${r.path}`] };
      if (target.where === 'body') b[target.name] = value;
      body = bodyText(b);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${t.roster.url}${path}${query.size ? `?${query}` : ''}`, { method: r.method, headers, body });
    const raw = await res.text();
    let parsed: { errors?: Array<{ field: string }> } | undefined;
    try { parsed = JSON.parse(raw); } catch { /* not JSON */ }
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: parsed, raw, id };
  }

  it('answers hostile values in any one field with a 4xx naming it, never a 5xx, and writes nothing', async () => {
    let requests = 0;
    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(
      fc.nat().chain((i) => {
        const r = routes[i % routes.length]!;
        return fc.record({ route: fc.constant(r), target: fc.constantFrom(...targets(r)), value: hostile });
      }),
      async ({ route, target, value }) => {
        const res = await send(route, target, value);
        requests++;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const what = `${route.method} ${route.path} ${target.where} ${target.name}=${JSON.stringify(value)?.slice(0, 60)}: ${res.status} ${res.raw.slice(0, 300)}`;
        // The one 5xx a valid request may meet is a state of the pool, not of the input: nothing free (503, Retry-After).
        const exhausted = res.status === 503 && (res.body as { code?: string } | undefined)?.code === 'no_account_available';
        assert.ok(res.status < 500 || exhausted, what);
        if (res.status === 400) {
          assert.match(res.type, /application\/problem\+json/, what);
          const fields = (res.body?.errors ?? []).map((e) => e.field);
          // A route whose valid request is refused for the state it meets (a pool whose provider
          // cannot register) may refuse the same way whatever the hostile field held.
          const refusedAnyway = (await baseline(route)).fields;
          assert.ok(fields.some((f) => f === target.name || f.startsWith(`${target.name}.`) || refusedAnyway.includes(f)), `names the field: ${what}`);
        }
        if (res.status >= 400) assert.equal(await eventsOf(res.id), 0, `wrote nothing: ${what}`);
      },
    ), { numRuns: Number(process.env.FUZZ_RUNS ?? 1500), seed: Number(process.env.FUZZ_SEED ?? 20261203), endOnFailure: true, includeErrorInReport: true });
    assert.ok(requests >= 1000, `${requests} requests sent`);
    assert.ok((statuses.get(400) ?? 0) > requests / 4, `refused often enough to have reached the checks: ${JSON.stringify([...statuses])}`);
  });
  it('refuses numbers past what PostgreSQL holds in every numeric field, never a 5xx', async () => {
    /** Every parameter and top-level body field whose schema is a number or an integer. */
    const numeric = routes.flatMap((r) => [
      ...r.parameters.filter((p) => p.schema.type === 'integer' || p.schema.type === 'number').map((p) => ({ route: r, target: { where: p.in, name: p.name } as Target })),
      ...Object.entries(r.body?.properties ?? {}).filter(([, f]) => f.type === 'integer' || f.type === 'number').map(([name]) => ({ route: r, target: { where: 'body', name } as Target })),
    ]);
    assert.ok(numeric.length > 20, `numeric fields found: ${numeric.length}`);
    for (const { route, target } of numeric) {
      for (const value of [1e20, -1e20, 2 ** 63, Infinity]) {
        const res = await send(route, target, value);
        const what = `${route.method} ${route.path} ${target.where} ${target.name}=${value}: ${res.status} ${res.raw.slice(0, 200)}`;
        assert.ok(res.status < 500 || (res.status === 503 && (res.body as { code?: string } | undefined)?.code === 'no_account_available'), what);
      }
    }
  });
});
