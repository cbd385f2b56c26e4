/**
 * The free accounts of one pool in its strategy's order, kept up to date event by event, so
 * that choosing an account costs O(log n) whatever the pool's size (the allocator's working
 * set; the ledger stays the truth).
 *
 * An account is in the order while it is allocatable (active, no cooldown for every model)
 * and no live session holds it. Its key:
 * - `lru`: never-used accounts first (by id), then by when they were last allocated;
 * - `least_used`: by use count, then last use, then id;
 * - `round_robin`: by id; a walk starts after the ledger's cursor and wraps round;
 * - `random`: by the order the pool first saw the account; a walk starts at a uniformly
 *   random free account (a Fenwick tree finds the k-th) and wraps round.
 *
 * A view is the free order less the accounts a walk found unable to serve what it asks
 * (cooling down for a model, over its daily limit, out of credits): the allocator excludes
 * each such account from the view it walked, until a time or until the account changes, so
 * that the next walk of that view does not pass it again however many there are.
 *
 * `rank` in `domain/ledger.ts` is the reference: over the same accounts and ledger, a walk
 * yields the free ones in the same order (`test/unit/free-accounts.test.ts`).
 */
import { createRequire } from 'node:module';
import type * as sorted from 'sorted-btree';
import type { LedgerEvent, LedgerState } from '../domain/ledger.ts';
import type { Strategy } from '../domain/pool.ts';

// sorted-btree is CommonJS with its class on `exports.default`; loaded this way, Node and
// TypeScript agree on what the class is.
export const BTree: typeof sorted.default.default = createRequire(import.meta.url)('sorted-btree').default;
export type BTree<K, V> = InstanceType<typeof sorted.default.default<K, V>>;

/** [primary, secondary, accountId]. */
export type Key = readonly [number, number, string];

export const compareKeys = (a: Key, b: Key) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0);

/** Counts per slot, with prefix sums and "the k-th present slot" in O(log n). */
export class Fenwick {
  private tree = new Int32Array(1024);

  get capacity(): number {
    return this.tree.length - 1;
  }

  add(slot: number, delta: number): void {
    if (slot >= this.capacity) this.grow(slot);
    for (let i = slot + 1; i < this.tree.length; i += i & -i) this.tree[i]! += delta;
  }

  /** The slot holding the k-th (0-based) present element. */
  select(k: number): number {
    let pos = 0;
    let left = k;
    for (let step = 1 << Math.floor(Math.log2(this.capacity)); step > 0; step >>= 1) {
      const next = pos + step;
      if (next < this.tree.length && this.tree[next]! <= left) {
        pos = next;
        left -= this.tree[next]!;
      }
    }
    return pos;
  }

  private grow(slot: number): void {
    const counts = new Int32Array(this.capacity);
    for (let s = 0; s < counts.length; s++) counts[s] = this.prefix(s + 1) - this.prefix(s);
    let size = this.tree.length;
    while (size - 1 <= slot) size *= 2;
    this.tree = new Int32Array(size);
    counts.forEach((c, s) => c && this.add(s, c));
  }

  private prefix(n: number): number {
    let sum = 0;
    for (let i = n; i > 0; i -= i & -i) sum += this.tree[i]!;
    return sum;
  }
}

/**
 * The accounts of an order from the first key at or after `from` to the end, then, when
 * there is a `from`, from the start round to it: a walk that goes round once.
 */
export function* accountsFrom(order: BTree<Key, true>, from: Key | undefined): Generator<string> {
  for (const [key] of order.entries(from)) yield key[2];
  if (!from) return;
  for (const [key] of order.entries()) {
    if (compareKeys(key, from) >= 0) return;
    yield key[2];
  }
}

/**
 * The first `count` accounts of a walk.
 *
 * @example
 * firstOf(free.walk(ledger, 0), 8) // → the 8 accounts a pool leases next
 */
export function firstOf(walk: Iterable<string>, count: number): string[] {
  const first: string[] = [];
  for (const accountId of walk) {
    if (first.length === count) break;
    first.push(accountId);
  }
  return first;
}

/** What a filter asks of an account's region and capabilities, as tags. */
export function filterTags(filter: { region?: string; capabilities?: string[] } | undefined): string[] {
  if (!filter) return [];
  return [...(filter.region ? [`region:${filter.region}`] : []), ...(filter.capabilities ?? []).map((c) => `capability:${c}`)];
}

/** An account's region and capabilities, as tags. */
export function accountTags(account: { region: string | null; capabilities: readonly string[] }): string[] {
  return [...(account.region ? [`region:${account.region}`] : []), ...account.capabilities.map((c) => `capability:${c}`)];
}

/** A view no walk used for this long is dropped when another is made. */
const VIEW_IDLE_MS = 10 * 60_000;

