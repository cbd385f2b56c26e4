/**
 * The gateway's rules: routes from a model name (or an alias) to pools and the upstream's
 * own model name, prices per model, and the usage batches a node records (stream
 * `gatewayusage-{nodeId}`), whose rows the usage read model sums.
 */
import { Type, type Static } from 'typebox';
import { defineEvent, eventSet, Instant, type EventsIn } from './events.ts';
import { isRecord } from './kept.ts';

/** A pool serving a route: by name, or with a weight and a priority. */
export const RoutePool = Type.Union([
  Type.String({ minLength: 1, maxLength: 64 }),
  Type.Object({
    pool: Type.String({ minLength: 1, maxLength: 64 }),
    /** Share of requests among pools of the same priority (default 1; 0: only when the others have no account). */
    weight: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })),
    /** Lower first: a pool is tried only when every pool of a lower priority has no eligible account (default 0). */
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
    /** This pool's upstream name for the model (the route's when left out): a pool of a later priority may serve another model. */
    upstreamModel: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  }, { additionalProperties: false }),
]);
export type RoutePool = Static<typeof RoutePool>;

export const GatewayRoute = Type.Object({
  /** Pools that serve the model: by priority, then by weight (a name alone: weight 1, priority 0). */
  pools: Type.Array(RoutePool, { minItems: 1, maxItems: 32 }),
  /** The model's name upstream; the route's own name when left out. */
  upstreamModel: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  aliases: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 })),
}, { additionalProperties: false });
export type GatewayRoute = Static<typeof GatewayRoute>;

/** Model name → route. */
export const GatewayRoutes = Type.Record(Type.String({ pattern: '^[\\s\\S]{1,200}$' }), GatewayRoute, { additionalProperties: false });
export type GatewayRoutes = Static<typeof GatewayRoutes>;

/**
 * A pass-through path (`/v1/moderations`) → the route a request to it that names no model
 * goes by, as LiteLLM's proxy takes `/moderations` without one.
 */
export const DefaultRoutes = Type.Record(Type.String({ pattern: '^/v1/[^?#]{1,196}$' }), Type.String({ minLength: 1, maxLength: 200 }), { additionalProperties: false });
export type DefaultRoutes = Static<typeof DefaultRoutes>;

const PerMillion = Type.Number({ minimum: 0, maximum: 1e12, description: 'budget units per million tokens' });

/**
 * What a model's tokens cost, per million, in budget units. Batch tokens (OpenAI's
 * batches, Anthropic's message batches) cost the batch prices, by default half the
 * others, as both upstreams bill them.
 */
export const ModelPrice = Type.Object({
  inputPerMillion: PerMillion, outputPerMillion: PerMillion,
  batchInputPerMillion: Type.Optional(PerMillion), batchOutputPerMillion: Type.Optional(PerMillion),
}, { additionalProperties: false });
export type ModelPrice = Static<typeof ModelPrice>;

/** Model name → price per million tokens, in budget units. */
export const GatewayPrices = Type.Record(Type.String({ pattern: '^[\\s\\S]{1,200}$' }), ModelPrice, { additionalProperties: false });
export type GatewayPrices = Static<typeof GatewayPrices>;

/** A pool of a resolved route. */
export interface WeightedPool {
  poolId: string;
  weight: number;
  priority: number;
  /** The model's name at this pool's upstream. */
  upstreamModel: string;
}

/** A route found for a model a client asked for. */
export interface ResolvedRoute {
  /** The route's name (the model as Roster knows it; usage is counted under it). */
  model: string;
  /** The model's name upstream, unless a pool names its own. */
  upstreamModel: string;
  pools: WeightedPool[];
}

/**
 * The route of a model name or alias, or undefined.
 *
 * @example
 * resolveRoute({ 'gpt-small': { pools: ['demo'], upstreamModel: 'sandbox-small', aliases: ['small'] } }, 'small')
 * // → { model: 'gpt-small', upstreamModel: 'sandbox-small', pools: [{ poolId: 'demo', weight: 1, priority: 0, upstreamModel: 'sandbox-small' }] }
 */
