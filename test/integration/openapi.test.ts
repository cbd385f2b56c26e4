/**
 * The API description: the served OpenAPI document validates, and the client generated from
 * it (console/src/api-types.ts) is the one the document gives today.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { typesOf } from '../support/api.ts';
import { compilePending } from '../../src/http/lazy-schemas.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('the OpenAPI document', () => {
  let t: TestRoster;
  let document: Record<string, unknown>;
  before(async () => {
    t = await startTestRoster();
    document = (await t.call('GET', '/docs/json', undefined, { token: null })).body;
  });
  after(async () => t.stop());

  it('has every route schema compile, though each compiles at its route\'s first use', () => {
    // Both apps (API and gateway): request parts and answers, some 550 in all.
    const compiled = compilePending();
    assert.ok(compiled > 300, `${compiled} schemas compiled`);
    assert.equal(compilePending(), 0, 'each compiles once');
  });

  it('validates as OpenAPI', async () => {
    const api = await SwaggerParser.validate(structuredClone(document) as never);
    assert.ok(api.paths?.['/v1/pools/{poolId}']);
  });

  it('declares a success answer for every route, and problem+json for every 4xx of every authenticated route', () => {
    const paths = document.paths as Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>;
    // The feed is a WebSocket upgrade and /metrics is Prometheus text: neither answers JSON.
    const untyped = new Set(['/ws', '/metrics']);
    let checked = 0;
    for (const [path, operations] of Object.entries(paths)) {
      if (untyped.has(path) || path.startsWith('/docs')) continue;
      for (const [method, operation] of Object.entries(operations)) {
        const responses = operation.responses ?? {};
        const success = Object.entries(responses).find(([code]) => /^2\d\d$/.test(code));
        // 204 No Content has no body to describe.
        assert.ok(success && (success[0] === '204' || success[1].content), `${method.toUpperCase()} ${path}: no success schema`);
        if (!path.startsWith('/health')) assert.ok(responses['4XX'] ?? responses['4xx'], `${method.toUpperCase()} ${path}: no 4xx schema`);
        checked++;
      }
    }
    assert.ok(checked >= 40, `${checked} operations checked`);
  });

  it('gives the client types committed in console/src/api-types.ts (`npm run api:types` writes them)', async () => {
    const committed = await readFile(new URL('../../console/src/api-types.ts', import.meta.url), 'utf8');
    assert.equal(await typesOf(document), committed);
  });
});
