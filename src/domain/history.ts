/**
 * An account's history, folded from its events. Pure: the caller reads the events (its
 * own stream and its pool's ledger) and passes them in order.
 */
import { accountEvents, evolveAccount, initialAccountState, type AccountState } from './account.ts';
import type { RosterEvent } from './catalog.ts';
import { accountsOf, ledgerEvents } from './ledger.ts';

/** The part of a stored event the folds look at. */
export type PastEvent = RosterEvent & { stream: string; recordedAt: Date };

/** One lease of the account: who held it, from when, until when and how it ended. */
export interface Holding {
  sessionId: string;
  holder: string;
  from: string;
  /** When the lease ended, or for a live one when it expires. */
  until: string;
  end: 'released' | 'expired' | 'live';
}

/** True when the event is a ledger event that leases, renews, releases or expires the account. */
export function ledgerConcerns(event: RosterEvent, accountId: string): boolean {
  return ledgerEvents.has(event) && accountsOf(event).includes(accountId);
}

/**
 * The account's state as of an instant: its own events recorded up to then, folded.
 *
 * @example
 * stateAsOf(accountEvents, new Date('2026-11-21T10:00:00Z')).status // → 'active'
 */
export function stateAsOf(events: PastEvent[], at: Date): AccountState {
  let state = initialAccountState();
  for (const e of events) {
    if (e.recordedAt > at) break;
    if (accountEvents.has(e)) state = evolveAccount(state, e);
  }
  return state;
}

/**
 * Every lease of the account, in order, from its pool's ledger events. A lease still live
 * `until` its expiry; one whose expiry passed before the reaper recorded it ends then.
 */
export function holdings(ledger: PastEvent[], accountId: string, upTo?: Date): Holding[] {
  const out: Holding[] = [];
  let current: Holding | undefined;
  for (const e of ledger) {
    if (upTo && e.recordedAt > upTo) break;
    if (!ledgerEvents.has(e) || !accountsOf(e).includes(accountId)) continue;
    const event = e;
    if (event.type === 'SessionAllocated') {
      current = { sessionId: event.data.sessionId, holder: event.data.holder, from: event.data.at, until: event.data.expiresAt, end: 'live' };
      out.push(current);
    } else if (current && event.data.sessionId === current.sessionId) {
      if (event.type === 'SessionRenewed') current.until = event.data.expiresAt;
      else {
        current.end = event.type === 'SessionReleased' ? 'released' : 'expired';
        // An expiry recorded late still ended the lease at its expiry time.
        if (event.type === 'SessionReleased' || Date.parse(event.data.at) < Date.parse(current.until)) current.until = event.data.at;
        current = undefined;
      }
    }
  }
  return out;
}

/**
 * Who held the account at an instant: the lease taken before it and neither ended nor
 * past its expiry by then; undefined when no one did.
 *
 * @example
 * holderAt(ledgerEvents, accountId, new Date('2026-11-21T10:00:00Z'))?.holder // → 'load-test'
 */
export function holderAt(ledger: PastEvent[], accountId: string, at: Date): Holding | undefined {
  const last = holdings(ledger, accountId, at).at(-1);
  return last && last.end === 'live' && Date.parse(last.until) > at.getTime() ? last : undefined;
}
