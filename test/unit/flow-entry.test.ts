/**
 * The flow threads' bundle: built once, reused while its sources stay as they were, and
 * built again when one of them changes.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { bundleOnce } from '../../src/workers/flow-entry.ts';

describe('the flow threads\' bundle', () => {
  it('is reused while its inputs are unchanged, and rebuilt when one of them changes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-bundle-'));
    try {
      await writeFile(join(dir, 'entry.ts'), "import { word } from './word.ts';\nexport const said: string = word;\n");
      await writeFile(join(dir, 'word.ts'), "export const word = 'first';\n");
      const out = join(dir, 'out');
      const first = bundleOnce(join(dir, 'entry.ts'), out);
      assert.match(await readFile(first, 'utf8'), /first/);
      const manifest = join(out, 'flow-built.json');
      const builtAt = (await stat(manifest)).mtimeMs;
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(bundleOnce(join(dir, 'entry.ts'), out), first);
      assert.equal((await stat(manifest)).mtimeMs, builtAt, 'reused: not bundled again');
      // An imported file changes: a new bundle, with the change.
      await writeFile(join(dir, 'word.ts'), "export const word = 'second';\n");
      const second = bundleOnce(join(dir, 'entry.ts'), out);
      assert.notEqual(second, first);
      assert.match(await readFile(second, 'utf8'), /second/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
