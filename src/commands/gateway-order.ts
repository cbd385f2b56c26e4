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
 * the marked ones again before its next walk.
 */
import type { Strategy } from '../domain/pool.ts';
import { accountsFrom, BTree, compareKeys, Fenwick, firstOf, type Key } from './free-accounts.ts';

/** An account's rank in an order (lower first), or undefined when it is not in the order. */
export type Rank = (accountId: string) => readonly [number, number] | undefined;

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

  constructor(readonly strategy: Strategy, private readonly rank: Rank) {}

  /** Marks an account whose key or membership may have changed. */
  touch(accountId: string): void {
    this.stale.add(accountId);
  }

  /** Accounts in the order (after placing the marked ones). */
  get size(): number {
    this.settle();
    return this.keys.size;
  }

  /**
   * The accounts in order, lazily: from the start (`lru`, `least_used`), after `after`
   * (`round_robin`), or from the account at `random` ∈ [0, 1) of the order (`random`),
   * going round once. The order must not change while a walk is under way (`touch` only
   * marks).
   */
  *walk(start: { after?: string; random?: number }): Generator<string> {
    this.settle();
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

  private settle(): void {
    for (const accountId of this.stale) this.place(accountId);
    this.stale.clear();
  }

  private place(accountId: string): void {
    const known = this.keys.get(accountId);
    const rank = this.rank(accountId);
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
