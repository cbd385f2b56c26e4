import { buildSync, version as esbuildVersion } from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What the last bundle was built from: its input files (absolute) and their hash, and the bundle. */
interface Built { inputs: string[]; hash: string; file: string }

/** A hash of the bundler's version and each input's name and content; '' when one is gone. */
function hashOf(inputs: string[]): string {
  const hash = createHash('sha256').update(esbuildVersion);
  for (const input of inputs) {
    if (!existsSync(input)) return '';
    hash.update(input).update(readFileSync(input));
  }
  return hash.digest('hex');
}

/** The bundle recorded in `manifest`, if its inputs are as they were when it was built. */
function reusable(manifest: string): string | undefined {
  try {
    const built = JSON.parse(readFileSync(manifest, 'utf8')) as Built;
    return existsSync(built.file) && hashOf(built.inputs) === built.hash ? built.file : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `content` to `file` whole: aside first, then renamed (processes starting at once each see a complete file). */
function writeWhole(file: string, content: string | Uint8Array): void {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  renameSync(temp, file);
}

/**
 * Bundles `source` (TypeScript, its packages left external) into one module in `dir`, named
 * by its content, unless the bundle `dir`'s manifest names is still current: the same
 * input files with the same contents. Returns the bundle's path.
 *
 * @example
 * bundleOnce('/app/src/workers/flow.ts', '/app/node_modules/.cache/roster'); // → '/app/node_modules/.cache/roster/flow-3f2a….mjs'
 */
export function bundleOnce(source: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const manifest = join(dir, 'flow-built.json');
  const known = reusable(manifest);
  if (known) return known;
  const built = buildSync({ entryPoints: [source], bundle: true, platform: 'node', format: 'esm', packages: 'external', write: false, metafile: true, logLevel: 'error' });
  const code = built.outputFiles[0]!.contents;
  const file = join(dir, `flow-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) writeWhole(file, code);
  // The metafile names inputs relative to the working directory.
  const inputs = Object.keys(built.metafile.inputs).map((input) => resolve(input)).sort();
  writeWhole(manifest, JSON.stringify({ inputs, hash: hashOf(inputs), file } satisfies Built));
  return file;
}

/**
 * The file Piscina's threads load. Running from TypeScript sources, the flow entry and
 * the built-in providers are bundled into one JavaScript module (`bundleOnce`), so that
 * each thread starts as plain Node (a TypeScript loader per thread cost seconds of CPU
 * with hundreds of threads). The bundle sits under `node_modules/.cache` so that its
 * external packages resolve; processes share it and never delete it. A start whose flow
 * sources are unchanged reuses it without bundling (which took about 0.15 s of each start).
 *
 * @example
 * new Piscina({ filename: flowEntry() });
 */
export function flowEntry(): string {
  const source = fileURLToPath(new URL('./flow.ts', import.meta.url));
  if (!import.meta.url.endsWith('.ts')) return new URL('./flow.js', import.meta.url).href;
  return pathToFileURL(bundleOnce(source, resolve(dirname(source), '../../node_modules/.cache/roster'))).href;
}
