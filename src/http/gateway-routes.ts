import { Type } from 'typebox';
import { removeRoute, setRoute } from '../commands/gateway-routes.ts';
import { positioned } from '../commands/runner.ts';
import { DomainError } from '../domain/errors.ts';
import { Nullable } from '../domain/events.ts';
import { GatewayRoute, ModelPrice, resolveRoute } from '../domain/gateway.ts';
import { upstreamOutcomes } from '../projections/gateway-usage.ts';
import type { App, Services } from './app.ts';
import { readModelsAt } from './consistency.ts';
import { answers, Id, Position, PositionText } from './schemas.ts';

const Day = Type.String({ format: 'date', description: 'a usage day, YYYY-MM-DD' });

const RouteView = Type.Object({
  model: Type.String({ description: 'the name clients ask for; usage is counted under it' }),
  aliases: Type.Array(Type.String()),
  upstreamModel: Type.String(),
  pools: Type.Array(Type.Object({ poolId: Type.String(), weight: Type.Number(), priority: Type.Integer(), upstreamModel: Type.String({ description: 'the model\'s name at this pool\'s upstream' }) })),
  price: Nullable(ModelPrice),
  source: Type.Union([Type.Literal('config'), Type.Literal('api')], { description: 'config: ROSTER_GATEWAY_ROUTES (fixed); api: set through this API' }),
});
const ModelName = Type.Object({ model: Type.String({ minLength: 1, maxLength: 200, description: 'the route\'s name (URL-encoded)' }) });
const PoolCheckView = Type.Object({
  poolId: Type.String(), upstreamModel: Type.String(), accountId: Nullable(Type.String({ description: 'the account that asked' })),
  result: Type.Union([Type.Literal('listed'), Type.Literal('not_listed'), Type.Literal('failed'), Type.Literal('unchecked')], {
    description: 'listed: the upstream lists the model; not_listed: it answered without it; failed: no model list came; unchecked: nothing to ask with',
  }),
  status: Nullable(Type.Integer({ description: 'the upstream\'s status' })), latencyMs: Nullable(Type.Integer()), detail: Type.String(),
});
const CheckedRoute = Type.Object({ model: Type.String(), pools: Type.Array(PoolCheckView) });
const RouteBody = Type.Object({ ...GatewayRoute.properties, price: Type.Optional(Nullable(ModelPrice)) }, { additionalProperties: false });

const OutcomeView = Type.Object({
  poolId: Type.String(), accountId: Type.String(), login: Nullable(Type.String()), model: Type.String(), day: Type.String(),
  tries: Type.Integer(), failures: Type.Integer(), errorRate: Type.Number({ description: 'failures / tries' }),
  rateLimited: Type.Integer({ description: 'failures the upstream answered 429' }), timeouts: Type.Integer({ description: 'failures that timed out' }),
  otherFailures: Type.Integer({ description: 'the rest: 5xx, refused connections or credentials, streams broken off' }),
});

const RequestView = Type.Object({
  seq: Type.Integer({ description: 'the row\'s place in the log: `before` of the next page' }),
  requestId: Type.String({ description: 'the `x-roster-request-id` the client was answered, the `reqId` of the log line' }),
  at: Type.String({ format: 'date-time', description: 'when the request came' }),
  userId: Type.String(), keyId: Type.String(), method: Type.String(), path: Type.String({ description: 'the path asked for, without the query' }),
  model: Nullable(Type.String()), poolId: Nullable(Type.String({ description: 'null for a member' })), accountId: Nullable(Type.String({ description: 'the account of the last try; null for a member' })),
  status: Type.Integer(), outcome: Type.String({ description: 'the status, or `client_closed`, `failed_mid_stream`' }), tries: Type.Integer(),
  inputTokens: Nullable(Type.Integer()), outputTokens: Nullable(Type.Integer()), estimated: Type.Boolean(), spend: Nullable(Type.Number()),
  durationMs: Type.Integer(), upstreamRequestId: Nullable(Type.String({ description: 'the upstream\'s own id of the request' })),
});
const RequestQuery = Type.Object({
  requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'the `x-roster-request-id` a client was answered' })),
  userId: Type.Optional(Type.String({ format: 'uuid', description: 'one user\'s requests (a member sees only its own)' })),
  keyId: Type.Optional(Type.String({ format: 'uuid' })), model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  pool: Type.Optional(Id), account: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'from this instant (inclusive)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'up to this instant (exclusive)' })),
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'the `next` of the page before' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
}, { additionalProperties: false });

/**
 * Where a client reaches the gateway: `ROSTER_GATEWAY_PUBLIC_URL`, else the host the caller
 * reached this API by, at the gateway's port; null while the gateway does not listen.
 *
 * @example
 * gatewayAddress({ port: 8081 }, 'http', 'roster.internal') // → 'http://roster.internal:8081'
 */
export function gatewayAddress(gateway: Services['settings']['gateway'], protocol: string, hostname: string | undefined): string | null {
  if (gateway?.publicUrl) return gateway.publicUrl;
  return gateway?.port && hostname ? `${protocol}://${hostname}:${gateway.port}` : null;
}

