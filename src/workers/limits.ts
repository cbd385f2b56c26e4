import { Effect } from 'effect';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../effect.ts';

/**
 * Bounded concurrency: at most `size` holders at once, in arrival order (Effect's Semaphore).
 *
 * @example
 * const gate = new Gate(4);
 * await gate.run(() => flow());
 */
export class Gate {
  private readonly semaphore: Effect.Semaphore;

  constructor(size: number) {
    this.semaphore = Effect.runSync(Effect.makeSemaphore(size));
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return run(this.semaphore.withPermits(1)(Effect.tryPromise({ try: work, catch: (error) => error })));
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

/** One token bucket per provider, shared by its refreshes and probes on this node. */
export class ProviderBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  /** Waits for the provider's next token (its `ratePerSecond` and `burst`), with jitter. */
  take(spec: { id: string; limits: { ratePerSecond: number; burst: number } }, signal?: AbortSignal): Promise<void> {
    let bucket = this.buckets.get(spec.id);
    if (!bucket) {
      // 10% under the provider's rate: the upstream sees calls a thread dispatch later than
      // their tokens, and dispatch times vary; the headroom keeps its own count within the limit.
      bucket = new TokenBucket(spec.limits.ratePerSecond * 0.9, spec.limits.burst, Math.min(250, 1000 / spec.limits.ratePerSecond));
      this.buckets.set(spec.id, bucket);
    }
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
