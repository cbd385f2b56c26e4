/**
 * With embedded PostgreSQL (the quick start), registration's connections are its own and
 * their backends run at a lower priority than the serving ones.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { newToken, spawnServer, type ServerProcess } from '../support/servers.ts';
import { until } from '../support/sandbox.ts';

/** The nice value of a process, from /proc. */
const niceOf = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
};

describe('background database work in embedded mode', { timeout: 120_000 }, () => {
  let dir: string;
  let server: ServerProcess;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-nice-'));
    await chmod(dir, 0o755);
    server = await spawnServer({ ROSTER_DATA_DIR: dir, ROSTER_ADMIN_TOKEN: newToken(), ROSTER_HEARTBEAT_MS: '200' });
  });
  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs registration backends at nice 10 and serving backends at nice 0', async () => {
    const [, , , port] = (await readFile(join(dir, 'pg', 'postmaster.pid'), 'utf8')).split('\n');
    const password = (await readFile(join(dir, 'pg-password'), 'utf8')).trim();
    const db = new pg.Client({ host: '127.0.0.1', port: Number(port), user: 'postgres', password, database: 'roster' });
    await db.connect();
    try {
      const backends = async (name: string) => (await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [name])).rows;
      // A backend is reniced just after it connects.
      await until('registration backends at nice 10', async () => {
        const pids = await backends('roster-background');
        return pids.length > 0 && (await Promise.all(pids.map((b) => niceOf(b.pid)))).every((n) => n === 10);
      }, 20_000);
      const serving = await backends('roster');
      assert.ok(serving.length > 0);
      for (const { pid } of serving) assert.equal(await niceOf(pid), 0, `serving backend ${pid}`);
    } finally {
      await db.end();
    }
  });
});
