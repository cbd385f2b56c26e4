import { decidePool, evolvePool, initialPoolState, type PoolCommand, type PoolConfigChanges, type PoolEvent, type PoolState } from '../domain/pool.ts';
import type { EventStore } from '../store/port.ts';
import type { CommandContext } from './context.ts';
import { handle, type Decider } from './handle.ts';

const poolDecider: Decider<PoolState, PoolCommand, PoolEvent> = {
  initial: initialPoolState, decide: decidePool, evolve: evolvePool,
};

/** A new pool's name and any configuration it does not take from the defaults. */
export type PoolSetup = PoolConfigChanges & { name: string };

/**
 * Creates a pool. (Configuring goes through the pool's allocator, the ledger's writer.)
 *
 * @example
 * await createPool(store, 'staging', { name: 'Staging users', minSize: 10 }, ctx);
 */
export function createPool(store: EventStore, poolId: string, config: PoolSetup, ctx: CommandContext) {
  return handle(store, `pool-${poolId}`, poolDecider, { type: 'CreatePool', poolId, config, now: Date.now() }, ctx);
}