/** The free order less the accounts excluded from it, and when the excluded come back. */
interface View {
  order: BTree<Key, true>;
  out: DueAccounts;
  used: number;
}

/** What a walk asks beyond its tags: the views it may walk, at `now`. */
export interface WalkOptions {
  tags?: readonly string[];
  /** Names of views (made on first use), e.g. `model:gpt-5@2026-12-05:1000` (the allocator names model, day and limit). */
  views?: readonly string[];
  now?: number;
}

/**
 * A pool's free accounts in strategy order, and for each region and capability the free
 * accounts that have it, in the same order (so that a filter walks only its accounts);
 * and views of the order that leave out the accounts found unable to serve a model.
 *
 * @example
 * const free = new FreeAccounts('lru', (id) => accountTags(index.find(id)!.candidate));
 * free.place('a', true, ledger);
 * [...free.walk(ledger, Math.random())] // → ['a']
 */
export class FreeAccounts {
  private order = new BTree<Key, true>(undefined, compareKeys);
  /** For each tag (`region:eu`, `capability:chat`), the free accounts with it. */
  private readonly tagged = new Map<string, BTree<Key, true>>();
  /** The key of each account in the order, and its tags. */
  private readonly keys = new Map<string, { key: Key; tags: readonly string[] }>();
  /** `lru`: each allocated account's place in allocation order (1, 2, …). */
  private readonly allocatedAt = new Map<string, number>();
  private allocations = 0;
  /** `random`: each account's slot, in the order the pool first saw it. */
  private readonly slots = new Map<string, number>();
  private readonly present = new Fenwick();
  private readonly views = new Map<string, View>();
  /** Exclusions asked for during the walk under way, applied when it ends. */
  private excluded: Array<{ view: View; accountId: string; until: number }> = [];

  constructor(private strategy: Strategy, private readonly tagsOf: (accountId: string) => readonly string[] = () => []) {}

  /** Orders the same accounts by another strategy. */
  reorder(strategy: Strategy, ledger: LedgerState): void {
    if (strategy === this.strategy) return;
    this.strategy = strategy;
    const ids = [...this.keys.keys()];
    for (const id of ids) this.take(id);
    for (const id of ids) this.put(id, ledger);
  }

  /** Takes the allocation order of a ledger folded without this order following it (`lru`). */
  seed(ledger: LedgerState): void {
    this.allocatedAt.clear();
    this.allocations = 0;
    for (const id of ledger.lastUsed.keys()) this.allocatedAt.set(id, ++this.allocations);
  }

  /** Puts an account in the order or takes it out: in when it is allocatable and no live session holds it. */
  place(accountId: string, allocatable: boolean, ledger: LedgerState): void {
    if (!this.slots.has(accountId)) this.slots.set(accountId, this.slots.size);
    this.take(accountId);
    if (allocatable && !ledger.leasedTo.has(accountId)) this.put(accountId, ledger);
  }

  /**
   * Follows a ledger event the allocator has just folded into `ledger`: leased accounts
   * leave the order, released and expired ones come back (`allocatable` says whether each
   * may). Pushes onto `undo`, when given, how to undo the allocation order it changed; the
   * caller places the accounts again after undoing the ledger. Returns the accounts.
   */
  follow(event: LedgerEvent, ledger: LedgerState, allocatable: (accountId: string) => boolean, undo?: Array<() => void>): string[] {
    if (event.type === 'SessionRenewed') return [];
    const ids = event.type === 'SessionAllocated' ? event.data.leases.map((l) => l.accountId) : event.data.accountIds;
    for (const id of ids) {
      if (event.type === 'SessionAllocated') {
        const previous = this.allocatedAt.get(id);
        this.allocatedAt.set(id, ++this.allocations);
        undo?.push(() => {
          this.allocations--;
          if (previous === undefined) this.allocatedAt.delete(id);
          else this.allocatedAt.set(id, previous);
        });
      }
      this.place(id, allocatable(id), ledger);
    }
    return ids;
  }

  /**
   * The free accounts with every one of `tags`, best first by the strategy, from the
   * smallest of the orders that hold them (the whole order, a tag's, a view's); lazily, so
   * that taking the first few costs O(log n) each. The order must not change while a walk
   * is under way.
   */
  *walk(ledger: LedgerState, random: number, { tags = [], views = [], now = Date.now() }: WalkOptions = {}): Generator<string> {
    this.excluded = [];
    let order = this.order;
    for (const tag of tags) {
      const sub = this.tagged.get(tag);
      if (!sub) return;
      if (sub.size < order.size) order = sub;
    }
    for (const name of views) {
      const view = this.viewOf(name, now).order;
      if (view.size < order.size) order = view;
    }
    if (order.size === 0) return;
    // Round-robin and random go round from a starting point: after the cursor, or at a
    // uniformly random free account (of all, so that a filter does not change the odds).
    const from: Key | undefined = this.strategy === 'round_robin' ? [0, 0, `${ledger.cursor}\u0000`]
      : this.strategy === 'random' ? [this.present.select(Math.floor(random * this.keys.size)), 0, ''] : undefined;
    try {
      yield* accountsFrom(order, from);
    } finally {
      for (const { view, accountId, until } of this.excluded) this.exclude(view, accountId, until);
      this.excluded = [];
    }
  }

