/**
 * What one caller may consume: requests and tokens per minute (rate limits), gateway
 * requests under way at once, sessions held at once (checked by the pool's ledger as it
 * allocates), and a budget of units per period (reserved before, settled after). A key's
 * limits and its user's both apply.
 */
import { DomainError } from '../domain/errors.ts';
import { budgetPeriodOf, secondsLeftIn, tighter, type Allowances, type Limits } from '../domain/limits.ts';
import type { Budgets } from '../store/budgets.ts';
import type { RateLimits } from '../store/rate-limits.ts';
import type { RequestSlots } from '../store/request-slots.ts';

/** Whose limits apply: `key:{id}` or `user:{id}`, and what they are. */
export interface LimitScope {
  scope: string;
  limits: Limits;
}

/** Reserved budget, to settle once the request is done. */
export interface Reservation {
  scope: string;
  period: string;
  amount: number;
}

const tooMany = (what: string, retryAfterMs: number) => new DomainError('rate_limited', `${what} limit reached`, [], Math.max(1, Math.ceil(retryAfterMs / 1000)));

/**
 * @example
 * await quotas.admit(scopes);                         // 429 past a requests- or tokens-per-minute limit
 * const held = await quotas.reserve(scopes, 1);       // 429 when a budget would be passed
 * await quotas.settle(held, succeeded ? 1 : 0);
 * const done = await quotas.start(scopes);            // 429 past a limit of requests at once
 * await done();
 */
export class Quotas {
  constructor(private readonly limits: RateLimits, private readonly budgets: Budgets, private readonly slots: RequestSlots) {}

  /**
   * Counts a gateway request under way in each scope that limits them, or refuses it (429)
   * when one has its limit under way: the function to call when it ends.
   */
  async start(scopes: LimitScope[]): Promise<() => Promise<void>> {
    const taken: Array<() => Promise<void>> = [];
    const end = async () => void await Promise.all(taken.map((give) => give()));
    for (const { scope, limits } of scopes) {
      if (!limits.concurrentRequests) continue;
      const give = await this.slots.take(scope, limits.concurrentRequests).catch(async (error: unknown) => {
        await end();
        throw error;
      });
      if (!give) {
        await end();
        throw new DomainError('rate_limited', `${scope}: requests at once: limit of ${limits.concurrentRequests} reached`, [], 1);
      }
      taken.push(give);
    }
    return end;
  }

  /**
   * Counts one request against each scope's requests per minute, and refuses a scope whose
   * tokens per minute are spent: what is left of each, the tighter of the scopes'.
   */
  async admit(scopes: LimitScope[]): Promise<Allowances> {
    const left: Allowances = {};
    for (const { scope, limits } of scopes) {
      if (limits.requestsPerMinute) {
        const v = await this.limits.limiter('rpm', limits.requestsPerMinute, 60).consume(scope);
        if (!v.allowed) throw tooMany(`${scope}: requests per minute`, v.retryAfterMs);
        left.requests = tighter(left.requests, { limit: limits.requestsPerMinute, remaining: v.remaining, resetMs: v.resetMs });
      }
      if (limits.tokensPerMinute) {
        const v = await this.limits.limiter('tpm', limits.tokensPerMinute, 60).check(scope);
        if (!v.allowed) throw tooMany(`${scope}: tokens per minute`, v.retryAfterMs);
        left.tokens = tighter(left.tokens, { limit: limits.tokensPerMinute, remaining: v.remaining, resetMs: v.resetMs });
      }
    }
    return left;
  }

  /** Counts tokens used (after the fact) against each scope's tokens per minute. */
  async chargeTokens(scopes: LimitScope[], tokens: number): Promise<void> {
    for (const { scope, limits } of scopes) {
      if (limits.tokensPerMinute && tokens > 0) await this.limits.limiter('tpm', limits.tokensPerMinute, 60).charge(scope, tokens);
    }
  }

  /** Reserves `amount` in every scope that has a budget, or none (429 until the period ends). */
  async reserve(scopes: LimitScope[], amount: number, now = Date.now()): Promise<Reservation[]> {
    const held: Reservation[] = [];
    for (const { scope, limits } of scopes) {
      if (!limits.budget) continue;
      const period = budgetPeriodOf(limits.budget.period, now);
      if (!(await this.budgets.reserve(scope, period, amount, limits.budget.units))) {
        await this.settle(held, 0);
        throw new DomainError('budget_exhausted', `${scope}: the budget of ${limits.budget.units} units this ${limits.budget.period} is spent`, [], secondsLeftIn(limits.budget.period, now));
      }
      held.push({ scope, period, amount });
    }
    return held;
  }

  /**
   * Charges what was spent without a reservation (tokens counted after the request that
   * used them) to every scope with a budget, past its limit if it must be: it is spent.
   */
  async charge(scopes: LimitScope[], amount: number, now = Date.now()): Promise<void> {
    if (!(amount > 0)) return;
    for (const { scope, limits } of scopes) if (limits.budget) await this.budgets.charge(scope, budgetPeriodOf(limits.budget.period, now), amount);
  }

  /** Turns reservations into what was spent (0 gives them back). */
  async settle(held: Reservation[], spent: number): Promise<void> {
    await Promise.all(held.map((r) => this.budgets.settle(r.scope, r.period, r.amount, spent)));
  }

  /** What a scope has spent of its budget this period, or null when it has none. */
  async budgetUsage(scope: LimitScope, now = Date.now()): Promise<{ period: string; units: number; spent: number; reserved: number } | null> {
    const budget = scope.limits.budget;
    if (!budget) return null;
    const period = budgetPeriodOf(budget.period, now);
    return { period, units: budget.units, ...(await this.budgets.usage(scope.scope, period)) };
  }
}
