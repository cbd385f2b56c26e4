/**
 * Embedded PostgreSQL after a crash: a leftover postmaster or a stale postmaster.pid does
 * not block the next start; a live Roster on the same data directory does, with a message.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/store/embedded.ts';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const pidOf = async (dir: string) => Number((await readFile(join(dir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
async function answers(url: string): Promise<boolean> {
  const c = new pg.Client(url);
  await c.connect();
  const { rows } = await c.query('SELECT 1 AS one');
  await c.end();
  return rows[0].one === 1;
}

describe('embedded PostgreSQL recovery', { timeout: 120_000 }, () => {
  let dir: string;
  let current: EmbeddedDatabase | undefined;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-embedded-'));
    await chmod(dir, 0o755);
  });
  after(async () => {
    await current?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stops a postmaster left running by a crashed run, and starts again', async () => {
    current = await startEmbeddedPostgres(dir);
    const leftover = await pidOf(dir);
    assert.ok(alive(leftover));
    // As after kill -9 of Roster: its postmaster still runs; a new start must take over.
    current = await startEmbeddedPostgres(dir);
    assert.equal(alive(leftover), false, 'the leftover postmaster was stopped');
    assert.notEqual(await pidOf(dir), leftover);
    assert.ok(await answers(current.url));
    await current.stop();
    current = undefined;
  });

  it('removes a stale postmaster.pid whose process is gone', async () => {
    await writeFile(join(dir, 'pg', 'postmaster.pid'), `999999\n${join(dir, 'pg')}\n0\n5432\n`);
    current = await startEmbeddedPostgres(dir);
    assert.ok(await answers(current.url));
    await current.stop();
    current = undefined;
  });

  it('says why when PostgreSQL stops at start, in PostgreSQL\'s words', async () => {
    const conf = join(dir, 'pg', 'postgresql.conf');
    const good = await readFile(conf, 'utf8');
    await writeFile(conf, `${good}\nshared_buffers = 'plenty'\n`);
    try {
      await assert.rejects(startEmbeddedPostgres(dir), (e: Error) => e instanceof Error && /PostgreSQL did not start on .*pg: .*shared_buffers/.test(e.message));
    } finally {
      await writeFile(conf, good);
    }
  });

  it('refuses to start beside a live Roster on the same data directory, saying what to do', async () => {
    await writeFile(join(dir, 'roster.pid'), String(process.ppid));
    await assert.rejects(startEmbeddedPostgres(dir), /Another Roster \(pid \d+\) is running.*Stop it first/);
  });
});
