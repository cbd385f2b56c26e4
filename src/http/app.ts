import cookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Span } from '@opentelemetry/api';
import type { CommandContext } from '../commands/context.ts';
import type { FlowsStatus } from '../commands/work.ts';
import { SpanKind, startSpan, traceIds, traceparentOf, tracesRecorded } from '../telemetry.ts';
import type { EventStore } from '../store/port.ts';
import type { SecretVault } from '../store/secrets.ts';
import type { AccountIndex } from '../projections/account-index.ts';
import type { ReadModelWaits } from '../projections/waits.ts';
import type { Allocators } from '../commands/allocators.ts';
import type { UsageDays } from '../commands/allocator.ts';
import type { Prober } from '../workers/prober.ts';
import type { Providers } from '../workers/providers/registry.ts';
import type { Refresher } from '../workers/refresher.ts';
import type { Registrations } from '../workers/registration.ts';
import type { Replenisher } from '../workers/replenisher.ts';
import type { LateUsageSweeper } from '../workers/late-usage.ts';
import type { AdminTokens } from '../store/tokens.ts';
import type { SignInDeps } from '../commands/sign-in.ts';
import { identify, type Caller, type CallerDeps } from '../commands/callers.ts';
import type { Quotas } from '../commands/quotas.ts';
import type { GatewayCore } from '../commands/gateway.ts';
import type { Upstreams } from '../workers/upstream.ts';
import type { RouteChecks } from '../workers/route-check.ts';
import type { SignedIn, UserSettings } from '../commands/users.ts';
import type { MailDeps } from '../commands/user-mail.ts';
import type { Role } from '../domain/user.ts';
import { problemHandler } from './problem.ts';
import { RequestLogger } from './request-logger.ts';
import { withRequestSerializer } from './log-redaction.ts';
import { assertSound, bearerOf, textHeader } from './text.ts';
import { DomainError, invalid } from '../domain/errors.ts';
import accountRoutes from './accounts.ts';
import authRoutes from './auth.ts';
import compatRoutes from './compat.ts';
import keyRoutes from './keys.ts';
import gatewayRoutes from './gateway-routes.ts';
import oauthRoutes from './oauth.ts';
import feedRoutes, { type FeedStats } from './feed.ts';
import healthRoutes from './health.ts';
import historyRoutes from './history.ts';
import metricsRoutes from './metrics.ts';
import poolRoutes from './pools.ts';
import registrationRoutes from './registration.ts';
import sessionRoutes from './sessions.ts';
import consoleRoutes, { CONSOLE_OPEN, isConsoleAsset, sessionTokenOf } from './console.ts';
import { lazyCompilers } from './lazy-schemas.ts';

export interface Settings {
  defaultPool: string;
  /** `/health/ready` answers 503 when the read models trail the log by more. */
  readyMaxLagMs: number;
  /** A feed client whose unsent backlog passes this many bytes is closed (code 4008). */
  feedMaxBacklogBytes: number;
  /** Feed connections one caller but an admin may hold open at once (on this node). */
  feedMaxPerCaller: number;
  feedHealthIntervalMs: number;
  /** Lets loopback clients use the existing account-pool API without a token. Off by default. */
  compatLoopbackOpen: boolean;
  accountsPerRequest: number;
  /** A registration job's default `stallAfterMs`. */
  jobStallAfterMs: number;
  /** `/docs` (the OpenAPI description and its UI) answers without a token. */
  docsPublic: boolean;
  /** The longest a client may take to send a whole request (headers and body). */
  requestTimeoutMs: number;
  /** Open connections this node accepts at most; more are refused at once. */
  maxConnections: number;
  /** The proxies whose `X-Forwarded-For` names the client (its IP counts toward the per-IP limits). */
  trustProxy?: boolean | string[];
  /** Where clients reach the gateway: its port once it listens, and the address a proxy gives it (`ROSTER_GATEWAY_PUBLIC_URL`, without a trailing slash). */
  gateway?: { port?: number; publicUrl?: string };
}

/** The flow pool as routes see it. */
interface FlowsStatusSource {
  status(): FlowsStatus;
}

