import { rosterCodec } from './store/codec.ts';
import { setPriority } from 'node:os';
import pg from 'pg';
import { parseProviders, type Config } from './config.ts';
import { createPool, type PoolSetup } from './commands/pools.ts';
import { systemContext } from './commands/context.ts';
import { DomainError } from './domain/errors.ts';
import { buildApp, type App, type Services } from './http/app.ts';
import { AdminTokens, authSchema } from './http/auth.ts';
import { newFeedStats } from './http/feed.ts';
import { readModels } from './projections/read-models.ts';
import { readModelSchema } from './projections/schema.ts';
import { ProjectionRunner } from './projections/runner.ts';
import { EventStoreDbStore } from './store/eventstoredb.ts';
import { migrate } from './store/migrate.ts';
import type { EventStore } from './store/port.ts';
import { PostgresEventStore } from './store/postgres.ts';
import { traced } from './store/traced.ts';
import { SecretVault } from './store/secrets.ts';
import { AccountIndex } from './projections/account-index.ts';
import { Allocators } from './commands/allocators.ts';
import { FlowPool } from './workers/flows.ts';
import { Pacer } from './workers/pacer.ts';
import { ProviderBuckets } from './workers/limits.ts';
import { Prober } from './workers/prober.ts';
import { Providers, type ProviderConfig } from './workers/providers/registry.ts';
import { Refresher } from './workers/refresher.ts';
import { ownersSchema, Registrations } from './workers/registration.ts';
import { Replenisher } from './workers/replenisher.ts';
import { Scheduler } from './workers/scheduler.ts';

export interface Roster {
  app: App;
  url: string;
  services: Services;
  /** The admin token made at first start, shown once; undefined afterwards. */
  adminToken?: string;
  stop(): Promise<void>;
}

/**
 * A pg pool whose sessions never sit idle inside a transaction for long (it would hold every
 * subscriber back). `settings` are more session settings, e.g. `{ synchronous_commit: 'off' }`.
 */
