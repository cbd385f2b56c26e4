/**
 * The typed client generated from the OpenAPI document (`console/src/api-types.ts`, written by
 * `npm run api:types`, checked against the served document by test/integration/openapi.test.ts).
 */
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import type { paths } from '../../console/src/api-types.ts';

/** A client of a running Roster, as an operator with `token`. */
export function apiClient(url: string, token: string) {
  return createClient<paths>({ baseUrl: url, headers: { authorization: `Bearer ${token}` } });
}

/** The TypeScript types of an OpenAPI document, as `api-types.ts` holds them. */
export async function typesOf(document: object): Promise<string> {
  const header = '// Generated from the OpenAPI document at /docs/json by `npm run api:types`; do not edit.\n';
  return header + astToString(await openapiTS(document as Parameters<typeof openapiTS>[0]));
}
