import type { Outcome } from '../domain/account.ts';
import { DomainError, invalid } from '../domain/errors.ts';
import { authorise } from '../domain/ledger.ts';
import { usageDay } from '../domain/usage-day.ts';
import type { UsageDays } from './allocator.ts';
import { changeAccount, type AccountDeps } from './accounts.ts';
import type { CommandContext } from './context.ts';
import type { SessionDeps } from './sessions.ts';

export interface OutcomeReport {
  accountId: string;
  outcome: Outcome;
  model?: string;
  units?: number;
  retryAfterSeconds?: number;
  /** A 5xx or timeout the request may have caused (the gateway's, when it failed on every account): not counted toward the failure threshold. */
  unblamed?: boolean;
}

/**
 * Records what a lease holder saw when it used an account: the outcome, the model and the
 * units. The session's lease secret proves the holder; the account must be one of the
 * session's leases. A 429 or a burst of failures may cool the account down (the pool's
 * cooldown policy); the usage day follows the configured time zone and rollover.
 *
 * @example
 * await reportOutcome(deps, 'default', sessionId, leaseSecret, { accountId, outcome: 'rate_limited', retryAfterSeconds: 30 }, ctx);
 */
export async function reportOutcome(
  deps: SessionDeps & AccountDeps & { days: UsageDays }, poolId: string, sessionId: string, leaseSecret: string,
  report: OutcomeReport, ctx: CommandContext, holder?: string,
) {
  const allocator = await deps.allocators.get(poolId);
  let session = allocator.current.ledger.sessions.get(sessionId);
  if (!session) {
    await allocator.load(); // written by another node, perhaps
    session = allocator.current.ledger.sessions.get(sessionId);
  }
  const authorised = authorise(session, sessionId, deps.vault.fingerprint(leaseSecret), holder);
  if (authorised instanceof DomainError) throw authorised;
  if (!authorised.leases.some((l) => l.accountId === report.accountId)) {
    throw invalid([{ field: 'accountId', message: `is not leased to session ${sessionId}` }]);
  }
  return recordUsage(deps, poolId, sessionId, report, ctx);
}

/**
 * Records what one use of an account saw, under its pool's cooldown rules and usage day:
 * for a lease holder (checked by `reportOutcome`) and for the gateway (`sessionId` 'gateway').
 *
 * @example
 * await recordUsage(deps, 'default', 'gateway', { accountId, outcome: 'server_error', model: 'm' }, ctx);
 */
export async function recordUsage(
  deps: Pick<SessionDeps, 'allocators'> & AccountDeps & { days: UsageDays }, poolId: string, sessionId: string, report: OutcomeReport, ctx: CommandContext,
) {
  const allocator = await deps.allocators.get(poolId);
  return changeAccount(deps, {
    type: 'ReportUsage', accountId: report.accountId, sessionId, outcome: report.outcome, units: report.units ?? 0,
    ...(report.model ? { model: report.model } : {}),
    ...(report.retryAfterSeconds !== undefined ? { retryAfterMs: report.retryAfterSeconds * 1000 } : {}),
    ...(report.unblamed ? { unblamed: true } : {}),
    day: usageDay(Date.now(), deps.days.timeZone, deps.days.rollover), policy: allocator.current.config!.cooldown,
  }, ctx);
}
