/**
 * The API description: the served OpenAPI document validates, and the client generated from
 * it (test/support/api-types.ts) is the one the document gives today.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { typesOf } from '../support/api.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('the OpenAPI document', () => {
  let t: TestRoster;
  let document: Record<string, unknown>;
  before(async () => {
    t = await startTestRoster();
    document = (await t.call('GET', '/docs/json', undefined, { token: null })).body;
  });
  after(async () => t.stop());

  it('validates as OpenAPI', async () => {
    const api = await SwaggerParser.validate(structuredClone(document) as never);
    assert.ok(api.paths?.['/v1/pools/{poolId}']);
  });

  it('declares success and problem+json answers for the pool routes', () => {
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    for (const [path, method, ok] of [['/v1/pools', 'post', '201'], ['/v1/pools', 'get', '200'], ['/v1/pools/{poolId}', 'get', '200'], ['/v1/pools/{poolId}', 'patch', '200']] as const) {
      const responses = paths[path]![method]!.responses;
      assert.ok(responses[ok], `${method} ${path} ${ok}`);
      assert.ok(responses['4XX'] ?? responses['4xx'], `${method} ${path} 4xx`);
    }
  });

  it('gives the client types committed in test/support/api-types.ts (`npm run api:types` writes them)', async () => {
    const committed = await readFile(new URL('../support/api-types.ts', import.meta.url), 'utf8');
    assert.equal(await typesOf(document), committed);
  });
});
