import { setTimeout as sleep } from 'node:timers/promises';
import { Gate } from '../effect.ts';
import type { ProviderPace } from '../store/provider-pace.ts';
import type { RequestSlots } from '../store/request-slots.ts';

/**
 * At most `size` holders at once across every node: this node's `Gate` first, then a place
 * in a scope of the shared `RequestSlots`, tried again (50 ms, doubling to a second, with
 * jitter) until one frees. A store that does not answer is waited out, not passed.
 *
 * @example
 * const gate = new SharedGate(4, slots, 'provider:corp');
 * await gate.run(() => flow()); // never more than 4 flows of corp at once, on all nodes
 */
export class SharedGate {
  private readonly local: Gate;

  constructor(private readonly size: number, private readonly slots: RequestSlots, private readonly scope: string) {
    this.local = new Gate(size);
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.local.run(async () => {
      const give = await this.place();
      try {
        return await work();
      } finally {
        await give().catch(() => undefined);
      }
    });
  }

  private async place(): Promise<() => Promise<void>> {
    for (let wait = 50; ; wait = Math.min(1000, wait * 2)) {
      const give = await this.slots.take(this.scope, this.size).catch(() => undefined);
      if (give) return give;
      // Unreferenced: a flow waiting here keeps no process from exiting, as one waiting at the local gate does not.
      await sleep(wait * (0.5 + Math.random() / 2), undefined, { ref: false });
    }
  }
}

/**
 * A token bucket: `ratePerSecond` tokens a second, holding at most `burst`. `take()`
 * waits a random jitter of up to `jitterMs` (so that callers released together do not
 * arrive together), then for a token.
 *
 * @example
 * const bucket = new TokenBucket(5, 5);
 * await bucket.take(signal);
 */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly ratePerSecond: number, private readonly burst: number, private readonly jitterMs = 0) {
    this.tokens = burst;
  }

  async take(signal?: AbortSignal): Promise<void> {
    // Jitter first, so that the bucket's spacing holds for the calls themselves.
    if (this.jitterMs) await sleep(Math.random() * this.jitterMs, undefined, { signal });
    // One taker at a time, in order: the bucket's arithmetic stays simple and fair.
    const turn = this.chain.then(async () => {
      const now = Date.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
      this.last = now;
      if (this.tokens < 1) {
        await sleep(((1 - this.tokens) / this.ratePerSecond) * 1000, undefined, { signal });
        this.tokens = 1;
        this.last = Date.now();
      }
      this.tokens -= 1;
    });
    this.chain = turn.catch(() => undefined);
    return turn;
  }
}

/**
 * Each provider's rate, for its refreshes and probes: with a `ProviderPace` (the service
 * has one, in PostgreSQL or Redis), shared by every node; without, a token bucket per
 * provider on this node.
 *
 * @example
 * const buckets = new ProviderBuckets(providerPaceOn(limits.store));
 * await buckets.take(spec, signal); // then the call
 */
export class ProviderBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly pace?: ProviderPace) {}

  /** Waits for the provider's next token (its `ratePerSecond` and `burst`), with jitter. */
  async take(spec: { id: string; limits: { ratePerSecond: number; burst: number } }, signal?: AbortSignal): Promise<void> {
    // 10% under the provider's rate: the upstream sees calls a thread dispatch later than
    // their tokens, and dispatch times vary; the headroom keeps its own count within the limit.
    const rate = spec.limits.ratePerSecond * 0.9;
    const jitterMs = Math.min(250, 1000 / spec.limits.ratePerSecond);
    if (this.pace) {
      await sleep(Math.random() * jitterMs, undefined, { signal });
      await sleep(await this.pace.reserve(spec.id, 1000 / rate, spec.limits.burst), undefined, { signal });
      return;
    }
    let bucket = this.buckets.get(spec.id);
    if (!bucket) this.buckets.set(spec.id, (bucket = new TokenBucket(rate, spec.limits.burst, jitterMs)));
    return bucket.take(signal);
  }
}

/**
 * One task in flight per key: a second call while the first runs gets the first's promise.
 *
 * @example
 * const refreshes = new SingleFlight<string, Result>();
 * await refreshes.run(accountId, () => refresh(accountId));
 */
export class SingleFlight<K, T> {
  private readonly running = new Map<K, Promise<T>>();

  has(key: K): boolean {
    return this.running.has(key);
  }

  run(key: K, work: () => Promise<T>): Promise<T> {
    let pending = this.running.get(key);
    if (!pending) {
      pending = work().finally(() => this.running.delete(key));
      this.running.set(key, pending);
    }
    return pending;
  }
}

/**
 * Work due for many keys, done at most `limit` at a time: `replace` hands over what is
 * due now (in order) and drops what was left of the last list, and each finished task
 * starts the next. What waits is a list of keys, so a backlog of 100,000 accounts holds
 * 100,000 strings, not 100,000 tasks each holding its credentials and a place in the
 * database pool's queue.
 *
 * @example
 * const probes = new Backlog(32, (id) => prober.probe(id));
 * probes.replace(dueAccountIds); // starts 32; the rest as those finish
 */
export class Backlog {
  private queue: string[] = [];
  private next = 0;
  private running = 0;

  constructor(private readonly limit: number, private readonly start: (key: string) => Promise<unknown>) {}

  /** Tasks under way now. */
  get size(): number {
    return this.running;
  }

  /** Keys waiting for a place. */
  get waiting(): number {
    return this.queue.length - this.next;
  }

  replace(keys: string[]): void {
    this.queue = keys;
    this.next = 0;
    this.pump();
  }

  private pump(): void {
    while (this.running < this.limit && this.next < this.queue.length) {
      const key = this.queue[this.next++]!;
      this.running++;
      void this.start(key).catch(() => undefined).finally(() => {
        this.running--;
        this.pump();
      });
    }
    if (this.next >= this.queue.length) {
      this.queue = [];
      this.next = 0;
    }
  }
}

/**
 * A `Backlog` per pool (or other group), so that one pool's long list does not hold up
 * another's work.
 *
 * @example
 * const refreshes = new Backlogs(32, (id) => refresher.refresh(id));
 * refreshes.of(poolId).replace(dueAccountIds);
 */
export class Backlogs {
  private readonly groups = new Map<string, Backlog>();

  constructor(private readonly limit: number, private readonly start: (key: string) => Promise<unknown>) {}

  of(group: string): Backlog {
    let backlog = this.groups.get(group);
    if (!backlog) this.groups.set(group, (backlog = new Backlog(this.limit, this.start)));
    return backlog;
  }

  /** Tasks under way now, over every group. */
  get size(): number {
    let n = 0;
    for (const backlog of this.groups.values()) n += backlog.size;
    return n;
  }
}
