/**
 * The layer rule in eslint.config.js: an import against the direction of the layers fails lint.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint();
const problems = async (file: string, code: string) =>
  (await eslint.lintText(code, { filePath: file }))[0]!.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);

describe('layers run one way', () => {
  it('refuses an import of a higher layer, and allows the lower ones', async () => {
    assert.match((await problems('src/domain/x.ts', "import { y } from '../store/port.ts';\nexport const x = y;"))[0] ?? '', /domain must not import store/);
    assert.match((await problems('src/store/x.ts', "import { y } from '../commands/runner.ts';\nexport const x = y;"))[0] ?? '', /store must not import commands/);
    assert.match((await problems('src/projections/x.ts', "import { y } from '../commands/runner.ts';\nexport const x = y;"))[0] ?? '', /projections must not import commands/);
    assert.match((await problems('src/workers/x.ts', "import { y } from '../http/app.ts';\nexport const x = y;"))[0] ?? '', /workers must not import http/);
    assert.match((await problems('src/commands/x.ts', "import { y } from '../service.ts';\nexport const x = y;"))[0] ?? '', /commands must not import service/);
    assert.deepEqual(await problems('src/commands/x.ts', "import { y } from '../store/port.ts';\nimport { z } from '../domain/pool.ts';\nexport const x = [y, z];"), []);
  });

  it('lets http name a worker or store type but not call a worker or the store', async () => {
    assert.deepEqual(await problems('src/http/x.ts', "import type { Refresher } from '../workers/refresher.ts';\nexport type X = Refresher;"), []);
    assert.match((await problems('src/http/x.ts', "import { Refresher } from '../workers/refresher.ts';\nexport const x = Refresher;"))[0] ?? '', /http calls commands and queries/);
    assert.deepEqual(await problems('src/http/x.ts', "import type { Position } from '../store/port.ts';\nexport type X = Position;"), []);
    assert.match((await problems('src/http/x.ts', "import { START } from '../store/port.ts';\nexport const x = START;"))[0] ?? '', /http calls commands and queries, not the store/);
    assert.deepEqual(await problems('src/http/x.ts', "import { y } from '../commands/runner.ts';\nimport { z } from '../projections/queries.ts';\nexport const x = [y, z];"), []);
  });
});
