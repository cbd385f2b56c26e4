import { buildSync } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The file Piscina's threads load. Running from TypeScript sources, the flow entry and
 * the built-in providers are bundled once into one JavaScript module, so that each
 * thread starts as plain Node (a TypeScript loader per thread cost seconds of CPU with
 * hundreds of threads). The bundle sits under `node_modules/.cache` so that its external
 * packages resolve.
 *
 * @example
 * new Piscina({ filename: flowEntry() });
 */
export function flowEntry(): string {
  const source = fileURLToPath(new URL('./flow.ts', import.meta.url));
  if (!import.meta.url.endsWith('.ts')) return new URL('./flow.js', import.meta.url).href;
  const dir = resolve(dirname(source), '../../node_modules/.cache/roster');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `flow-${process.pid}.mjs`);
  buildSync({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'error' });
  return pathToFileURL(outfile).href;
}
