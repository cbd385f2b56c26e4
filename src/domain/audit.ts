/**
 * Audit of a pool's ledger: replays its events and reports every broken invariant.
 * Pure: the caller reads the events.
 */
import type { RosterEvent } from './catalog.ts';
import { evolveLedger, initialLedger, ledgerEvents } from './ledger.ts';

export interface LedgerAudit {
  violations: string[];
  sessions: number;
  live: number;
  released: number;
  expired: number;
  /** Live sessions whose expiry has passed (the reaper has not recorded their end). */
  overdue: Array<{ sessionId: string; expiresAt: number }>;
  /** Every account the ledger ever leased. */
  leased: Set<string>;
}

/**
 * Replays ledger events (in stream order, with their revisions) and checks that revisions
 * are contiguous, that no account is leased while a live session holds it, that fences
 * rise per account, and that only live sessions are renewed, released or expired.
 *
 * @example
 * auditLedger(events).violations // → [] for a sound ledger
 */
export function auditLedger(events: Array<RosterEvent & { revision: number }>, now = Date.now()): LedgerAudit {
  const state = initialLedger();
  const violations: string[] = [];
  let expected = 0;
  let allocated = 0;
  let released = 0;
  let expired = 0;
  for (const e of events) {
    if (e.revision !== expected) violations.push(`revision ${e.revision} where ${expected} was expected`);
    expected = e.revision + 1;
    if (!ledgerEvents.has(e)) continue;
    const event = e;
    const d = event.data;
    if (event.type === 'SessionAllocated') {
      for (const { accountId, fence } of event.data.leases) {
        const holder = state.leasedTo.get(accountId);
        if (holder) violations.push(`r${e.revision}: ${accountId} leased to ${d.sessionId} while live session ${holder} holds it`);
        const last = state.fences.get(accountId) ?? 0;
        if (fence <= last) violations.push(`r${e.revision}: fence ${fence} for ${accountId} not above ${last}`);
      }
      // A session id may be used again once its session has ended, never while it is live.
      if (state.sessions.get(d.sessionId)?.status === 'live') violations.push(`r${e.revision}: session ${d.sessionId} allocated while live`);
      allocated++;
    } else if (state.sessions.get(d.sessionId)?.status !== 'live') {
      violations.push(`r${e.revision}: ${event.type} for session ${d.sessionId}, which is not live`);
    } else if (event.type === 'SessionReleased') {
      released++;
    } else if (event.type === 'SessionExpired') {
      expired++;
    }
    evolveLedger(state, event);
  }
  const sessions = [...state.sessions.values()];
  return {
    violations, sessions: allocated, live: sessions.filter((s) => s.status === 'live').length, released, expired,
    overdue: sessions.filter((s) => s.status === 'live' && s.expiresAt < now).map((s) => ({ sessionId: s.sessionId, expiresAt: s.expiresAt })),
    leased: new Set(state.fences.keys()),
  };
}
