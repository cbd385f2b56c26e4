/**
 * `npm run api:types`: starts Roster on a scratch database, reads its OpenAPI document and
 * writes the generated client types to console/src/api-types.ts.
 */
import { writeFile } from 'node:fs/promises';
import { startTestRoster } from './roster.ts';
import { typesOf } from './api.ts';

const t = await startTestRoster();
try {
  const document = (await (await fetch(`${t.roster.url}/docs/json`)).json()) as object;
  await writeFile(new URL('../../console/src/api-types.ts', import.meta.url), await typesOf(document));
} finally {
  await t.stop();
}
