import { buildSync } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The file Piscina's threads load. Running from TypeScript sources, the flow entry and
 * the built-in providers are bundled once into one JavaScript module, so that each
 * thread starts as plain Node (a TypeScript loader per thread cost seconds of CPU with
 * hundreds of threads). The bundle sits under `node_modules/.cache` so that its external
 * packages resolve, named by its content: processes share it and never delete it.
 *
 * @example
 * new Piscina({ filename: flowEntry() });
 */
export function flowEntry(): string {
  const source = fileURLToPath(new URL('./flow.ts', import.meta.url));
  if (!import.meta.url.endsWith('.ts')) return new URL('./flow.js', import.meta.url).href;
  const dir = resolve(dirname(source), '../../node_modules/.cache/roster');
  mkdirSync(dir, { recursive: true });
  const built = buildSync({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, logLevel: 'error' });
  const code = built.outputFiles[0]!.contents;
  const outfile = join(dir, `flow-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(outfile)) {
    const temp = `${outfile}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, outfile);
  }
  return pathToFileURL(outfile).href;
}
