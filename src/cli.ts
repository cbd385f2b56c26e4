/**
 * `npx roster <command>`:
 *   rebuild [projection…]   rebuild read models from the log (all by default) and swap them in
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from './config.ts';
import { rebuild } from './projections/rebuild.ts';
import { readModels } from './projections/read-models.ts';
import { openDatabase, openStore } from './service.ts';
import { runningPort, startEmbeddedPostgres } from './store/embedded.ts';
import { migrate } from './store/migrate.ts';

/** The database URL: configured, or the embedded server (the running one, else started for this command). */
async function database(config: Config): Promise<{ url: string; stop: () => Promise<void> }> {
  if (config.ROSTER_DATABASE_URL) return { url: config.ROSTER_DATABASE_URL, stop: async () => {} };
  const port = await runningPort(config.ROSTER_DATA_DIR);
  if (port) {
    const password = (await readFile(join(resolve(config.ROSTER_DATA_DIR), 'pg-password'), 'utf8')).trim();
    return { url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/roster`, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres(config.ROSTER_DATA_DIR);
  return { url: server.url.replace(/\/postgres$/, '/roster'), stop: () => server.stop() };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command !== 'rebuild') {
    process.stderr.write('usage: roster rebuild [accounts|sessions|pools …]\n');
    return 2;
  }
  const unknown = args.filter((a) => !readModels.some((p) => p.name === a));
  if (unknown.length) {
    process.stderr.write(`unknown projection(s): ${unknown.join(', ')}; known: ${readModels.map((p) => p.name).join(', ')}\n`);
    return 2;
  }
  const config = loadConfig();
  const { url, stop } = await database(config);
  const db = openDatabase(url, 4);
  try {
    await migrate(db);
    const store = await openStore(config, db, url);
    for (const projection of readModels.filter((p) => args.length === 0 || args.includes(p.name))) {
      const started = Date.now();
      const rows = await rebuild(db, store, projection);
      process.stdout.write(`rebuilt ${projection.name}: ${rows} rows in ${Date.now() - started} ms\n`);
    }
    await store.close();
    return 0;
  } finally {
    await db.end();
    await stop();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
  process.stderr.write(`roster: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
