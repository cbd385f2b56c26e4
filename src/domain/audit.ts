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
 * Audits a pool's ledger event by event (in stream order, with their revisions): checks that
 * revisions are contiguous, that no account is leased while a live session holds it, that
 * fences rise per account, and that only live sessions are renewed, released or expired.
 * Keeps the ledger's state, not the events, so a caller may stream a long log through it.
 *
 * @example
 * const auditor = new LedgerAuditor();
 * for (const e of events) auditor.add(e);
 * auditor.finish().violations // → [] for a sound ledger
 */
export class LedgerAuditor {
  private readonly state = initialLedger();
  private readonly violations: string[] = [];
  private expected = 0;
  private allocated = 0;
  private released = 0;
  private expired = 0;

  add(e: RosterEvent & { revision: number }): void {
    const { state, violations } = this;
    if (e.revision !== this.expected) violations.push(`revision ${e.revision} where ${this.expected} was expected`);
    this.expected = e.revision + 1;
    if (!ledgerEvents.has(e)) return;
    const d = e.data;
    if (e.type === 'SessionAllocated') {
      for (const { accountId, fence } of e.data.leases) {
        const holder = state.leasedTo.get(accountId);
        if (holder) violations.push(`r${e.revision}: ${accountId} leased to ${d.sessionId} while live session ${holder} holds it`);
        const last = state.fences.get(accountId) ?? 0;
        if (fence <= last) violations.push(`r${e.revision}: fence ${fence} for ${accountId} not above ${last}`);
      }
      // A session id may be used again once its session has ended, never while it is live.
      if (state.sessions.get(d.sessionId)?.status === 'live') violations.push(`r${e.revision}: session ${d.sessionId} allocated while live`);
      this.allocated++;
    } else if (state.sessions.get(d.sessionId)?.status !== 'live') {
      violations.push(`r${e.revision}: ${e.type} for session ${d.sessionId}, which is not live`);
    } else if (e.type === 'SessionReleased') {
      this.released++;
    } else if (e.type === 'SessionExpired') {
      this.expired++;
    }
    evolveLedger(state, e);
  }

  /** The audit of what was added; `now` decides which live sessions are overdue. */
  finish(now = Date.now()): LedgerAudit {
    const sessions = [...this.state.sessions.values()];
    return {
      violations: this.violations, sessions: this.allocated, live: sessions.filter((s) => s.status === 'live').length,
      released: this.released, expired: this.expired,
      overdue: sessions.filter((s) => s.status === 'live' && s.expiresAt < now).map((s) => ({ sessionId: s.sessionId, expiresAt: s.expiresAt })),
      leased: new Set(this.state.fences.keys()),
    };
  }
}

/**
 * Replays a ledger's events and reports every broken invariant (see `LedgerAuditor`).
 *
 * @example
 * auditLedger(events).violations // → [] for a sound ledger
 */
export function auditLedger(events: Array<RosterEvent & { revision: number }>, now = Date.now()): LedgerAudit {
  const auditor = new LedgerAuditor();
  for (const e of events) auditor.add(e);
  return auditor.finish(now);
}
