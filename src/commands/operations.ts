import type { OperationEvent } from '../domain/operations.ts';
import type { EventStore } from '../store/port.ts';
import { toNewEvents, type CommandContext } from './context.ts';

/** Records what was asked of a pool, before it is acted on. */
function record(store: EventStore, poolId: string, event: OperationEvent, ctx: CommandContext) {
  return store.append(`operations-${poolId}`, toNewEvents([event], ctx), 'any');
}

/**
 * Records an operator's request to refresh one account's credentials (`email`) or all of a pool's.
 *
 * @example
 * await recordRefreshRequest(store, 'p', { email: 'a@example.test', force: false }, ctx);
 */
export function recordRefreshRequest(store: EventStore, poolId: string, request: { email?: string; force: boolean }, ctx: CommandContext) {
  const at = new Date().toISOString();
  return record(store, poolId, { type: 'RefreshRequested', data: { poolId, ...(request.email ? { email: request.email } : {}), force: request.force, at } }, ctx);
}

/**
 * Records an operator's request to register `count` accounts for a pool (or up to its minimum).
 *
 * @example
 * await recordReplenishRequest(store, 'p', 5, ctx);
 */
export function recordReplenishRequest(store: EventStore, poolId: string, count: number | undefined, ctx: CommandContext) {
  const at = new Date().toISOString();
  return record(store, poolId, { type: 'ReplenishRequested', data: { poolId, ...(count ? { count } : {}), at } }, ctx);
}