export function openDatabase(url: string, max: number, name = 'roster', settings: Record<string, string> = {}): pg.Pool {
  const options = Object.entries({ idle_in_transaction_session_timeout: '10000', ...settings }).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  // A request waits at most this long for a connection (a database that cannot be reached,
  // or every connection busy), then fails as unavailable (503) instead of hanging.
  const pool = new pg.Pool({ connectionString: url, max, application_name: name, options, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined);
  // A connection the server ends (shutdown, restart) while checked out would otherwise be an
  // unhandled 'error' event; its queries still fail and are handled where they are made.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * Lowers the scheduling priority (`nice`) of the PostgreSQL backends behind a pool's
 * connections. Only for a database whose processes run on this machine as ours (embedded).
 */
function lowerPriority(pool: pg.Pool, nice: number): void {
  pool.on('connect', (client) => {
    // The backend's process id, as the server told it at connection (pg keeps it to cancel queries).
    const pid = (client as pg.PoolClient & { processID?: number }).processID;
    try {
      if (pid) setPriority(pid, nice);
    } catch {
      // Not ours to change after all: it keeps its priority.
    }
  });
}

/** The tables besides the store's own, in the order they are made. */
export const schemas = [readModelSchema, authSchema, ownersSchema];

/** The event store the configuration selects. */
export async function openStore(config: Config, db: pg.Pool, url: string): Promise<EventStore> {
  if (config.ROSTER_EVENT_STORE === 'eventstoredb') return traced(new EventStoreDbStore(config.EVENTSTORE_CONNECTION_STRING!, rosterCodec));
  const store = new PostgresEventStore(db, { codec: rosterCodec, listen: { connectionString: url } });
  await store.start();
  return traced(store);
}

/**
 * Starts Roster on a PostgreSQL database: migrations, event store, read-model runners,
 * allocators with their log tail and reaper, the default pool, and the HTTP server.
 *
 * @example
 * const roster = await startRoster(config, { databaseUrl, masterKey });
 * console.log(roster.url);
 */
export async function startRoster(
  config: Config,
  options: {
    databaseUrl: string; masterKey: Buffer; logger?: boolean | object; providers?: Record<string, ProviderConfig>; embeddedDatabase?: boolean;
    /** How the default pool is made when it does not exist yet. */
    defaultPool?: PoolSetup;
  },
): Promise<Roster> {
  const providers = await Providers.load({ ...(parseProviders(config.ROSTER_PROVIDERS) as Record<string, ProviderConfig>), ...options.providers });
  const db = openDatabase(options.databaseUrl, config.ROSTER_DB_POOL_SIZE);
  await migrate(db, schemas);
  const store = await openStore(config, db, options.databaseUrl);
  const accounts = new AccountIndex();
  const from = await accounts.seed(db);
  const days = { timeZone: config.ROSTER_USAGE_TIMEZONE, rollover: config.ROSTER_USAGE_ROLLOVER };
  const allocators = new Allocators(store, accounts, days);
  const vault = new SecretVault(db, options.masterKey);
  const flows = new FlowPool({ threads: config.ROSTER_FLOW_THREADS, nice: config.ROSTER_FLOW_NICE, pacer: new Pacer({
    targetWait: config.ROSTER_FLOW_PACING_WAIT, lastServed: () => allocators.lastLeaseCommand,
  }) });
  // Background failures are logged once the app (and its logger) exists.
  let onError: (e: unknown) => void = () => undefined;
  const reportError = (e: unknown) => onError(e);
  // Registration's database work goes through a few connections of its own (so it can
  // never take the serving connections), whose backends yield the CPU to the serving ones
  // when PostgreSQL is embedded. Their commits do not wait for the WAL flush, so they never
  // queue the serving commits behind their flushes: a crash may lose their last fraction
  // of a second, which a job redoes like a flow that ended just before a crash.
  const background = openDatabase(options.databaseUrl, 4, 'roster-background', { synchronous_commit: 'off' });
  if (options.embeddedDatabase) lowerPriority(background, 10);
  const backgroundStore = config.ROSTER_EVENT_STORE === 'postgres' ? traced(new PostgresEventStore(background, { codec: rosterCodec })) : store;
  const registrations = new Registrations({
    db: background, store: backgroundStore, vault: vault.through(background), accounts, allocators, flows, providers, onError: reportError,
    settings: {
      heartbeatMs: config.ROSTER_HEARTBEAT_MS, flowTimeoutMs: config.ROSTER_FLOW_TIMEOUT_MS,
      consistencyWaitMs: config.ROSTER_CONSISTENCY_WAIT_MS, fetchBatch: config.ROSTER_JOB_FETCH_BATCH,
    },
  }, { stallAfterMs: config.ROSTER_JOB_STALL_MS });
  const upkeep = {
    store, vault, accounts, allocators, flows, providers, buckets: new ProviderBuckets(), onError: reportError,
    settings: { refreshWindowMs: config.ROSTER_REFRESH_WINDOW_MS, flowTimeoutMs: config.ROSTER_FLOW_TIMEOUT_MS, probeIntervalMs: config.ROSTER_PROBE_INTERVAL_MS },
  };
  const refresher = new Refresher(upkeep);
  const prober = new Prober(upkeep);
  const replenisher = new Replenisher({ db, store, providers, registrations, consistencyWaitMs: config.ROSTER_CONSISTENCY_WAIT_MS });
  const tokens = new AdminTokens(db, { connectionString: options.databaseUrl });
  await tokens.start();
  const services: Services = {
    feed: newFeedStats(), db, store, accounts, allocators, vault, tokens, providers, flows, registrations, refresher, prober, replenisher, days,
    settings: {
      defaultPool: config.ROSTER_DEFAULT_POOL, readyMaxLagMs: config.ROSTER_READY_MAX_LAG_MS,
      feedMaxBacklogBytes: config.ROSTER_FEED_MAX_BACKLOG_BYTES, feedHealthIntervalMs: config.ROSTER_FEED_HEALTH_INTERVAL_MS, compatLoopbackOpen: config.ROSTER_COMPAT_LOOPBACK_OPEN,
      consistencyWaitMs: config.ROSTER_CONSISTENCY_WAIT_MS, accountsPerRequest: config.ROSTER_ACCOUNTS_PER_REQUEST,
      docsPublic: config.ROSTER_DOCS_PUBLIC, requestTimeoutMs: config.ROSTER_REQUEST_TIMEOUT_MS, maxConnections: config.ROSTER_MAX_CONNECTIONS,
    },
  };
  const app = await buildApp(services, { logger: options.logger ?? { level: config.ROSTER_LOG_LEVEL } });
  onError = (err) => app.log.error({ err }, 'background work failed');
  const abort = new AbortController();
  const report = (what: string) => (err: unknown) => app.log.error({ err }, `${what} failed; retrying`);
  void new ProjectionRunner(db, store, readModels, { minIntervalMs: config.ROSTER_PROJECTION_INTERVAL_MS }).run(abort.signal, report('projections'));
  void allocators.follow(from, abort.signal, report('log tail'));
  allocators.reap(config.ROSTER_REAPER_INTERVAL_MS, abort.signal, report('reaper'));
  registrations.adopt(abort.signal);
  new Scheduler(db, config.ROSTER_SCHEDULER_INTERVAL_MS, [() => refresher.scan(), () => prober.scan(), () => replenisher.tick()], reportError).run(abort.signal);

  await createPool(store, config.ROSTER_DEFAULT_POOL, options.defaultPool ?? { name: 'Default pool' }, systemContext('boot')).catch((e) => {
    if (!(e instanceof DomainError && e.code === 'pool_exists')) throw e;
  });
  const created = await services.tokens.ensureAdmin(config.ROSTER_ADMIN_TOKEN);
  const address = await app.listen({ host: config.ROSTER_HOST, port: config.ROSTER_PORT });
  return {
    app, services, url: address, adminToken: created?.token,
    async stop() {
      abort.abort();
      await registrations.close();
      await app.close();
      await flows.close();
      await store.close();
      await tokens.close();
      await Promise.all([db.end(), background.end()]);
    },
  };
}