export function resolveRoute(routes: GatewayRoutes, asked: string): ResolvedRoute | undefined {
  const direct = routes[asked];
  const [name, route] = direct ? [asked, direct] : Object.entries(routes).find(([, r]) => r.aliases?.includes(asked)) ?? [];
  if (!name || !route) return undefined;
  const upstreamModel = route.upstreamModel ?? name;
  const pools = route.pools.map((p) => typeof p === 'string'
    ? { poolId: p, weight: 1, priority: 0, upstreamModel }
    : { poolId: p.pool, weight: p.weight ?? 1, priority: p.priority ?? 0, upstreamModel: p.upstreamModel ?? upstreamModel });
  return { model: name, upstreamModel, pools };
}

/**
 * The model's name at a pool's upstream: the pool's own, else the route's.
 *
 * @example
 * upstreamModelAt(resolveRoute({ chat: { pools: ['a', { pool: 'b', upstreamModel: 'mini' }] } }, 'chat')!, 'b') // → 'mini'
 */
export function upstreamModelAt(route: ResolvedRoute, poolId: string): string {
  return route.pools.find((p) => p.poolId === poolId)?.upstreamModel ?? route.upstreamModel;
}

/**
 * The order to try a route's pools in for one request: lower priority first; within a
 * priority, a weighted draw without replacement (a pool of weight 2 comes first twice as
 * often as one of weight 1). `random` gives numbers in [0, 1).
 *
 * @example
 * poolOrder([{ poolId: 'a', weight: 3, priority: 0 }, { poolId: 'b', weight: 1, priority: 0 }, { poolId: 'c', weight: 1, priority: 1 }], Math.random)
 * // → ['a', 'b', 'c'] three times in four, ['b', 'a', 'c'] otherwise
 */
export function poolOrder(pools: ReadonlyArray<Omit<WeightedPool, 'upstreamModel'>>, random: () => number): string[] {
  if (pools.length === 1) return [pools[0]!.poolId];
  // Efraimidis–Spirakis: each pool draws u^(1/weight); the largest goes first.
  const keyed = pools.map((p) => ({ p, key: p.weight > 0 ? Math.pow(random(), 1 / p.weight) : -1 }));
  keyed.sort((a, b) => a.p.priority - b.p.priority || b.key - a.key);
  return keyed.map((k) => k.p.poolId);
}

/** Tokens an answer used, and whether they were estimated (the upstream gave none). */
export interface TokenUsage {
  input: number;
  output: number;
  estimated: boolean;
}

/**
 * What tokens cost under the price table (a batch's at the batch prices); a model without
 * a price costs one unit per thousand tokens, so that budgets still bind.
 *
 * @example
 * spendOf({ m: { inputPerMillion: 1, outputPerMillion: 2 } }, 'm', { input: 1e6, output: 1e6, estimated: false }) // → 3
 * spendOf({ m: { inputPerMillion: 1, outputPerMillion: 2 } }, 'm', { input: 1e6, output: 1e6 }, true) // → 1.5
 */
export function spendOf(prices: GatewayPrices, model: string, usage: Pick<TokenUsage, 'input' | 'output'>, batch = false): number {
  const price = prices[model];
  if (!price) return (usage.input + usage.output) / 1000;
  const input = batch ? price.batchInputPerMillion ?? price.inputPerMillion / 2 : price.inputPerMillion;
  const output = batch ? price.batchOutputPerMillion ?? price.outputPerMillion / 2 : price.outputPerMillion;
  return (usage.input * input + usage.output * output) / 1_000_000;
}

/**
 * How long an upstream asks to be left alone, in seconds: `retry-after-ms` (as Azure's and
 * some OpenAI-compatible upstreams send it), else `Retry-After` as seconds or as an HTTP
 * date; undefined when it asks nothing usable.
 *
 * @example
 * retryAfterOf({ 'retry-after': '30' }, Date.now()) // → 30
 * retryAfterOf({ 'retry-after': 'Thu, 01 Jan 2026 00:01:00 GMT' }, Date.parse('2026-01-01T00:00:00Z')) // → 60
 */
