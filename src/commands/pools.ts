import { DomainError } from '../domain/errors.ts';
import { poolDecider, type PoolConfigChanges } from '../domain/pool.ts';
import type { EventStore } from '../store/port.ts';
import type { Allocators } from './allocators.ts';
import type { CommandContext } from './context.ts';
import { runCommand } from './runner.ts';

/** A new pool's name and any configuration it does not take from the defaults. */
export type PoolSetup = PoolConfigChanges & { name: string };

/**
 * Creates a pool. (Configuring goes through the pool's allocator, the ledger's writer: `configurePool`.)
 *
 * @example
 * await createPool(store, 'staging', { name: 'Staging users', minSize: 10 }, ctx);
 */
export async function createPool(store: EventStore, poolId: string, config: PoolSetup, ctx: CommandContext) {
  const created = await runCommand(store, `pool-${poolId}`, poolDecider, { type: 'CreatePool', poolId, config, now: Date.now() }, ctx);
  if (!created.state.config) throw new DomainError('pool_not_found', `pool ${poolId} was not created`);
  return { ...created, config: created.state.config };
}

/**
 * Changes a pool's configuration, through its allocator (the writer of the pool's stream).
 *
 * @example
 * await configurePool(allocators, 'staging', { minSize: 20 }, ctx);
 */
export async function configurePool(allocators: Allocators, poolId: string, changes: PoolConfigChanges, ctx: CommandContext) {
  const allocator = await allocators.get(poolId);
  const { position, state } = await allocator.submit({ type: 'ConfigurePool', poolId, changes }, ctx);
  if (!state.config) throw new DomainError('pool_not_found', `pool ${poolId} does not exist`);
  return { poolId, config: state.config, position };
}
