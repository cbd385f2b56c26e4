/**
 * One gateway pool's accounts in the order its strategy offers them, kept up to date as
 * accounts change, so that choosing an account costs O(log n) plus the accounts it skips
 * (tried, cooling, busy, over a limit), whatever the pool's size.
 *
 * Keys (ties by id):
 * - `lru`: when this node last gave the account a request (never first);
 * - `least_used`: requests it serves now, then requests it served today for the model
 *   (one order per model and day);
 * - `round_robin`: by id; a walk starts after the last account taken and goes round;
 * - `random`: in the order the pool first showed the account; a walk starts at a
 *   uniformly random account and goes round.
 *
 * The order does not read an account's state itself: the gateway marks an account
 * (`touch`) whenever what its key or membership depends on changes, and the order places
 * the marked ones again before its next walk. An account cooling down (for the order's
 * model) is out of the order until its cooldown ends, when the next walk places it again
 * unasked: a walk does not pass the accounts that cool, however many they are.
 */
import type { Strategy } from '../domain/pool.ts';
import { accountsFrom, BTree, compareKeys, DueAccounts, Fenwick, firstOf, type Key } from './free-accounts.ts';

/**
 * An account's rank in an order at `now` (lower first); `{ until }` when it is out of the
 * order until then (cooling down); undefined when it is out until it is marked again.
 */
export type Rank = (accountId: string, now: number) => readonly [number, number] | { until: number } | undefined;

/**
 * @example
 * const order = new GatewayOrder('lru', (id) => (active(id) ? [lastUsed(id), 0] : undefined));
 * for (const id of accountIds) order.touch(id);
 * order.walk({}).next().value // → the account given a request longest ago
 */
export class GatewayOrder {
  private readonly order = new BTree<Key, true>(undefined, compareKeys);
  private readonly keys = new Map<string, Key>();
  /** Accounts to place again before the next walk. */
  private readonly stale = new Set<string>();
  /** `random`: each account's slot, in the order the pool first showed it. */
  private readonly slots = new Map<string, number>();
  private readonly present = new Fenwick();
  /** Accounts out of the order until a time (cooling down), soonest first. */
  private readonly cooling = new DueAccounts();

  constructor(readonly strategy: Strategy, private readonly rank: Rank) {}

  /** Marks an account whose key or membership may have changed. */
  touch(accountId: string): void {
    this.stale.add(accountId);
  }

  /** When the first of the accounts out of the order for a cooldown comes back, if any is. */
  get soonest(): number | undefined {
    return this.cooling.first();
  }

  /**
   * The accounts in order, lazily: from the start (`lru`, `least_used`), after `after`
   * (`round_robin`), or from the account at `random` ∈ [0, 1) of the order (`random`),
   * going round once, at `now` (cooldowns ended by then are over). The order must not
   * change while a walk is under way (`touch` only marks).
   */
  *walk(start: { after?: string; random?: number; now?: number }): Generator<string> {
    this.settle(start.now ?? Date.now());
    if (this.keys.size === 0) return;
    const from: Key | undefined = this.strategy === 'round_robin' ? [0, 0, `${start.after ?? ''}\u0000`]
      : this.strategy === 'random' ? [this.present.select(Math.floor((start.random ?? 0) * this.keys.size)), 0, ''] : undefined;
    yield* accountsFrom(this.order, from);
  }

  /**
   * The first `count` accounts of a walk from `after` (what the strategy offers next, for
   * reading ahead); none for `random`, whose next start no one knows.
   */
  upcoming(count: number, after: string | undefined): string[] {
    return this.strategy === 'random' ? [] : firstOf(this.walk({ after }), count);
  }

  private settle(now: number): void {
    for (const accountId of this.cooling.takeDue(now)) this.stale.add(accountId);
    for (const accountId of this.stale) this.place(accountId, now);
    this.stale.clear();
  }

  private place(accountId: string, now: number): void {
    const known = this.keys.get(accountId);
    const ranked = this.rank(accountId, now);
    const rank = ranked && !('until' in ranked) ? ranked : undefined;
    if (ranked && 'until' in ranked) this.cooling.set(accountId, ranked.until);
    else this.cooling.delete(accountId);
    // A slot from the first time the account is shown, in the order or not.
    const slot = this.strategy === 'random' ? this.slotOf(accountId) : 0;
    const key: Key | undefined = !rank ? undefined
      : this.strategy === 'round_robin' ? [0, 0, accountId]
        : this.strategy === 'random' ? [slot, 0, accountId] : [rank[0], rank[1], accountId];
    if (known && key && compareKeys(known, key) === 0) return;
    if (known) {
      this.order.delete(known);
      this.keys.delete(accountId);
      if (this.strategy === 'random') this.present.add(slot, -1);
    }
    if (!key) return;
    this.order.set(key, true);
    this.keys.set(accountId, key);
    if (this.strategy === 'random') this.present.add(slot, 1);
  }

  private slotOf(accountId: string): number {
    let slot = this.slots.get(accountId);
    if (slot === undefined) this.slots.set(accountId, (slot = this.slots.size));
    return slot;
  }
}
