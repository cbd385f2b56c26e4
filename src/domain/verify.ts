/**
 * Verification of the whole log: every stream replayed through its decider's `evolve`,
 * and the invariants checked. Pure: the caller reads the events.
 */
import { accountDecider, accountEvents } from './account.ts';
import { LedgerAuditor } from './audit.ts';
import type { RosterEvent } from './catalog.ts';
import type { Decider, DomainEvent } from './events.ts';
import { jobDecider } from './job.ts';

export type LogEvent = RosterEvent & { stream: string; revision: number };

export interface LogReport {
  events: number;
  streams: number;
  pools: number;
  accounts: number;
  jobs: number;
  sessions: { live: number; released: number; expired: number };
  violations: string[];
}

/** A stream as verification folds it: the next revision, and its decider's state while it replays. */
interface StreamFold {
  next: number;
  state?: unknown;
  failed?: boolean;
}

/**
 * Checks that each stream's revisions run 0, 1, 2… with no gap; that every account and
 * job stream folds without error and names its own id; that no account was leased to two
 * live sessions at once, fences rise and sessions end once (see `LedgerAuditor`); that a
 * pool leased only its own accounts; and that every lease is released, expired, or live
 * and not past its expiry by more than `graceMs`. Events are added in log order and only
 * each stream's state is kept, so memory grows with the streams, not the events.
 *
 * @example
 * const verifier = new LogVerifier();
 * for await (const page of pages) for (const e of page) verifier.add(e);
 * verifier.finish(Date.now(), 600_000).violations // → [] for a sound log
 */
export class LogVerifier {
  private readonly streams = new Map<string, StreamFold>();
  private readonly pools = new Map<string, LedgerAuditor>();
  private readonly poolOf = new Map<string, string>();
  private readonly violations: string[] = [];
  private events = 0;
  private accounts = 0;
  private jobs = 0;

  add(e: LogEvent): void {
    this.events++;
    if (e.stream.startsWith('pool-')) {
      // `LedgerAuditor` checks pool streams' revisions.
      let auditor = this.pools.get(e.stream);
      if (!auditor) this.pools.set(e.stream, (auditor = new LedgerAuditor()));
      auditor.add(e);
      return;
    }
    let fold = this.streams.get(e.stream);
    if (!fold) {
      this.streams.set(e.stream, (fold = { next: 0 }));
      if (e.stream.startsWith('account-')) this.accounts++;
      else if (e.stream.startsWith('registration-')) this.jobs++;
    }
    if (e.revision !== fold.next) this.violations.push(`${e.stream}: revision ${e.revision} where ${fold.next} was expected`);
    fold.next = e.revision + 1;
    const id = e.stream.slice(e.stream.indexOf('-') + 1);
    if (e.stream.startsWith('account-')) {
      if (!accountEvents.has(e) || e.data.accountId !== id) this.violations.push(`${e.stream} r${e.revision}: ${e.type} names another account`);
      this.replay(e, fold, accountDecider);
      const poolId = (fold.state as { poolId?: string } | undefined)?.poolId;
      if (poolId) this.poolOf.set(id, poolId);
      else this.poolOf.delete(id);
    } else if (e.stream.startsWith('registration-')) {
      this.replay(e, fold, jobDecider);
    }
  }

  /** Folds an event into its stream's state; a stream whose replay fails is reported once and folded no further. */
  private replay<S, C, E extends DomainEvent>(e: LogEvent, fold: StreamFold, decider: Decider<S, C, E>): void {
    if (fold.failed) return;
    try {
      const state = (fold.state as S | undefined) ?? decider.initial();
      fold.state = decider.events.has(e) ? decider.evolve(state, e) : state;
    } catch (error) {
      fold.failed = true;
      fold.state = undefined;
      this.violations.push(`${e.stream}: replay failed: ${(error as Error).message}`);
    }
  }

  /** The report of what was added: `now` and `graceMs` decide which live sessions are overdue. */
  finish(now: number, graceMs: number): LogReport {
    const violations = [...this.violations];
    const report: LogReport = {
      events: this.events, streams: this.streams.size + this.pools.size, pools: this.pools.size, accounts: this.accounts, jobs: this.jobs,
      sessions: { live: 0, released: 0, expired: 0 }, violations,
    };
    for (const [stream, auditor] of this.pools) {
      const poolId = stream.slice('pool-'.length);
      const audit = auditor.finish(now - graceMs);
      violations.push(...audit.violations.map((v) => `${stream} ${v}`));
      for (const s of audit.overdue) violations.push(`${stream}: session ${s.sessionId} live past its expiry (${new Date(s.expiresAt).toISOString()}) and never expired`);
      for (const accountId of audit.leased) if (this.poolOf.get(accountId) !== poolId) violations.push(`${stream}: leased ${accountId}, an account of ${this.poolOf.get(accountId) ?? 'no pool'}`);
      report.sessions.live += audit.live;
      report.sessions.released += audit.released;
      report.sessions.expired += audit.expired;
    }
    return report;
  }
}

/**
 * Verifies a whole log held in memory (see `LogVerifier`).
 *
 * @example
 * verifyLog(events, Date.now(), 600_000).violations // → [] for a sound log
 */
export function verifyLog(events: LogEvent[], now: number, graceMs: number): LogReport {
  const verifier = new LogVerifier();
  for (const e of events) verifier.add(e);
  return verifier.finish(now, graceMs);
}
