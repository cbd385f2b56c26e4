/**
 * The console's assets: the single-page app under `console/`, bundled by esbuild the first
 * time a version of its sources is served, into `node_modules/.cache/roster-console/{hash}`
 * (so `npm start` on a fresh clone needs no build step, and later starts reuse the bundle).
 * File names carry a content hash, so they can be cached for a year.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, version as esbuildVersion } from 'esbuild';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sources = join(root, 'console');

/** Every file under a folder, sorted. */
async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

/** A hash of the console's sources and the bundler's version: a new one means a new bundle. */
async function sourceHash(): Promise<string> {
  const hash = createHash('sha256').update(esbuildVersion);
  for (const file of await filesIn(sources)) hash.update(relative(sources, file)).update(await readFile(file));
  return hash.digest('hex').slice(0, 16);
}

/** Bundles the console into `out`: `index.html` naming the hashed `assets/` files. */
async function bundle(out: string): Promise<void> {
  const result = await build({
    entryPoints: [join(sources, 'src/main.tsx')], bundle: true, minify: true, format: 'esm', target: 'es2022', sourcemap: false,
    jsx: 'automatic', jsxImportSource: 'preact', outdir: join(out, 'assets'), entryNames: '[name]-[hash]', assetNames: '[name]-[hash]',
    metafile: true, logLevel: 'silent', legalComments: 'none',
  });
  const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
  const script = outputs.find((f) => f.endsWith('.js'))!;
  const style = outputs.find((f) => f.endsWith('.css'));
  const html = (await readFile(join(sources, 'index.html'), 'utf8'))
    .replace('<!--assets-->', `${style ? `<link rel="stylesheet" href="/assets/${style}">` : ''}<script type="module" src="/assets/${script}"></script>`);
  await writeFile(join(out, 'index.html'), html);
}

let built: Promise<string> | undefined;

/**
 * The folder holding the console's `index.html` and `assets/`, bundled on first use.
 *
 * @example
 * const dir = await consoleAssets(); // → '/…/node_modules/.cache/roster-console/3f2a…'
 */
export function consoleAssets(): Promise<string> {
  built ??= (async () => {
    const cache = join(root, 'node_modules/.cache/roster-console');
    const dir = join(cache, await sourceHash());
    if (await stat(join(dir, 'index.html')).then(() => true, () => false)) return dir;
    // Built aside, then moved in whole: several processes starting at once each get a complete folder.
    const scratch = join(cache, `.build-${randomUUID()}`);
    await mkdir(scratch, { recursive: true });
    try {
      await bundle(scratch);
      await rename(scratch, dir).catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
      });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    return dir;
  })();
  return built;
}