/**
 * The gateway as operators and clients read it on the API's port: where clients reach it;
 * its routes, as operators read and change them: those in configuration
 * (`ROSTER_GATEWAY_ROUTES`, `ROSTER_GATEWAY_PRICES`; fixed) and those set through the API
 * (events of the log), and checked against their upstreams' model lists; each upstream
 * account's tries and failures per model and day (the usage read model); and the request
 * log.
 */
export default function gatewayRoutes(app: App, s: Services): void {
  const tags = ['gateway'];
  app.get('/v1/gateway', {
    schema: {
      tags, description: 'Where clients reach the gateway, with a Roster API key (members may read it too)',
      response: answers({
        200: Type.Object({
          baseUrl: Nullable(Type.String({ description: 'for OpenAI\'s SDKs (`baseURL`): the address and `/v1`; null while the gateway does not listen' })),
          anthropicBaseUrl: Nullable(Type.String({ description: 'for Anthropic\'s SDKs, which add `/v1` themselves' })),
        }),
      }),
    },
  }, async (req) => {
    const address = gatewayAddress(s.settings.gateway, req.protocol, req.host ? req.hostname : undefined);
    return { baseUrl: address && `${address}/v1`, anthropicBaseUrl: address };
  });
  const view = (model: string, route: GatewayRoute, price: ModelPrice | null) => ({
    ...resolveRoute({ [model]: route }, model)!, aliases: route.aliases ?? [], price,
    source: s.gateway.settings.routes[model] ? 'config' as const : 'api' as const,
  });
  app.get('/v1/gateway/routes', { schema: { tags, response: answers({ 200: Type.Object({ items: Type.Array(RouteView) }) }) } }, async () => {
    const { routes, prices } = s.gateway;
    return { items: Object.entries(routes).map(([model, route]) => view(model, route, prices[model] ?? null)) };
  });
  app.put('/v1/gateway/routes/:model', {
    schema: {
      tags, params: ModelName, body: RouteBody,
      description: 'Makes or replaces a route (and its price) that is not in configuration; in effect on this node at once, on the others within the log tail\'s delay.',
      response: answers({ 200: Type.Object({ ...RouteView.properties, position: Type.Optional(PositionText) }) }),
    },
  }, async (req) => {
    const { price, ...route } = req.body;
    const { position } = await setRoute(s, req.params.model, route, price ?? null, req.ctx);
    return { ...view(req.params.model, route, price ?? null), ...positioned(position) };
  });
  app.delete('/v1/gateway/routes/:model', { schema: { tags, params: ModelName, response: answers({ 204: Type.Null() }) } }, async (req, reply) => {
    await removeRoute(s, req.params.model, req.ctx);
    return reply.code(204).send(null);
  });

  app.post('/v1/gateway/routes/:model/check', {
    schema: {
      tags, params: ModelName, response: answers({ 200: CheckedRoute }),
      description: 'Asks each pool\'s upstream for its model list (`GET /v1/models`, no tokens spent) through its active accounts the gateway could use now, up to three until one answers: is the pool\'s upstream model on it?',
    },
  }, async (req) => (await s.routeChecks.check([s.gateway.route(req.params.model)]))[0]!);
  app.post('/v1/gateway/routes/check', {
    schema: {
      tags, response: answers({ 200: Type.Object({ items: Type.Array(CheckedRoute) }) }),
      description: 'Checks every route as `POST /v1/gateway/routes/{model}/check` does, each pool asked once',
    },
  }, async () => ({ items: await s.routeChecks.check(Object.keys(s.gateway.routes).map((model) => s.gateway.route(model))) }));

  app.get('/v1/gateway/requests', {
    schema: {
      tags, description: 'The requests the gateway forwarded, newest first, kept `ROSTER_GATEWAY_REQUEST_LOG_DAYS` days (written within `ROSTER_GATEWAY_FLUSH_MS`)',
      querystring: RequestQuery, response: answers({ 200: Type.Object({ items: Type.Array(RequestView), next: Type.Optional(Type.Integer()) }) }),
    },
  }, async (req) => {
    const log = s.gateway.requests;
    if (!log) throw new DomainError('not_found', 'the gateway keeps no request log (ROSTER_GATEWAY_REQUEST_LOG_DAYS=0)');
    const { pool, account, userId, ...q } = req.query;
    const member = req.role === 'member';
    const found = await log.list({ ...q, ...(pool ? { poolId: pool } : {}), ...(account ? { accountId: account } : {}), ...(member ? { userId: req.user!.userId } : userId ? { userId } : {}) });
    // A member learns nothing of the pools and accounts behind the gateway.
    return member ? { ...found, items: found.items.map((r) => ({ ...r, poolId: null, accountId: null })) } : found;
  });

  app.get('/v1/gateway/upstreams', {
    schema: {
      tags,
      querystring: Type.Object({
        pool: Type.Optional(Id), model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
        from: Type.Optional(Day), to: Type.Optional(Day), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }), position: Position,
      }, { additionalProperties: false }),
      response: answers({ 200: Type.Object({ items: Type.Array(OutcomeView) }) }),
    },
  }, async (req) => {
    const { position, pool, ...q } = req.query;
    await readModelsAt(s, position);
    const items = await upstreamOutcomes(s.db, { ...q, ...(pool ? { poolId: pool } : {}) });
    return { items: items.map((o) => ({ ...o, errorRate: o.tries ? o.failures / o.tries : 0, otherFailures: o.failures - o.rateLimited - o.timeouts })) };
  });
}