  /**
   * Leaves an account the walk under way yielded out of the view `name` until `until`
   * (Infinity: until the account is placed again), once the walk ends.
   *
   * @example
   * for (const id of free.walk(ledger, 0, { views: ['model:m1'] })) if (cools(id, 'm1')) free.leaveOut('model:m1', id, coolsUntil(id));
   */
  leaveOut(name: string, accountId: string, until: number): void {
    const view = this.views.get(name);
    if (view) this.excluded.push({ view, accountId, until });
  }

  /** The view `name`, made from the order when first asked for, with the accounts due back by `now` put back. */
  private viewOf(name: string, now: number): View {
    let view = this.views.get(name);
    if (!view) {
      for (const [other, v] of this.views) if (now - v.used > VIEW_IDLE_MS) this.views.delete(other);
      view = { order: this.order.clone(), out: new DueAccounts(), used: now };
      this.views.set(name, view);
    }
    view.used = now;
    for (const id of view.out.takeDue(now)) {
      const entry = this.keys.get(id);
      if (entry) view.order.set(entry.key, true);
    }
    return view;
  }

  private exclude(view: View, accountId: string, until: number): void {
    const entry = this.keys.get(accountId);
    if (!entry) return;
    view.order.delete(entry.key);
    if (until !== Infinity) view.out.set(accountId, until);
  }

  private keyOf(accountId: string, ledger: LedgerState): Key {
    switch (this.strategy) {
      case 'lru': return [this.allocatedAt.get(accountId) ?? 0, 0, accountId];
      case 'least_used': return [ledger.useCount.get(accountId) ?? 0, ledger.lastUsed.get(accountId) ?? 0, accountId];
      case 'round_robin': return [0, 0, accountId];
      case 'random': return [this.slots.get(accountId)!, 0, accountId];
    }
  }

  private put(accountId: string, ledger: LedgerState): void {
    const key = this.keyOf(accountId, ledger);
    const tags = this.tagsOf(accountId);
    this.order.set(key, true);
    for (const tag of tags) {
      let sub = this.tagged.get(tag);
      if (!sub) this.tagged.set(tag, (sub = new BTree<Key, true>(undefined, compareKeys)));
      sub.set(key, true);
    }
    this.keys.set(accountId, { key, tags });
    this.present.add(this.slots.get(accountId)!, 1);
    // A changed account may serve again what a view left it out for: the next walk finds out.
    for (const view of this.views.values()) {
      view.out.delete(accountId);
      view.order.set(key, true);
    }
  }

  private take(accountId: string): void {
    const entry = this.keys.get(accountId);
    if (!entry) return;
    this.order.delete(entry.key);
    for (const tag of entry.tags) this.tagged.get(tag)?.delete(entry.key);
    for (const view of this.views.values()) view.order.delete(entry.key);
    this.keys.delete(accountId);
    this.present.add(this.slots.get(accountId)!, -1);
  }
}

/**
 * Accounts due back at a time (a cooldown's end), earliest first: taking the due ones costs
 * O(log n) each, and nothing while none is due.
 *
 * @example
 * const cooling = new DueAccounts();
 * cooling.set('a', Date.now() + 60_000);
 * cooling.takeDue(Date.now()) // → [] now, ['a'] a minute later
 */
export class DueAccounts {
  private readonly order = new BTree<Key, true>(undefined, compareKeys);
  private readonly keys = new Map<string, Key>();

  set(accountId: string, at: number): void {
    this.delete(accountId);
    const key: Key = [at, 0, accountId];
    this.order.set(key, true);
    this.keys.set(accountId, key);
  }

  delete(accountId: string): void {
    const key = this.keys.get(accountId);
    if (!key) return;
    this.order.delete(key);
    this.keys.delete(accountId);
  }

  /** The earliest time an account is due at, if any is. */
  first(): number | undefined {
    return this.order.minKey()?.[0];
  }

  /** Takes out and returns the accounts due at or before `now`. */
  takeDue(now: number): string[] {
    const due: string[] = [];
    for (let key = this.order.minKey(); key && key[0] <= now; key = this.order.minKey()) {
      this.delete(key[2]);
      due.push(key[2]);
    }
    return due;
  }
}
