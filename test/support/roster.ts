import { parseMasterKey } from '../../src/store/secrets.ts';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.ts';
import { startRoster, type Roster } from '../../src/service.ts';
import { testDatabase, type TestDatabase } from './db.ts';

export const testToken = () => `roster_${randomBytes(4).toString('hex')}_${randomBytes(24).toString('base64url')}`;

export interface Call {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface TestRoster {
  roster: Roster;
  db: TestDatabase;
  token: string;
  /** Every log line the service wrote. */
  logs: string[];
  call(method: string, path: string, body?: unknown, options?: { token?: string | null; contentType?: string }): Promise<Call>;
  stop(): Promise<void>;
}

/** Roster on a fresh database, listening on a free loopback port, its logs captured. */
export async function startTestRoster(env: Record<string, string> = {}, existing?: TestDatabase): Promise<TestRoster> {
  const db = existing ?? (await testDatabase({ migrate: false }));
  const token = testToken();
  const logs: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { logs.push(String(chunk)); done(); } });
  const config = loadConfig({ ROSTER_PORT: '0', ROSTER_GATEWAY_PORT: '0', ROSTER_ADMIN_TOKEN: token, ROSTER_REAPER_INTERVAL_MS: '100', ROSTER_LOG_LEVEL: 'info', ...env });
  const roster = await startRoster(config, { databaseUrl: db.url, masterKey: env.ROSTER_MASTER_KEY ? parseMasterKey(env.ROSTER_MASTER_KEY) : randomBytes(32), logger: { level: 'info', stream } });
  return {
    roster, db, token, logs,
    async call(method, path, body, options = {}) {
      const bearer = options.token === undefined ? token : options.token;
      const headers: Record<string, string> = {};
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
      const res = await fetch(`${roster.url}${path}`, {
        method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try { parsed = JSON.parse(text); } catch { /* not JSON */ }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    async stop() {
      await roster.stop();
      if (!existing) await db.drop();
    },
  };
}
