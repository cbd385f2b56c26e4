/**
 * Limits on what one user or one API key may consume: requests and tokens per minute,
 * gateway requests under way at once, sessions held at once, and a budget of units per day or month. A limit left out is no
 * limit. Users' limits are set by admins; a key's by its owner (under the user's own).
 */
import { Type, type Static } from 'typebox';

export const budgetPeriods = ['day', 'month'] as const;
export type BudgetPeriod = (typeof budgetPeriods)[number];

export const Limits = Type.Object({
  requestsPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
  tokensPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_000_000_000 })),
  /** Gateway requests under way at once (a stream until it ends), on every node together. */
  concurrentRequests: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  concurrentSessions: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  budget: Type.Optional(Type.Object({
    units: Type.Number({ minimum: 0, maximum: 1e15 }),
    period: Type.Enum(budgetPeriods),
  }, { additionalProperties: false })),
}, { additionalProperties: false });
export type Limits = Static<typeof Limits>;

/** What a caller has left of a per-minute limit, and when its minute ends. */
export interface Allowance {
  limit: number;
  remaining: number;
  resetMs: number;
}

/** What a request's caller has left of its requests and tokens per minute, where they are limited: the tighter of its key's and its user's. */
export interface Allowances {
  requests?: Allowance;
  tokens?: Allowance;
}

/**
 * The tighter of two allowances: the one with fewer left.
 *
 * @example
 * tighter({ limit: 60, remaining: 10, resetMs: 5000 }, { limit: 100, remaining: 3, resetMs: 9000 }) // → the second
 */
export const tighter = (a: Allowance | undefined, b: Allowance): Allowance => (a === undefined || b.remaining < a.remaining ? b : a);

/**
 * The period a budget counts in at `now` (UTC): `2026-12-03` for a day, `2026-12` for a month.
 *
 * @example
 * budgetPeriodOf('month', Date.parse('2026-12-03T10:00:00Z')) // → '2026-12'
 */
export function budgetPeriodOf(period: BudgetPeriod, now: number): string {
  const iso = new Date(now).toISOString();
  return period === 'day' ? iso.slice(0, 10) : iso.slice(0, 7);
}

/** Seconds until the period that holds `now` ends (for `Retry-After` when a budget is spent). */
export function secondsLeftIn(period: BudgetPeriod, now: number): number {
  const d = new Date(now);
  const end = period === 'day'
    ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
    : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return Math.max(1, Math.ceil((end - now) / 1000));
}
