/**
 * The gateway's rules: routes from a model name (or an alias) to pools and the upstream's
 * own model name, prices per model, and the usage batches a node records (stream
 * `gatewayusage-{nodeId}`), whose rows the usage read model sums.
 */
import { Type, type Static } from 'typebox';
import { defineEvent, eventSet, Instant, type EventsIn } from './events.ts';

export const GatewayRoute = Type.Object({
  /** Pools that serve the model, tried in order when one has no eligible account. */
  pools: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 32 }),
  /** The model's name upstream; the route's own name when left out. */
  upstreamModel: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  aliases: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 })),
}, { additionalProperties: false });
export type GatewayRoute = Static<typeof GatewayRoute>;

/** Model name → route. */
export const GatewayRoutes = Type.Record(Type.String({ minLength: 1, maxLength: 200 }), GatewayRoute);
export type GatewayRoutes = Static<typeof GatewayRoutes>;

/** Model name → price per million tokens, in budget units. */
export const GatewayPrices = Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.Object({
  inputPerMillion: Type.Number({ minimum: 0 }), outputPerMillion: Type.Number({ minimum: 0 }),
}, { additionalProperties: false }));
export type GatewayPrices = Static<typeof GatewayPrices>;

/** A route found for a model a client asked for. */
export interface ResolvedRoute {
  /** The route's name (the model as Roster knows it; usage is counted under it). */
  model: string;
  upstreamModel: string;
  pools: string[];
}

/**
 * The route of a model name or alias, or undefined.
 *
 * @example
 * resolveRoute({ 'gpt-small': { pools: ['demo'], upstreamModel: 'sandbox-small', aliases: ['small'] } }, 'small')
 * // → { model: 'gpt-small', upstreamModel: 'sandbox-small', pools: ['demo'] }
 */
export function resolveRoute(routes: GatewayRoutes, asked: string): ResolvedRoute | undefined {
  const direct = routes[asked];
  const [name, route] = direct ? [asked, direct] : Object.entries(routes).find(([, r]) => r.aliases?.includes(asked)) ?? [];
  return name && route ? { model: name, upstreamModel: route.upstreamModel ?? name, pools: route.pools } : undefined;
}

/** Tokens an answer used, and whether they were estimated (the upstream gave none). */
export interface TokenUsage {
  input: number;
  output: number;
  estimated: boolean;
}

/**
 * What tokens cost under the price table; a model without a price costs one unit per
 * thousand tokens, so that budgets still bind.
 *
 * @example
 * spendOf({ m: { inputPerMillion: 1, outputPerMillion: 2 } }, 'm', { input: 1e6, output: 1e6, estimated: false }) // → 3
 */
export function spendOf(prices: GatewayPrices, model: string, usage: Pick<TokenUsage, 'input' | 'output'>): number {
  const price = prices[model];
  if (!price) return (usage.input + usage.output) / 1000;
  return (usage.input * price.inputPerMillion + usage.output * price.outputPerMillion) / 1_000_000;
}

/** One row of a usage batch: what one key spent through one account on one model and day. */
export const UsageRow = Type.Object({
  keyId: Type.String(), userId: Type.String(), accountId: Type.String(), poolId: Type.String(), model: Type.String(), day: Type.String(),
  requests: Type.Integer(), failures: Type.Integer(), inputTokens: Type.Integer(), outputTokens: Type.Integer(), estimated: Type.Integer(), spend: Type.Number(),
});
export type UsageRow = Static<typeof UsageRow>;

export const GatewayUsageRecorded = defineEvent('GatewayUsageRecorded', Type.Object({ rows: Type.Array(UsageRow), at: Instant }));
export const gatewayEvents = eventSet(GatewayUsageRecorded);
export type GatewayEvent = EventsIn<typeof gatewayEvents>;

/** The key of a usage row: key, account, model and day. */
export const usageRowKey = (r: Pick<UsageRow, 'keyId' | 'accountId' | 'model' | 'day'>) => `${r.keyId}|${r.accountId}|${r.model}|${r.day}`;
