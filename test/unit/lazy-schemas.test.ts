/**
 * Route schemas compiled at their first use: the same validation, coercion and answers as
 * fastify's eager compilers, and a schema that does not compile is found by `compilePending`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { compilePending, lazyCompilers } from '../../src/http/lazy-schemas.ts';

const schema = {
  body: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
  querystring: { type: 'object', properties: { q: { type: 'integer' } } },
  response: { 200: { type: 'object', properties: { n: { type: 'integer' }, q: { type: 'integer' }, typeofQ: { type: 'string' } } } },
};

describe('lazily compiled route schemas', () => {
  it('validate, coerce and serialize as fastify does, compiled on first use', async () => {
    const app = Fastify({ schemaController: { compilersFactory: lazyCompilers() }, ajv: { customOptions: { allErrors: true } } });
    app.post('/x', { schema }, async (req) => {
      const { n } = req.body as { n: number };
      const { q } = req.query as { q?: number };
      return { n, q, typeofQ: typeof q, secret: 'not in the answer schema' };
    });
    // A request part's root value coerced: Ajv needs the parent to replace it.
    app.post('/root', { schema: { body: { type: 'integer' } } }, async (req) => ({ n: req.body, typeofQ: typeof req.body }));
    await app.ready();
    const root = await app.inject({ method: 'POST', url: '/root', payload: '5', headers: { 'content-type': 'text/plain' } });
    assert.deepEqual([root.statusCode, root.json()], [200, { n: 5, typeofQ: 'number' }]);
    const bad = await app.inject({ method: 'POST', url: '/x?q=z', payload: { n: 'seven' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().message, /body\/n must be integer/);
    const good = await app.inject({ method: 'POST', url: '/x?q=5', payload: { n: 7 } });
    assert.equal(good.statusCode, 200);
    assert.deepEqual(good.json(), { n: 7, q: 5, typeofQ: 'number' }, 'the query coerced, the answer by its schema');
    await app.close();
  });

  it('leaves a schema that does not compile to compilePending, which names its route', async () => {
    compilePending();
    const app = Fastify({ schemaController: { compilersFactory: lazyCompilers() } });
    app.post('/broken', { schema: { body: { type: 'object', properties: { n: { type: 'no-such-type' } } } } }, async () => ({}));
    await app.ready();
    assert.throws(() => compilePending(), /the schema of POST \/broken \(body\) does not compile/);
    await app.close();
  });
});
