import { DomainError } from '../domain/errors.ts';
import type { RosterEvent } from '../domain/catalog.ts';
import type { EventStore, Position, RecordedEvent } from '../store/port.ts';
import { systemContext } from './context.ts';
import type { AccountIndex } from '../projections/account-index.ts';
import { poolIdOf } from '../projections/projection.ts';
import { PoolAllocator, type UsageDays, type WaitingLease } from './allocator.ts';
import { keepRunningUntil } from '../effect.ts';

/** The gateway's use of accounts on this node, as the allocators see it (each pool's `SharedUse`). */
export interface GatewayUse {
  inUse(accountId: string): boolean;
  waiting(poolId: string, leases: WaitingLease[]): void;
}

/** Another part of the node that follows streams of the log: those whose names start with `streamPrefix`. */
export interface LogFollower {
  streamPrefix: string;
  apply(event: RecordedEvent<RosterEvent>): Promise<void>;
}

/**
 * This node's allocators, one per pool, loaded on first use; the log tail that keeps the
 * account index current; and the reaper that expires overdue sessions.
 *
 * @example
 * const allocator = await allocators.get('default');
 */
export class Allocators {
  private readonly loaded = new Map<string, Promise<PoolAllocator>>();
  /** When (`performance.now()`) a client last asked to allocate, renew or release: how recently leases were served. */
  lastLeaseCommand = -Infinity;
  private shared: GatewayUse = { inUse: () => false, waiting: () => undefined };

  constructor(private readonly store: EventStore, readonly accounts: AccountIndex, readonly days?: UsageDays) {
    accounts.onChange((poolId, accountId) => void this.peek(poolId)?.then((a) => {
      a.accountChanged(accountId);
      a.kick();
    }, () => undefined));
    store.onAppended?.((stream, revision) => {
      if (stream.startsWith('pool-')) void this.peek(poolIdOf(stream))?.then((a) => a.noticed(revision), () => undefined);
    });
  }

  private peek(poolId: string): Promise<PoolAllocator> | undefined {
    return this.loaded.get(poolId);
  }

  /**
   * Tells the allocators which accounts serve gateway requests on this node, so that an
   * exclusive lease never overlaps that use (the gateway skips leased accounts in turn),
   * and tells the gateway when a pool's allocations wait.
   */
  shareWith(shared: GatewayUse): void {
    this.shared = shared;
  }

  /** The pool's allocator; `pool_not_found` when the pool does not exist. */
  async get(poolId: string): Promise<PoolAllocator> {
    let pending = this.loaded.get(poolId);
    if (!pending) {
      const allocator = new PoolAllocator(poolId, this.store, this.accounts, this.days, () => (this.lastLeaseCommand = performance.now()), {
        inUse: (id) => this.shared.inUse(id), waiting: (leases) => this.shared.waiting(poolId, leases),
      });
      pending = allocator.load().then((exists) => {
        if (!exists) throw new DomainError('pool_not_found', `pool ${poolId} does not exist`);
        return allocator;
      });
      this.loaded.set(poolId, pending);
      pending.catch(() => this.loaded.delete(poolId));
    }
    return pending;
  }

  /**
   * Follows account changes on the log from `from` into the index, and hands each event of
   * the streams `also` names to its follower (one subscription for all). (Allocators learn
   * other nodes' ledger writes from their own stream: on a conflict, and before serving
   * parked allocations.) Resubscribes from the last event seen after an error.
   */
  async follow(from: Position, signal: AbortSignal, onError: (e: unknown) => void = () => undefined, also: LogFollower[] = []): Promise<void> {
    let position = from;
    const streamPrefixes = ['account-', ...also.map((f) => f.streamPrefix)];
    await keepRunningUntil(signal, async (subscribed) => {
      for await (const event of this.store.subscribe({ from: position, signal: subscribed, filter: { streamPrefixes } })) {
        const other = also.find((f) => event.stream.startsWith(f.streamPrefix));
        if (other) await other.apply(event);
        else this.accounts.applyRecorded(event);
        // Only once applied: after a failure the subscription starts again at this event.
        position = event.position;
      }
    }, onError);
  }

  /**
   * One pass of the reaper over the pools loaded here: expires overdue sessions and
   * retries parked allocations (the service repeats it on a Schedule).
   */
  async reap(onError: (e: unknown) => void): Promise<void> {
    for (const pending of this.loaded.values()) {
      try {
        const allocator = await pending;
        this.accounts.refreshCandidates(allocator.poolId, Date.now());
        // Writes nothing when no session is overdue; the turn also retries parked allocations.
        await allocator.submit({ type: 'ExpireOverdue' }, systemContext('reaper'));
      } catch (error) {
        onError(error);
      }
    }
  }
}
