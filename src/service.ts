import type { Static, TSchema } from 'typebox';
import * as Context from 'effect/Context';
import * as Effect from 'effect/Effect';
import * as Exit from 'effect/Exit';
import * as Layer from 'effect/Layer';
import * as Scope from 'effect/Scope';
import { setPriority } from 'node:os';
import pg from 'pg';
import { parseProviders, trustProxyOf, type Config, type TrustProxy } from './config.ts';
import { createPool, type PoolSetup } from './commands/pools.ts';
import { systemContext } from './commands/context.ts';
import { DomainError } from './domain/errors.ts';
import { buildApp, type App, type Services } from './http/app.ts';
import { AdminTokens } from './store/tokens.ts';
import { RefreshTokens } from './store/refresh-tokens.ts';
import { AccessTokens } from './store/access-tokens.ts';
import { Passwords } from './store/passwords.ts';
import { MailOutbox } from './store/mail-outbox.ts';
import { newFeedStats } from './http/feed.ts';
import { readModels } from './projections/read-models.ts';
import { ReadModelWaits } from './projections/waits.ts';
import { ProjectionRunner } from './projections/runner.ts';
import { every, run, untilInterrupted } from './effect.ts';
import { rosterCodec } from './store/codec.ts';
import { migrate } from './store/migrate.ts';
import type { EventStore, Position } from './store/port.ts';
import { PostgresEventStore } from './store/postgres.ts';
import { traced } from './store/traced.ts';
import { SecretVault } from './store/secrets.ts';
import { AccountIndex } from './projections/account-index.ts';
import { accountUseOn } from './projections/gateway-usage.ts';
import { pruneEndedSessions } from './projections/sessions.ts';
import { Allocators } from './commands/allocators.ts';
import { FlowPool } from './workers/flows.ts';
import { Pacer } from './workers/pacer.ts';
import { ProviderBuckets } from './workers/limits.ts';
import { Prober } from './workers/prober.ts';
import { Providers, type ProviderConfig } from './workers/providers/registry.ts';
import { Refresher } from './workers/refresher.ts';
import { Mailer, smtpTransport } from './workers/mailer.ts';
import { ApiKeySecrets } from './store/api-keys.ts';
import { openRedis, RateLimits } from './store/rate-limits.ts';
import { Budgets } from './store/budgets.ts';
import { RequestLog } from './store/request-log.ts';
import { requestSlotsOn } from './store/request-slots.ts';
import { providerPaceOn } from './store/provider-pace.ts';
import { PgKeptObjects, RESPONSE_RETENTION_MS } from './store/kept-objects.ts';
import { AuthGuard } from './commands/guard.ts';
import { OpenLimits } from './commands/open-limits.ts';
import { loadRoutes, routesFollower } from './commands/gateway-routes.ts';
import { Quotas } from './commands/quotas.ts';
import { KeyCache } from './commands/callers.ts';
import { GatewayCore } from './commands/gateway.ts';
import { DefaultRoutes, GatewayPrices, GatewayRoutes } from './domain/gateway.ts';
import type { RoutesState } from './domain/gateway-routes.ts';
import type { Known } from './commands/runner.ts';
import { RouteChecks } from './workers/route-check.ts';
import { Upstreams } from './workers/upstream.ts';
import { buildGateway } from './http/gateway.ts';
import { ConfigError, parseJson } from './config.ts';
import { Registrations } from './workers/registration.ts';
import { openDatabase, openStore, schemas } from './database.ts';
import { Replenisher } from './workers/replenisher.ts';
import { LateUsageSweeper } from './workers/late-usage.ts';
import { Scheduler } from './workers/scheduler.ts';