export function retryAfterOf(headers: Record<string, string | string[] | undefined>, now: number): number | undefined {
  const first = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const ms = Number(first('retry-after-ms'));
  if (first('retry-after-ms') !== undefined && Number.isFinite(ms) && ms > 0) return ms / 1000;
  const given = first('retry-after')?.trim();
  if (!given) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(given) ? Number(given) : (Date.parse(given) - now) / 1000;
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/**
 * Whether an upstream's error says the account has no credits or quota left: 402; OpenAI's
 * 429 `insufficient_quota`; Anthropic's 400 "credit balance is too low". Another account
 * may serve the request, so the client never sees it.
 *
 * @example
 * saysNoCredits(429, '{"error":{"type":"insufficient_quota","code":"insufficient_quota"}}') // → true
 * saysNoCredits(429, '{"error":{"type":"rate_limit_error"}}') // → false
 */
export function saysNoCredits(status: number, body: string): boolean {
  if (status === 402) return true;
  if (status !== 429 && status !== 400) return false;
  let error: unknown;
  try {
    error = (JSON.parse(body) as { error?: unknown } | null)?.error;
  } catch {
    return false;
  }
  if (!isRecord(error)) return false;
  // The error's own fields, not text anywhere in it: an error may quote what the client sent.
  if (status === 429) return error.code === 'insufficient_quota' || error.type === 'insufficient_quota';
  return typeof error.message === 'string' && error.message.startsWith('Your credit balance is too low');
}

/** How long an account's answer for a model shows that it works, for `blamedFailure`. */
export const ANSWERED_SHOWS_HEALTHY_MS = 60_000;

/**
 * Whether a 5xx, timeout or broken connection counts against the account's cooldown rules
 * when the request failed on every account it tried, so that the request itself may be
 * what fails (some content makes an upstream fail). Not when the account answered another
 * request for the model within the last minute: it works, the request does not. Else only
 * the request's first failure counts, so that an outage still cools accounts.
 *
 * @example
 * blamedFailure({ first: true, answeredAt: undefined, now })      // → true: maybe an outage
 * blamedFailure({ first: true, answeredAt: now - 5_000, now })   // → false: it answered 5 s ago
 * blamedFailure({ first: false, answeredAt: undefined, now })     // → false: one failure a request
 */
export function blamedFailure({ first, answeredAt, now }: { first: boolean; answeredAt: number | undefined; now: number }): boolean {
  return first && (answeredAt === undefined || now - answeredAt > ANSWERED_SHOWS_HEALTHY_MS);
}

/** One row of a usage batch: what one key spent through one account on one model and day. */
export const UsageRow = Type.Object({
  keyId: Type.String(), userId: Type.String(), accountId: Type.String(), poolId: Type.String(), model: Type.String(), day: Type.String(),
  requests: Type.Integer(), failures: Type.Integer(), inputTokens: Type.Integer(), outputTokens: Type.Integer(), estimated: Type.Integer(), spend: Type.Number(),
  /** Of the failures, those the upstream answered 429, and those that timed out (absent in rows recorded before they were counted). */
  rateLimited: Type.Optional(Type.Integer()), timeouts: Type.Optional(Type.Integer()),
});
export type UsageRow = Static<typeof UsageRow>;

export const GatewayUsageRecorded = defineEvent('GatewayUsageRecorded', Type.Object({ rows: Type.Array(UsageRow), at: Instant }));
export const gatewayEvents = eventSet(GatewayUsageRecorded);
export type GatewayEvent = EventsIn<typeof gatewayEvents>;

/** The key of a usage row: key, account, model and day. */
export const usageRowKey = (r: Pick<UsageRow, 'keyId' | 'accountId' | 'model' | 'day'>) => `${r.keyId}|${r.accountId}|${r.model}|${r.day}`;
