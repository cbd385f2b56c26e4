import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Span } from '@opentelemetry/api';
import type { CommandContext } from '../commands/context.ts';
import { SpanKind, startSpan, traceIds, traceparentOf } from '../telemetry.ts';
import type { EventStore } from '../store/port.ts';
import type { SecretVault } from '../store/secrets.ts';
import type { AccountIndex } from '../workers/account-index.ts';
import type { Allocators } from '../workers/allocators.ts';
import type { UsageDays } from '../workers/allocator.ts';
import type { FlowPool } from '../workers/flows.ts';
import type { Prober } from '../workers/prober.ts';
import type { Providers } from '../workers/providers/registry.ts';
import type { Refresher } from '../workers/refresher.ts';
import type { Registrations } from '../workers/registration.ts';
import type { Replenisher } from '../workers/replenisher.ts';
import type { AdminTokens } from './auth.ts';
import { problemHandler } from './problem.ts';
import accountRoutes from './accounts.ts';
import compatRoutes from './compat.ts';
import feedRoutes, { type FeedStats } from './feed.ts';
import healthRoutes from './health.ts';
import historyRoutes from './history.ts';
import metricsRoutes from './metrics.ts';
import poolRoutes from './pools.ts';
import registrationRoutes from './registration.ts';
import upkeepRoutes from './upkeep.ts';
import sessionRoutes from './sessions.ts';

export interface Settings {
  defaultPool: string;
  /** `/health/ready` answers 503 when the read models trail the log by more. */
  readyMaxLagMs: number;
  /** A feed client whose unsent backlog passes this many bytes is closed (code 4008). */
  feedMaxBacklogBytes: number;
  feedHealthIntervalMs: number;
  /** Lets loopback clients use the existing account-pool API without a token. Off by default. */
  compatLoopbackOpen: boolean;
  consistencyWaitMs: number;
  accountsPerRequest: number;
}

/** Everything a route may call. */
export interface Services {
  db: pg.Pool;
  store: EventStore;
  vault: SecretVault;
  accounts: AccountIndex;
  allocators: Allocators;
  tokens: AdminTokens;
  providers: Providers;
  flows: FlowPool;
  registrations: Registrations;
  refresher: Refresher;
  prober: Prober;
  replenisher: Replenisher;
  days: UsageDays;
  settings: Settings;
  feed: FeedStats;
}

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

declare module 'fastify' {
  interface FastifyRequest {
    ctx: CommandContext;
    /** The request's server span. */
    span: Span;
  }
}

const OPEN = new Set(['/health', '/health/live', '/health/ready']);
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** Each request's server span and its `traceparent`, from the moment its logger is made. */
const serverSpans = new WeakMap<RawRequestDefaultExpression, { span: Span; traceparent: string | undefined }>();

/**
 * Builds the HTTP app: the native API under `/v1`, the existing account-pool API under
 * `/api/accounts`, health, and OpenAPI at `/docs`. Every route but health needs a bearer
 * admin token.
 *
 * @example
 * const app = await buildApp(services, { logger: true });
 * await app.listen({ port: 8080 });
 */
export async function buildApp(services: Services, options: { logger?: boolean | object } = {}): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: (req) => String(req.headers['x-request-id'] ?? randomUUID()),
    // The server span starts with the request's child logger, so that the one child carries its ids.
    childLoggerFactory(logger, bindings, opts, raw) {
      const header = raw.headers.traceparent;
      const span = startSpan('HTTP', typeof header === 'string' ? header : undefined, {}, SpanKind.SERVER);
      const traceparent = traceparentOf(span);
      serverSpans.set(raw, { span, traceparent });
      return logger.child({ ...bindings, ...traceIds(traceparent) }, opts);
    },
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setErrorHandler(problemHandler);
  app.decorateRequest('ctx', null as unknown as CommandContext);
  app.decorateRequest('span', null as unknown as Span);
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0]!;
    const route = request.routeOptions.url ?? path;
    const header = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : undefined);
    const { span, traceparent } = serverSpans.get(request.raw)!;
    request.span = span.updateName(`${request.method} ${route}`).setAttributes({ 'http.request.method': request.method, 'http.route': route, 'url.path': path });
    let actor = 'anonymous';
    if (!OPEN.has(path)) {
      const open = services.settings.compatLoopbackOpen && path.startsWith('/api/accounts') && LOOPBACK.has(request.socket.remoteAddress ?? '');
      actor = open && !request.headers.authorization ? 'loopback:compat' : await services.tokens.verify(request.headers.authorization);
    }
    request.ctx = {
      actor, requestId: request.id, correlationId: header('x-correlation-id') ?? request.id,
      ...(traceparent ? { traceparent } : {}),
    };
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
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });

  healthRoutes(app, services);
  metricsRoutes(app, services);
  feedRoutes(app, services);
  historyRoutes(app, services);
  poolRoutes(app, services);
  accountRoutes(app, services);
  sessionRoutes(app, services);
  registrationRoutes(app, services);
  upkeepRoutes(app, services);
  compatRoutes(app, services);
  return app;
}
