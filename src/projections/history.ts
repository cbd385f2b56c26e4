import { DomainError } from '../domain/errors.ts';
import { holderAt, holdings, ledgerConcerns, stateAsOf } from '../domain/history.ts';
import type { EventStore, RecordedEvent } from '../store/port.ts';

/** An account's events: its own stream, and the events of its pool's ledger that concern it. */
export interface AccountEvents {
  accountId: string;
  poolId: string;
  own: RecordedEvent[];
  ledger: RecordedEvent[];
}

/** One entry of an account's timeline, with who caused it. */
export interface TimelineEntry {
  position: string;
  stream: string;
  revision: number;
  type: string;
  at: string;
  actor: string;
  correlationId: string;
  causationId?: string;
  requestId?: string;
  traceparent?: string;
  data: unknown;
}

/**
 * Reads an account's events from the store (not from read models, so the answer is the
 * log itself); `account_not_found` when it has none.
 */
export async function readAccountEvents(store: EventStore, accountId: string): Promise<AccountEvents> {
  const own = await store.readStream(`account-${accountId}`);
  const poolId = (own[0]?.data as { poolId?: string } | undefined)?.poolId;
  if (!poolId) throw new DomainError('account_not_found', `account ${accountId} does not exist`);
  const ledger = (await store.readStream(`pool-${poolId}`)).filter((e) => ledgerConcerns(e, accountId));
  return { accountId, poolId, own, ledger };
}

/** The account's events from both streams in log order, each with its audit metadata. */
export function timeline({ own, ledger }: AccountEvents): TimelineEntry[] {
  return [...own, ...ledger].sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0)).map((e) => ({
    position: e.position, stream: e.stream, revision: e.revision, type: e.type, at: e.recordedAt.toISOString(),
    actor: e.metadata.actor, correlationId: e.metadata.correlationId,
    ...(e.metadata.causationId ? { causationId: e.metadata.causationId } : {}),
    ...(e.metadata.requestId ? { requestId: e.metadata.requestId } : {}),
    ...(e.metadata.traceparent ? { traceparent: e.metadata.traceparent } : {}),
    data: e.data,
  }));
}

/**
 * The account as of `at`: its state (failure counts left out), who held it, and the
 * position of the last event that counts.
 *
 * @example
 * accountAsOf(await readAccountEvents(store, id), new Date('2026-12-01T12:00:00Z')).heldBy // → 'worker-7' or null
 */
export function accountAsOf(events: AccountEvents, at: Date) {
  const position = [...events.own, ...events.ledger].filter((e) => e.recordedAt <= at).map((e) => e.position).sort().at(-1) ?? null;
  const { failures: _failures, ...state } = stateAsOf(events.own, at);
  return { accountId: events.accountId, at: at.toISOString(), position, state, heldBy: holderAt(events.ledger, events.accountId, at) ?? null };
}

/** Every lease of the account: holder, session, from and until. */
export function accountHolders(events: AccountEvents) {
  return { accountId: events.accountId, items: holdings(events.ledger, events.accountId) };
}