export interface Roster {
  app: App;
  url: string;
  /** The gateway's address (its own port, `ROSTER_GATEWAY_PORT`). */
  gatewayUrl: string;
  services: Services;
  /** The worker threads that run provider flows (HTTP sees only their status). */
  flows: FlowPool;
  /** The admin token made at first start, shown once; undefined afterwards. */
  adminToken?: string;
  stop(): Promise<void>;
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

/** A gateway setting's JSON, checked; a bad one stops the start, naming the variable. */
function gatewayJson<S extends TSchema>(schema: S, name: string, text: string): Static<S> {
  const parsed = parseJson(schema, text);
  if (typeof parsed === 'string') throw new ConfigError([`${name}: ${parsed}`]);
  return parsed;
}

export interface StartOptions {
  databaseUrl: string; masterKey: Buffer; logger?: boolean | object; providers?: Record<string, ProviderConfig>; embeddedDatabase?: boolean;
  /** How the default pool is made when it does not exist yet. */
  defaultPool?: PoolSetup;
}

/*
 * The service as Layers (docs/architecture.md, Lifecycles): each resource is acquired with
 * its release, and a Layer built later is released earlier. Stopping closes the scope:
 * the HTTP server and the background fibers first, then the workers, flows and tokens,
 * then the stores, then the database pools. A start that fails part way releases what it
 * had acquired.
 */
class Settings extends Context.Tag('roster/Settings')<Settings, { config: Config; options: StartOptions }>() {}
class Databases extends Context.Tag('roster/Databases')<Databases, { db: pg.Pool; background: pg.Pool }>() {}
class Stores extends Context.Tag('roster/Stores')<Stores, { store: EventStore; backgroundStore: EventStore }>() {}
class Core extends Context.Tag('roster/Core')<Core, { services: Services; flows: FlowPool; from: Position; routes: Known<RoutesState>; scheduler: Scheduler; errors: { report: (e: unknown) => void; to: (f: (e: unknown) => void) => void } }>() {}
class Http extends Context.Tag('roster/Http')<Http, { app: App }>() {}
class Listening extends Context.Tag('roster/Listening')<Listening, { url: string; gatewayUrl: string; adminToken?: string }>() {}

/** A resource and its release; a failed release is not a failed stop. */
const resource = <A>(open: () => Promise<A> | A, close: (a: A) => Promise<unknown> | unknown) =>
  Effect.acquireRelease(Effect.promise(async () => open()), (a) => Effect.promise(async () => {
    try {
      await close(a);
    } catch {
      // Already closed, or gone with the database: nothing left to release.
    }
  }));

/** Connections the leaders (projection runner, scheduler) hold while they lead. */
const LEADERS = 2;

const DatabasesLive = Layer.scoped(Databases, Effect.gen(function* () {
  const { config, options } = yield* Settings;
  // Two more than the setting: the projection runner's and the scheduler's leaders each hold
  // one of the pool's connections for as long as they lead.
  const db = yield* resource(() => openDatabase(options.databaseUrl, config.ROSTER_DB_POOL_SIZE + LEADERS), (p) => p.end());
  yield* Effect.promise(() => migrate(db, schemas));
  // Registration's database work goes through a few connections of its own (so it can
  // never take the serving connections), whose backends yield the CPU to the serving ones
  // when PostgreSQL is embedded. Their commits do not wait for the WAL flush, so they never
  // queue the serving commits behind their flushes: a crash may lose their last fraction
  // of a second, which a job redoes like a flow that ended just before a crash.
  const background = yield* resource(() => openDatabase(options.databaseUrl, 4, 'roster-background', { synchronous_commit: 'off' }), (p) => p.end());
  if (options.embeddedDatabase) lowerPriority(background, 10);
  return { db, background };
}));

const StoresLive = Layer.scoped(Stores, Effect.gen(function* () {
  const { config, options } = yield* Settings;
  const { db, background } = yield* Databases;
  const store = yield* resource(() => openStore(config, db, options.databaseUrl), (s) => s.close());
  const backgroundStore = config.ROSTER_EVENT_STORE === 'postgres'
    ? yield* resource(() => traced(new PostgresEventStore(background, { codec: rosterCodec })), (s) => s.close())
    : store;
  return { store, backgroundStore };
}));

const CoreLive = Layer.scoped(Core, Effect.gen(function* () {
  const { config, options } = yield* Settings;
  const { db, background } = yield* Databases;
  const { store, backgroundStore } = yield* Stores;
  const providers = yield* Effect.promise(() => Providers.load({ ...(parseProviders(config.ROSTER_PROVIDERS) as Record<string, ProviderConfig>), ...options.providers }));
  const accounts = new AccountIndex();
  const from = yield* Effect.promise(() => accounts.seed(db));
  const days = { timeZone: config.ROSTER_USAGE_TIMEZONE, rollover: config.ROSTER_USAGE_ROLLOVER };
  const allocators = new Allocators(store, accounts, days);
  const waits = new ReadModelWaits(config.ROSTER_CONSISTENCY_WAIT_MS);
  const vault = new SecretVault(db, options.masterKey, { cacheSize: config.ROSTER_SECRET_CACHE_SIZE });
  // Rate limits count in Redis when there is one (shared by every node), else in PostgreSQL.
  const limits = new RateLimits(config.ROSTER_REDIS_URL
    ? { kind: 'redis', client: yield* resource(() => openRedis(config.ROSTER_REDIS_URL!), (r) => r.quit()) }
    : { kind: 'postgres', pool: db });
  // Requests at once, and a provider's flows under way, count where the rate limits do.
  const slots = yield* resource(() => requestSlotsOn(limits.store), (r) => r.stop());
  const flows = yield* resource(() => new FlowPool({ threads: config.ROSTER_FLOW_THREADS, slots, flowsPerThread: config.ROSTER_FLOWS_PER_THREAD, nice: config.ROSTER_FLOW_NICE, pacer: new Pacer({
    targetWait: config.ROSTER_FLOW_PACING_WAIT, lastServed: () => allocators.lastLeaseCommand,
  }) }), (f) => f.close());
  // Background failures are logged once the app (and its logger) exists.
  let onError: (e: unknown) => void = () => undefined;
  const errors = { report: (e: unknown) => onError(e), to: (f: (e: unknown) => void) => { onError = f; } };
  const registrations = yield* resource(() => new Registrations({
    db: background, store: backgroundStore, vault: vault.through(background), accounts, allocators, flows, providers, onError: errors.report,
    readModels: waits, settings: { heartbeatMs: config.ROSTER_HEARTBEAT_MS, flowTimeoutMs: config.ROSTER_FLOW_TIMEOUT_MS, fetchBatch: config.ROSTER_JOB_FETCH_BATCH },
  }), (r) => r.close());
  const upkeep = {
    // A provider's rate holds across nodes: its slots are reserved where the rate limits count.
    store, vault, accounts, allocators, flows, providers, buckets: new ProviderBuckets(providerPaceOn(limits.store)), onError: errors.report,
    settings: {
      refreshWindowMs: config.ROSTER_REFRESH_WINDOW_MS, flowTimeoutMs: config.ROSTER_FLOW_TIMEOUT_MS, probeIntervalMs: config.ROSTER_PROBE_INTERVAL_MS,
      upkeepConcurrency: config.ROSTER_UPKEEP_CONCURRENCY,
    },
  };
  const refresher = new Refresher(upkeep);
  const prober = new Prober(upkeep);
  const replenisher = new Replenisher({
    db, store, allocators, providers, registrations, readModels: waits, settings: { jobStallAfterMs: config.ROSTER_JOB_STALL_MS },
  });
  const tokens = yield* resource(async () => {
    const t = new AdminTokens(db, { connectionString: options.databaseUrl });
    await t.start();
    return t;
  }, (t) => t.close());
  // Ended sessions leave the read model after the retention, a bounded number a round.
  const retention = config.ROSTER_SESSION_RETENTION_MS;
  const prune = () => retention && pruneEndedSessions(background, new Date(Date.now() - retention), 50_000);
  // Responses outlive their upstream's keeping (30 days): their accounts are forgotten.
  const keptObjects = new PgKeptObjects(db);
  const forgetResponses = () => keptObjects.prune(new Date(Date.now() - RESPONSE_RETENTION_MS));
  // The gateway's request log keeps its rows the days set (none kept at 0).
  const requestLog = config.ROSTER_GATEWAY_REQUEST_LOG_DAYS ? new RequestLog(db) : undefined;
  const forgetRequests = () => requestLog?.prune(config.ROSTER_GATEWAY_REQUEST_LOG_DAYS);
  const guard = new AuthGuard(limits, {
    failsPerIp: config.ROSTER_LOGIN_FAILS_PER_IP, failsPerAccount: config.ROSTER_LOGIN_FAILS_PER_ACCOUNT, windowSeconds: config.ROSTER_LOGIN_FAIL_WINDOW_S,
  });
  const users = {
    store, passwords: new Passwords(db), access: new AccessTokens(db, options.masterKey), refresh: new RefreshTokens(db, options.masterKey),
    outbox: new MailOutbox(db, options.masterKey), guard,
    openLimits: new OpenLimits(limits, {
      mailRequestsPerIp: config.ROSTER_MAIL_REQUESTS_PER_IP, mailsPerAddress: config.ROSTER_MAILS_PER_ADDRESS,
      lookupsPerIp: config.ROSTER_LOOKUPS_PER_IP, windowSeconds: config.ROSTER_OPEN_LIMIT_WINDOW_S,
    }),
    settings: { requireVerified: config.ROSTER_REQUIRE_VERIFIED_EMAIL, codeTtlMs: config.ROSTER_CODE_TTL_MS },
  };
  const quotas = new Quotas(limits, new Budgets(db), slots);
  const gatewaySettings = {
    routes: gatewayJson(GatewayRoutes, 'ROSTER_GATEWAY_ROUTES', config.ROSTER_GATEWAY_ROUTES),
    prices: gatewayJson(GatewayPrices, 'ROSTER_GATEWAY_PRICES', config.ROSTER_GATEWAY_PRICES),
    defaultRoutes: gatewayJson(DefaultRoutes, 'ROSTER_GATEWAY_DEFAULT_ROUTES', config.ROSTER_GATEWAY_DEFAULT_ROUTES),
    retries: config.ROSTER_GATEWAY_RETRIES, maxInFlight: config.ROSTER_GATEWAY_MAX_IN_FLIGHT, claimTtlMs: config.ROSTER_GATEWAY_CLAIM_TTL_MS,
  };
  // Usage counted in memory is appended once more, and claims are released, when the service stops (after the gateway closes).
  const gateway = yield* resource(() => new GatewayCore({ store, vault, accounts, allocators, days, useOn: (day) => accountUseOn(db, day), kept: keptObjects,
    ...(requestLog ? { requests: requestLog } : {}),
  }, gatewaySettings, store), (g) => g.stop());
  // The routes set through the API are in effect before the gateway listens (then followed).
  const routes = yield* Effect.promise(() => loadRoutes(store));
  gateway.useLogged(routes.state, routes.revision);
  const upstreams = yield* resource(() => new Upstreams(providers, {
    timeoutMs: config.ROSTER_GATEWAY_TIMEOUT_MS, strip: config.ROSTER_GATEWAY_STRIP_HEADERS.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
  }), (u) => u.close());
  const callers = { ...users, tokens, keys: new ApiKeySecrets(db), quotas, keyCache: new KeyCache(config.ROSTER_KEY_CACHE_MS) };
  // Batches, runs and background responses no client read finished have their tokens counted by the leader.
  const lateUsage = new LateUsageSweeper({ gateway, upstreams, allocators, quotas, callers, onError: errors.report }, { afterMs: config.ROSTER_LATE_USAGE_AFTER_MS, batch: 50 });
  const scheduler = yield* resource(
    () => new Scheduler(db, [() => refresher.scan(), () => prober.scan(), () => replenisher.tick(), prune, forgetResponses, forgetRequests, () => lateUsage.scan()], errors.report), (s) => s.stop(),
  );
  const services: Services = {
    feed: newFeedStats(), db, store, accounts, allocators, vault, tokens, users, callers, quotas, gateway, upstreams, routeChecks: new RouteChecks({ allocators, accounts, gateway, upstreams }), providers, flows, registrations, refresher, prober, replenisher, lateUsage, days, readModels: waits,
    settings: {
      defaultPool: config.ROSTER_DEFAULT_POOL, readyMaxLagMs: config.ROSTER_READY_MAX_LAG_MS,
      feedMaxBacklogBytes: config.ROSTER_FEED_MAX_BACKLOG_BYTES, feedMaxPerCaller: config.ROSTER_FEED_MAX_PER_CALLER, feedHealthIntervalMs: config.ROSTER_FEED_HEALTH_INTERVAL_MS, compatLoopbackOpen: config.ROSTER_COMPAT_LOOPBACK_OPEN,
      accountsPerRequest: config.ROSTER_ACCOUNTS_PER_REQUEST,
      docsPublic: config.ROSTER_DOCS_PUBLIC, jobStallAfterMs: config.ROSTER_JOB_STALL_MS, requestTimeoutMs: config.ROSTER_REQUEST_TIMEOUT_MS, maxConnections: config.ROSTER_MAX_CONNECTIONS,
      trustProxy: trustProxyOf(config.ROSTER_TRUST_PROXY) as TrustProxy,
      // Without a trailing slash, so that `/v1` follows it.
      gateway: { ...(config.ROSTER_GATEWAY_PUBLIC_URL ? { publicUrl: config.ROSTER_GATEWAY_PUBLIC_URL.replace(/\/+$/, '') } : {}) },
    },
  };
  return { services, flows, from, routes, scheduler, errors };
}));

const HttpLive = Layer.scoped(Http, Effect.gen(function* () {
  const { config, options } = yield* Settings;
  const { services, errors } = yield* Core;
  const app = yield* resource(() => buildApp(services, { logger: options.logger ?? { level: config.ROSTER_LOG_LEVEL } }), (a) => a.close());
  errors.to((err) => app.log.error({ err }, 'background work failed'));
  return { app };
}));

/** The background work as fibers of the service's scope: interrupted on stop, before the server closes. */
const BackgroundLive = Layer.scopedDiscard(Effect.gen(function* () {
  const { config } = yield* Settings;
  const { services, from, routes, scheduler, errors } = yield* Core;
  const { app } = yield* Http;
  const { db, store, allocators, registrations } = services;
  const report = (what: string) => (err: unknown) => app.log.error({ err }, `${what} failed; retrying`);
  const runner = new ProjectionRunner(db, store, readModels, {
    minIntervalMs: config.ROSTER_PROJECTION_INTERVAL_MS, pause: (ms, signal, since, reached) => services.readModels.pause(ms, signal, since, reached),
  });
  // Both restart themselves after a failure (keepRunningUntil inside): the fiber only carries their signal.
  yield* Effect.forkScoped(untilInterrupted((signal) => runner.run(signal, report('projections'))));
  yield* Effect.forkScoped(untilInterrupted((signal) => allocators.follow(from, signal, report('log tail'), [routesFollower(store, services.gateway, routes), services.gateway.usageFollower()])));
  yield* Effect.forkScoped(every(config.ROSTER_REAPER_INTERVAL_MS, () => allocators.reap(report('reaper')), report('reaper')));
  yield* Effect.forkScoped(every(config.ROSTER_HEARTBEAT_MS, () => registrations.adopt(), errors.report));
  yield* Effect.forkScoped(every(config.ROSTER_SCHEDULER_INTERVAL_MS, () => scheduler.tick(), errors.report));
  yield* Effect.forkScoped(every(config.ROSTER_GATEWAY_FLUSH_MS, () => services.gateway.meter.flush(), report('gateway usage')));
  const requests = services.gateway.requests;
  if (requests) yield* Effect.forkScoped(every(config.ROSTER_GATEWAY_FLUSH_MS, () => requests.flush(), report('gateway request log')));
  // Claims last at most their pool's longest lease: upkeep at least once a second keeps short ones too.
  yield* Effect.forkScoped(every(Math.min(1000, Math.round(config.ROSTER_GATEWAY_CLAIM_TTL_MS / 6)), () => services.gateway.keepClaims(), report('gateway claims')));
  if (config.ROSTER_SMTP_URL) {
    const transport = yield* resource(() => smtpTransport(config.ROSTER_SMTP_URL!), (t) => t.close());
    const mailer = new Mailer(services.users.outbox, transport, {
      from: config.ROSTER_MAIL_FROM, retryBaseMs: config.ROSTER_MAIL_RETRY_MS, retryMaxMs: 3_600_000, batch: 10,
    });
    yield* Effect.forkScoped(every(config.ROSTER_MAIL_INTERVAL_MS, () => mailer.drain(), report('mail')));
  }
}));

/** The default pool and the first admin token, then the server listens. */
const ListeningLive = Layer.scoped(Listening, Effect.gen(function* () {
  const { config, options } = yield* Settings;
  const { services } = yield* Core;
  const { app } = yield* Http;
  yield* Effect.promise(() => createPool(services.store, config.ROSTER_DEFAULT_POOL, options.defaultPool ?? { name: 'Default pool' }, systemContext('boot')).catch((e) => {
    if (!(e instanceof DomainError && e.code === 'pool_exists')) throw e;
  }));
  const created = yield* Effect.promise(() => services.tokens.ensureAdmin(config.ROSTER_ADMIN_TOKEN));
  const url = yield* Effect.promise(() => app.listen({ host: config.ROSTER_HOST, port: config.ROSTER_PORT }));
  const gateway = yield* resource(() => buildGateway(services, {
    logger: app.log, trustProxy: services.settings.trustProxy, docsPublic: services.settings.docsPublic, bodyLimit: config.ROSTER_GATEWAY_BODY_LIMIT, uploads: { limit: config.ROSTER_GATEWAY_UPLOAD_LIMIT, memory: config.ROSTER_GATEWAY_UPLOAD_MEMORY },
  }), (g) => g.close());
  const gatewayUrl = yield* Effect.promise(() => gateway.listen({ host: config.ROSTER_HOST, port: config.ROSTER_GATEWAY_PORT }));
  // The port it got (0 asks for any), for the address the console shows.
  services.settings.gateway = { ...services.settings.gateway, port: Number(new URL(gatewayUrl).port) };
  return { url, gatewayUrl, adminToken: created?.token };
}));

/** Every layer, each given what it needs. */
const RosterLive = ListeningLive.pipe(
  Layer.provideMerge(BackgroundLive),
  Layer.provideMerge(HttpLive),
  Layer.provideMerge(CoreLive),
  Layer.provideMerge(StoresLive),
  Layer.provideMerge(DatabasesLive),
);

/**
 * Starts Roster on a PostgreSQL database: migrations, event store, read-model runners,
 * allocators with their log tail and reaper, the default pool, and the HTTP server.
 *
 * @example
 * const roster = await startRoster(config, { databaseUrl, masterKey });
 * console.log(roster.url);
 */
export async function startRoster(config: Config, options: StartOptions): Promise<Roster> {
  const scope = Effect.runSync(Scope.make());
  const stop = () => run(Scope.close(scope, Exit.void));
  try {
    const context = await run(Layer.buildWithScope(RosterLive.pipe(Layer.provide(Layer.succeed(Settings, { config, options }))), scope));
    const { url, gatewayUrl, adminToken } = Context.get(context, Listening);
    return { app: Context.get(context, Http).app, services: Context.get(context, Core).services, flows: Context.get(context, Core).flows, url, gatewayUrl, adminToken, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
