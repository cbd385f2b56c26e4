/**
 * Upkeep an operator asks for: credential refresh, replenishment and probes. Each checks
 * what it is asked, then hands the work to this node's worker. (Registration jobs: `jobs.ts`.)
 */
import { DomainError } from '../domain/errors.ts';
import type { AccountIndex } from '../projections/account-index.ts';
import type { Allocators } from './allocators.ts';
import type { CommandContext } from './context.ts';
import type { ProbeWork, RefreshWork, ReplenishWork } from './work.ts';

export interface UpkeepDeps {
  allocators: Allocators;
  accounts: AccountIndex;
  refresher: RefreshWork;
  replenisher: ReplenishWork;
  prober: ProbeWork;
}

/**
 * Refreshes one account's credentials (it must be of the pool) or all of the pool's now.
 *
 * @example
 * const results = await refreshCredentials(deps, 'p', { force: false }, ctx);
 */
export async function refreshCredentials(deps: UpkeepDeps, poolId: string, target: { accountId?: string; force: boolean }, ctx: CommandContext) {
  await deps.allocators.get(poolId);
  if (target.accountId && deps.accounts.find(target.accountId)?.state.poolId !== poolId) {
    throw new DomainError('account_not_found', `no account ${target.accountId} in pool ${poolId}`);
  }
  return deps.refresher.request(poolId, target, ctx);
}

/**
 * Registers accounts up to the pool's minimum, or `count` of them.
 *
 * @example
 * await replenishPool(deps, 'p', 5, ctx);
 */
export function replenishPool(deps: UpkeepDeps, poolId: string, count: number | undefined, ctx: CommandContext) {
  return deps.replenisher.replenish(poolId, count, ctx);
}

/**
 * Probes an account now, or soon (after a usage report).
 *
 * @example
 * await probeAccount(deps, accountId);
 */
export async function probeAccount(deps: UpkeepDeps, accountId: string, when: 'now' | 'soon' = 'now'): Promise<void> {
  if (when === 'soon') deps.prober.probeSoon(accountId);
  else await deps.prober.probe(accountId);
}
