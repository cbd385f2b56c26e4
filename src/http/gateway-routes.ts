import { Type } from 'typebox';
import { Nullable } from '../domain/events.ts';
import { resolveRoute } from '../domain/gateway.ts';
import { upstreamOutcomes } from '../projections/gateway-usage.ts';
import type { App, Services } from './app.ts';
import { readModelsAt } from './consistency.ts';
import { answers, Id, Position } from './schemas.ts';

const Day = Type.String({ format: 'date', description: 'a usage day, YYYY-MM-DD' });

const RouteView = Type.Object({
  model: Type.String({ description: 'the name clients ask for; usage is counted under it' }),
  aliases: Type.Array(Type.String()),
  upstreamModel: Type.String(),
  pools: Type.Array(Type.Object({ poolId: Type.String(), weight: Type.Number(), priority: Type.Integer() })),
  price: Nullable(Type.Object({ inputPerMillion: Type.Number(), outputPerMillion: Type.Number() })),
});

const OutcomeView = Type.Object({
  poolId: Type.String(), accountId: Type.String(), login: Nullable(Type.String()), model: Type.String(), day: Type.String(),
  tries: Type.Integer(), failures: Type.Integer(), errorRate: Type.Number({ description: 'failures / tries' }),
});

/**
 * What operators read of the gateway: its routes (configuration, `ROSTER_GATEWAY_ROUTES`
 * and `ROSTER_GATEWAY_PRICES`) and each upstream account's tries and failures per model
 * and day (the usage read model).
 */
export default function gatewayRoutes(app: App, s: Services): void {
  const tags = ['gateway'];
  app.get('/v1/gateway/routes', { schema: { tags, response: answers({ 200: Type.Object({ items: Type.Array(RouteView) }) }) } }, async () => {
    const { routes, prices } = s.gateway.settings;
    return {
      items: Object.entries(routes).map(([model, route]) => ({
        ...resolveRoute(routes, model)!, aliases: route.aliases ?? [], price: prices[model] ?? null,
      })),
    };
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
    return { items: items.map((o) => ({ ...o, errorRate: o.tries ? o.failures / o.tries : 0 })) };
  });
}
