/**
 * `npm test`: starts an embedded PostgreSQL for the whole run (unless
 * ROSTER_TEST_DATABASE_URL names a server), then runs Node's test runner over the suites.
 * Each test file creates its own database on that server.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/store/embedded.ts';

async function testFiles(args: string[]): Promise<string[]> {
  if (args.length) return args;
  const files: string[] = [];
  for (const suite of ['unit', 'contract', 'integration', 'e2e']) {
    const entries = await readdir(join('test', suite), { recursive: true }).catch(() => []);
    for (const f of entries) if (String(f).endsWith('.test.ts')) files.push(join('test', suite, String(f)));
  }
  return files.sort();
}

const files = await testFiles(process.argv.slice(2));
let stop = async () => {};
const env = { ...process.env };
if (!env.ROSTER_TEST_DATABASE_URL) {
  const dir = await mkdtemp(join(tmpdir(), 'roster-test-'));
  await chmod(dir, 0o755);
  const db = await startEmbeddedPostgres(dir, { flags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off'] });
  env.ROSTER_TEST_DATABASE_URL = db.url;
  stop = async () => {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit', env,
});
const code: number = await new Promise((ok) => child.on('exit', (c) => ok(c ?? 1)));
await stop();
process.exit(code);