/** Everything a route may call. */
export interface Services {
  db: pg.Pool;
  store: EventStore;
  vault: SecretVault;
  accounts: AccountIndex;
  allocators: Allocators;
  tokens: AdminTokens;
  /** Everything that tells who calls: tokens, users, keys, the guard and the quotas. */
  callers: CallerDeps;
  /** The callers' limits: per-minute rates, budgets. */
  quotas: Quotas;
  /** The gateway's core: routes, account choice, usage meter. */
  gateway: GatewayCore;
  upstreams: Upstreams;
  /** Checks of a route's pools against their upstreams' model lists. */
  routeChecks: RouteChecks;
  /** Roster's users: passwords, codes, sign-in sessions. */
  users: SignInDeps & MailDeps & { settings: UserSettings };
  providers: Providers;
  flows: FlowsStatusSource;
  registrations: Registrations;
  refresher: Refresher;
  prober: Prober;
  replenisher: Replenisher;
  /** Counts the tokens of batches, runs and background responses no client read finished. */
  lateUsage: LateUsageSweeper;
  days: UsageDays;
  /** Waits, bounded, for the read models to reach a position (read your own writes). */
  readModels: ReadModelWaits;
  settings: Settings;
  feed: FeedStats;
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

declare module 'fastify' {
  interface FastifyRequest {
    ctx: CommandContext;
    /** Who called: a user signed in with an access token or through an API key; none for an admin token or an open route. */
    user?: SignedIn;
    /** Who called, with a key's scopes and the caller's limits; undefined on open routes. */
    caller?: Caller;
    /** What the caller may do: an admin token is `admin`; a user has its role; open routes `anonymous`. */
    role: Role | 'anonymous';
    /** The request's server span. */
    span: Span;
  }
}

const OPEN = new Set([
  '/health', '/health/live', '/health/ready',
  // Signing in needs no token: these take a password or a refresh token.
  '/v1/auth/login', '/v1/auth/refresh', '/v1/auth/logout', '/v1/auth/register', '/v1/auth/verify', '/v1/auth/password-reset',
  '/v1/auth/password-reset/confirm', '/api/auth/login', '/api/auth/refresh', '/api/auth/logout', '/api/auth/check-username', '/oauth/token',
  ...CONSOLE_OPEN,
]);

/** Paths a `member` may call: its own sign-in and its own API keys. */
const MEMBER = /^\/(v1\/auth\/|api\/auth\/|v1\/keys(\/|$)|api\/api-keys(\/|$)|v1\/usage\/gateway$|v1\/gateway$|v1\/gateway\/requests$)/;
/** The lease API, which an API key may call whatever its user's role: allocate, renew, release, read its sessions. */
const LEASE = [
  { method: 'POST', path: /^\/v1\/pools\/[^/]+\/sessions(\/[^/]+\/(renew|release|outcomes))?$/ },
  { method: 'GET', path: /^\/v1\/pools\/[^/]+\/sessions(\/[^/]+)?$/ },
  { method: 'POST', path: /^\/api\/accounts\/(allocate|release)$/ },
  { method: 'GET', path: /^\/api\/accounts\/[^/]+$/ },
];
/** Paths no API key may call: a key does not sign in, sign out or make keys. */
const NOT_FOR_KEYS = /^\/(v1\/auth\/(?!me$)|api\/auth\/(?!me$)|v1\/keys(\/|$)|api\/api-keys(\/|$)|v1\/users(\/|$)|v1\/mail(\/|$))/;

/** The pool a path is about: `/v1/pools/{id}/…`, or the default pool for the existing account API. */
function poolIn(path: string, defaultPool: string): string | undefined {
  const native = /^\/v1\/pools\/([^/]+)/.exec(path);
  if (native) return decodeURIComponent(native[1]!);
  return path.startsWith('/api/accounts/') ? defaultPool : undefined;
}

/**
 * Why an API key may not call a route, or undefined when it may: not a route for keys; a
 * read-only key's change; a pool outside its scope; neither the lease API nor allowed to
 * its user's role.
 *
 * @example
 * keyRefusal(readOnlyKey, 'POST', '/v1/pools/default/sessions', 'default') // → 'the key is read-only'
 */
export function keyRefusal(key: Extract<Caller, { kind: 'key' }>, method: string, path: string, defaultPool: string): string | undefined {
  if (NOT_FOR_KEYS.test(path)) return `an API key may not call ${path}`;
  if (key.scopes.readOnly && method !== 'GET' && method !== 'HEAD') return 'the key is read-only';
  const pool = poolIn(path, defaultPool);
  if (pool !== undefined && key.scopes.pools !== null && !key.scopes.pools.includes(pool)) return `the key may not use pool ${pool}`;
  const lease = LEASE.some((r) => r.method === method && r.path.test(path));
  return lease || allowed(key.role, method, path) ? undefined : `the key of a ${key.role} may not ${method} ${path}`;
}
/** Paths only an `admin` may call: user administration and the mail outbox (which holds codes). */
const ADMIN = /^\/v1\/(users|mail)(\/|$)/;

/**
 * Whether a role may call a route: `admin` everything; `operator` everything but user
 * administration and the mail outbox; `viewer` reads the rest; `member` its own sign-in.
 *
 * @example
 * allowed('viewer', 'POST', '/v1/pools') // → false
 */
export function allowed(role: Role, method: string, path: string): boolean {
  if (role === 'admin') return true;
  if (ADMIN.test(path)) return false;
  if (role === 'operator') return true;
  if (MEMBER.test(path)) return true;
  return role === 'viewer' && (method === 'GET' || method === 'HEAD');
}

/** Ids a client may give in `X-Request-Id` / `X-Correlation-Id`: visible ASCII, bounded. */
const CLIENT_ID = /^[\x21-\x7e]{1,200}$/;
const clientId = (value: string | string[] | undefined) => (typeof value === 'string' && CLIENT_ID.test(value) ? value : undefined);

/** Refuses a bad `X-Request-Id` or `X-Correlation-Id` (they reach events' metadata). */
function checkIdHeaders(headers: Record<string, string | string[] | undefined>): void {
  const bad = ['x-request-id', 'x-correlation-id'].filter((h) => headers[h] !== undefined && !clientId(headers[h]));
  if (bad.length) throw invalid(bad.map((field) => ({ field, message: 'must be 1 to 200 visible ASCII characters' })));
}

/** True when the request is still to send a body that no handler will read. */
const hasBody = (headers: Record<string, string | string[] | undefined>) =>
  Number(headers['content-length'] ?? 0) > 0 || headers['transfer-encoding'] !== undefined;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Each request's server span and its `traceparent`, from the moment its logger is made. */
const serverSpans = new WeakMap<RawRequestDefaultExpression, { span: Span; traceparent: string | undefined }>();

/**
 * Builds the HTTP app: the native API under `/v1`, the existing account-pool API under
 * `/api/accounts`, health, and OpenAPI at `/docs`. Every route but health and (unless
 * turned off) the docs needs a bearer admin token.
 *
 * @example
 * const app = await buildApp(services, { logger: true });
 * await app.listen({ port: 8080 });
 */
export async function buildApp(services: Services, options: { logger?: boolean | object } = {}): Promise<App> {
  const logger = options.logger ?? false;
  const app = Fastify({
    // Request lines show a URL without a credential a client put into it.
    logger: logger === false ? false : withRequestSerializer(logger === true ? {} : logger),
    genReqId: (req) => clientId(req.headers['x-request-id']) ?? randomUUID(),
    // A client slower than this to send its request is cut off (408), authenticated or not.
    requestTimeout: services.settings.requestTimeoutMs,
    trustProxy: services.settings.trustProxy ?? false,
    // A path fastify cannot decode (`%E0%A4%A`) is refused as problem+json too.
    frameworkErrors: (error, req, reply) => problemHandler(error, req, reply),
    http: {
      headersTimeout: Math.min(services.settings.requestTimeoutMs, 10_000),
      connectionsCheckingInterval: Math.max(250, Math.min(services.settings.requestTimeoutMs / 4, 5000)),
    },
    // The server span starts with the request's child logger, so that the one child carries its ids.
    childLoggerFactory(logger, bindings, opts, raw) {
      const span = startSpan('HTTP', textHeader(raw.headers, 'traceparent'), {}, SpanKind.SERVER);
      const traceparent = traceparentOf(span);
      serverSpans.set(raw, { span, traceparent });
      return new RequestLogger(logger, () => ({ ...bindings, ...traceIds(traceparent) }), opts);
    },
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
    // Each route's schemas compiled at its first use, not all at start.
    schemaController: { compilersFactory: lazyCompilers() },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(problemHandler);
  // An empty JSON body is no body (clients of the existing API POST with none), not an error.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    (String(body).trim() === '' ? done(null, undefined) : json(request, String(body), done)));
  // Cookies are read before the authentication hook: the console's session is one.
  await app.register(cookie);
  app.decorateRequest('ctx', null as unknown as CommandContext);
  app.decorateRequest('span', null as unknown as Span);
  app.decorateRequest('user', undefined);
  app.decorateRequest('caller', undefined);
  app.decorateRequest('role', 'anonymous');
  app.addHook('onRequest', async (request, reply) => {
    // The request's id on every answer: the client's own when it sent a good one, else the one its log lines and events carry.
    reply.header('x-request-id', request.id);
    const path = request.url.split('?')[0]!;
    const route = request.routeOptions.url ?? path;
    const { span, traceparent } = serverSpans.get(request.raw)!;
    // A span not recorded keeps no name or attributes: none are made for it.
    request.span = tracesRecorded ? span.updateName(`${request.method} ${route}`).setAttributes({ 'http.request.method': request.method, 'http.route': route, 'url.path': path }) : span;
    let actor = 'anonymous';
    request.role = 'anonymous';
    if (!OPEN.has(path) && !isConsoleAsset(path) && !(services.settings.docsPublic && (path === '/docs' || path.startsWith('/docs/')))) {
      const open = services.settings.compatLoopbackOpen && path.startsWith('/api/accounts') && LOOPBACK.has(request.socket.remoteAddress ?? '');
      try {
        const caller: Caller = open && !request.headers.authorization
          ? { kind: 'admin', actor: 'loopback:compat', role: 'admin' }
          : await identify(services.callers, bearerOf(request.headers.authorization) ?? sessionTokenOf(request), request.ip);
        request.caller = caller;
        actor = caller.actor;
        request.role = caller.role;
        if (caller.kind !== 'admin') request.user = caller.user;
        const refusal = caller.kind === 'key' ? keyRefusal(caller, request.method, path, services.settings.defaultPool) : allowed(caller.role, request.method, path) ? undefined : `the ${caller.role} role may not ${request.method} ${path}`;
        if (refusal) throw new DomainError('forbidden', refusal);
      } catch (error) {
        // The refusal goes out at once; the body it will not read is not waited for.
        if (hasBody(request.headers)) reply.header('connection', 'close');
        throw error;
      }
    }
    checkIdHeaders(request.headers);
    request.ctx = {
      actor, requestId: request.id, correlationId: textHeader(request.headers, 'x-correlation-id') ?? request.id,
      ...(traceparent ? { traceparent } : {}),
    };
  });
  // A route whose body is optional (`Type.Optional`) takes a request with none as an empty one.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && (request.routeOptions.schema?.body as { '~optional'?: boolean } | undefined)?.['~optional']) request.body = {};
  });
  // Text PostgreSQL cannot store, and numbers that are not finite (which coerced schema
  // validation lets through), are refused before any handler runs: such text would fail an
  // append shared with other clients' requests.
  app.addHook('preHandler', async (request) => {
    assertSound([['body', request.body], ['query', request.query], ['params', request.params]]);
  });
  app.setNotFoundHandler((request) => {
    throw new DomainError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.span?.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) request.span?.setStatus({ code: 2 });
    request.span?.end();
    // A refused WebSocket upgrade: its socket is outside the HTTP server's bookkeeping, so
    // nothing else would close it (a leaked descriptor, and a server that never closes).
    if (request.headers.upgrade && reply.statusCode >= 400) request.raw.socket.destroy();
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Roster', version: '0.1.0', description: 'Pools of upstream accounts, leased to client sessions.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.server.maxConnections = services.settings.maxConnections;
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  healthRoutes(app, services);
  metricsRoutes(app, services);
  feedRoutes(app, services);
  historyRoutes(app, services);
  poolRoutes(app, services);
  accountRoutes(app, services);
  sessionRoutes(app, services);
  registrationRoutes(app, services);
  compatRoutes(app, services);
  authRoutes(app, services);
  keyRoutes(app, services);
  gatewayRoutes(app, services);
  oauthRoutes(app, services);
  await consoleRoutes(app, services);
  return app;
}
