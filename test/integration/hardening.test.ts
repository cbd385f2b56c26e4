/**
 * Faults found by outside testing: one client's bad text failing others, 5xx on bad
 * numbers and positions, admin tokens outliving their revocation, and the edges of the
 * HTTP surface (404, 415, scheme case, public docs).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemContext } from '../../src/commands/context.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

const BAD_TEXT = ['a\u0000b', 'a\ud800b', '\udc00'];

describe('hardening', () => {
  let t: TestRoster;
  /** An account that exists (its id from the import's answer, not from a read model that may lag). */
  let account = '';
  const eventCount = async () => Number((await t.db.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
  before(async () => {
    t = await startTestRoster();
    const lines = Array.from({ length: 40 }, (_, i) => `h${i}@example.test:pw${i}`).join('\n');
    const imported = await t.call('POST', '/v1/pools/default/accounts', lines, { contentType: 'text/plain' });
    assert.equal(imported.status, 200);
    account = imported.body.lines[0].accountId;
  });
  after(async () => t.stop());

  it('refuses text PostgreSQL cannot store in a body, a path, a query or an id header with 400 naming it, writing nothing', async () => {
    const before = await eventCount();
    for (const text of BAD_TEXT) {
      const alloc = await t.call('POST', '/v1/pools/default/sessions', { holder: text });
      assert.deepEqual([alloc.status, alloc.body.errors?.[0]?.field], [400, 'holder'], JSON.stringify(alloc.body));
      const patch = await t.call('PATCH', '/v1/pools/default', { name: text });
      assert.deepEqual([patch.status, patch.body.errors?.[0]?.field], [400, 'name']);
      const nested = await t.call('POST', '/v1/pools/default/accounts', { accounts: [{ login: 'ok@example.test' }, { login: text }] });
      assert.deepEqual([nested.status, nested.body.errors?.[0]?.field], [400, 'accounts.1.login']);
      const key = await t.call('PATCH', '/v1/pools/default', { dailyLimits: { [text]: 1 } });
      assert.equal(key.status, 400);
    }
    // A text/plain body is UTF-8: a NUL can come through it, a lone surrogate cannot.
    const plain = await t.call('POST', '/v1/pools/default/accounts', 'x@example.test:a\u0000b', { contentType: 'text/plain' });
    assert.deepEqual([plain.status, plain.body.errors?.[0]?.field], [400, 'lines']);
    const search = await t.call('GET', '/v1/accounts?search=%00');
    assert.deepEqual([search.status, search.body.errors?.[0]?.field], [400, 'search']);
    const path = await t.call('GET', '/api/accounts/a%00b');
    assert.deepEqual([path.status, path.body.errors?.[0]?.field], [400, 'email']);
    for (const [name, value] of [['x-request-id', 'r'.repeat(201)], ['x-correlation-id', 'c'.repeat(500)], ['x-request-id', 'a b']]) {
      const res = await fetch(`${t.roster.url}/v1/pools/default/sessions`, {
        method: 'POST', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', [name!]: value! }, body: '{}',
      });
      const body = await res.json() as { errors: Array<{ field: string }> };
      assert.deepEqual([res.status, body.errors[0]!.field], [400, name]);
    }
    assert.equal(await eventCount(), before, 'nothing was written');
  });

  it('answers every request with its id (X-Request-Id): the client\'s own when good, else the one its events carry', async () => {
    const disable = (headers: Record<string, string>) => fetch(`${t.roster.url}/v1/accounts/${account}/disable`, {
      method: 'POST', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ reason: 'ids' }),
    });
    const made = await disable({});
    assert.equal(made.status, 200);
    const id = made.headers.get('x-request-id')!;
    assert.match(id, /^[0-9a-f-]{36}$/);
    const { rows } = await t.db.pool.query("SELECT metadata->>'requestId' AS id FROM events WHERE stream_id = $1 ORDER BY revision DESC LIMIT 1", [`account-${account}`]);
    assert.equal(rows[0].id, id, 'the event names the id the answer gave');
    // A client that sent no X-Correlation-Id finds the request's events by the id it was answered.
    const { position } = await made.json() as { position: string };
    const audit = await t.call('GET', `/v1/audit?correlationId=${id}&position=${encodeURIComponent(position)}`);
    assert.deepEqual(audit.body.items.map((e: { type: string; requestId: string }) => [e.type, e.requestId]), [['AccountDisabled', id]]);
    const own = await disable({ 'x-request-id': 'client-42' });
    assert.equal(own.headers.get('x-request-id'), 'client-42');
    await own.text();
    assert.equal((await t.call('POST', `/v1/accounts/${account}/enable`, {})).status, 200);
    const refused = await fetch(`${t.roster.url}/v1/pools`);
    assert.equal(refused.status, 401);
    assert.match(String(refused.headers.get('x-request-id')), /^[0-9a-f-]{36}$/, 'a refusal has one too');
  });

  it('holds the keys of a map to their bounds: a daily limit\'s model name, a registration identity\'s extra field', async () => {
    const before = await eventCount();
    for (const model of ['', 'm'.repeat(201)]) {
      const res = await t.call('PATCH', '/v1/pools/default', { dailyLimits: { small: 1, [model]: 1 } });
      assert.deepEqual([res.status, res.body.errors?.[0]?.field, res.body.errors?.[0]?.message], [400, `dailyLimits.${model}`, 'is not a field or key this takes'], JSON.stringify(res.body));
    }
    const many = await t.call('PATCH', '/v1/pools/default', { dailyLimits: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`m${i}`, 1])) });
    assert.deepEqual([many.status, many.body.errors?.[0]?.field], [400, 'dailyLimits']);
    const extra = await t.call('POST', '/v1/pools/default/identities', { identities: [{ email: 'x@example.test', extra: { ['k'.repeat(101)]: 'v' } }] });
    assert.equal(extra.status, 400, JSON.stringify(extra.body));
    assert.match(String(extra.body.errors?.[0]?.field), /^identities\.0\.extra/);
    assert.equal(await eventCount(), before, 'nothing was written');
    assert.equal((await t.call('PATCH', '/v1/pools/default', { dailyLimits: { ['m'.repeat(200)]: 1 } })).status, 200, 'up to 200 characters');
  });

  it('decides a turn again without the request whose append fails, so every other request of that turn succeeds', async () => {
    const allocator = await t.roster.services.allocators.get('default');
    const ctx = systemContext('test');
    // Ten sessions to release and ten to allocate, in the same turn as one that the store refuses.
    const held = await Promise.all(Array.from({ length: 10 }, (_, i) => allocator.submit({ type: 'Allocate', sessionId: `held-${i}`, count: 1, holder: 'h', secretHash: 's' }, ctx)));
    assert.equal(held.length, 10);
    const releases = Array.from({ length: 10 }, (_, i) => allocator.submit({ type: 'Release', sessionId: `held-${i}`, secretHash: 's' }, ctx));
    const bad = allocator.submit({ type: 'Allocate', sessionId: 'poison', count: 1, holder: 'bad\u0000holder', secretHash: 's' }, ctx);
    const allocations = Array.from({ length: 10 }, (_, i) => allocator.submit({ type: 'Allocate', sessionId: `fresh-${i}`, count: 1, holder: 'h', secretHash: 's' }, ctx));
    const settled = await Promise.allSettled([...releases, bad, ...allocations]);
    const failed = settled.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    assert.deepEqual(failed, [10], 'only the poisoned request failed');
    assert.equal(allocator.current.ledger.sessions.get('poison'), undefined);
    for (let i = 0; i < 10; i++) {
      assert.equal(allocator.current.ledger.sessions.get(`held-${i}`)?.status, 'released');
      assert.equal(allocator.current.ledger.sessions.get(`fresh-${i}`)?.status, 'live');
    }
    // And the pool goes on serving.
    const next = await t.call('POST', '/v1/pools/default/sessions', { count: 1 });
    assert.equal(next.status, 201);
  });

  it('answers out-of-range numbers and junk positions with 400 at once, never 5xx', async () => {
    const paths = [
      '/v1/accounts?offset=1e20', '/v1/accounts?limit=Infinity', '/v1/accounts?limit=1e999', '/v1/accounts?offset=-1',
      '/v1/audit?offset=1e20', `/v1/accounts/${account}/usage?days=1e999`, '/v1/pools?position=zzzz',
      '/v1/accounts?position=99999999999999999999999', '/v1/audit?from=notadate', '/v1/accounts?position=1715303817',
      '/v1/pools?position=99999999999999999999.00000000000000000001',
    ];
    for (const path of paths) {
      const r = await t.call('GET', path);
      assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.body)}`);
      assert.match(r.headers.get('content-type')!, /problem\+json/);
      assert.ok(r.body.errors?.length, path);
    }
  });

  it('answers an unknown route with problem+json 404, a path it cannot decode with problem+json 400, an unknown media type with 415 titled so, and takes a lowercase bearer', async () => {
    const unknown = await t.call('GET', '/v1/nothing-here');
    assert.deepEqual([unknown.status, unknown.body.code, unknown.body.title], [404, 'not_found', 'Not found']);
    assert.match(unknown.headers.get('content-type')!, /problem\+json/);
    const undecodable = await t.call('GET', '/v1/pools/%E0%A4%A');
    assert.deepEqual([undecodable.status, undecodable.body.status, undecodable.body.title], [400, 400, 'Bad Request']);
    assert.match(undecodable.headers.get('content-type')!, /problem\+json/);
    const media = await t.call('POST', '/v1/pools', '<pool/>', { contentType: 'application/xml' });
    assert.deepEqual([media.status, media.body.title], [415, 'Unsupported Media Type']);
    const lower = await fetch(`${t.roster.url}/v1/pools`, { headers: { authorization: `bearer ${t.token}` } });
    assert.equal(lower.status, 200);
    const mixed = await fetch(`${t.roster.url}/v1/pools`, { headers: { authorization: `BEARER ${t.token}` } });
    assert.equal(mixed.status, 200);
  });

  it('stops a revoked or deleted admin token at once, on every node', async () => {
    const other = await startTestRoster({}, t.db);
    try {
      const a = await t.roster.services.tokens.create('short-lived');
      const b = await t.roster.services.tokens.create('deleted by hand');
      for (const node of [t, other]) {
        for (const token of [a.token, b.token]) assert.equal((await node.call('GET', '/v1/pools', undefined, { token })).status, 200, 'valid and now cached');
      }
      assert.equal(await other.roster.services.tokens.revoke(a.id), true);
      await t.db.pool.query('DELETE FROM admin_tokens WHERE token_id = $1', [b.id]);
      // The notification reaches each node before its next request in practice; poll briefly so a slow one is not a false failure.
      for (const node of [t, other]) {
        for (const token of [a.token, b.token]) {
          let status = 0;
          for (let i = 0; i < 50 && status !== 401; i++) {
            status = (await node.call('GET', '/v1/pools', undefined, { token })).status;
            if (status !== 401) await new Promise((r) => setTimeout(r, 20));
          }
          assert.equal(status, 401);
        }
      }
      const listed = await t.roster.services.tokens.list();
      assert.ok(listed.find((x) => x.id === a.id)?.revokedAt);
      assert.equal(listed.find((x) => x.id === b.id), undefined);
      assert.equal(await t.roster.services.tokens.revoke(a.id), false, 'revoking twice changes nothing');
    } finally {
      await other.stop();
    }
  });

  it('serves /docs without a token unless ROSTER_DOCS_PUBLIC=false', async () => {
    const docs = await t.call('GET', '/docs/json', undefined, { token: null });
    assert.equal(docs.status, 200);
    assert.ok(docs.body.paths['/v1/pools/{poolId}/sessions']);
    assert.equal((await t.call('GET', '/docs', undefined, { token: null })).status < 400, true);
    const closed = await startTestRoster({ ROSTER_DOCS_PUBLIC: 'false' }, t.db);
    try {
      assert.equal((await closed.call('GET', '/docs/json', undefined, { token: null })).status, 401);
      assert.equal((await closed.call('GET', '/docs/json')).status, 200);
    } finally {
      await closed.stop();
    }
  });
});
