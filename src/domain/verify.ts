/**
 * Verification of the whole log: every stream replayed through its decider's `evolve`,
 * and the invariants checked. Pure: the caller reads the events.
 */
import { accountDecider, accountEvents } from './account.ts';
import { auditLedger } from './audit.ts';
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

/**
 * Checks that each stream's revisions run 0, 1, 2… with no gap; that every account and
 * job stream folds without error and names its own id; that no account was leased to two
 * live sessions at once, fences rise and sessions end once (see `auditLedger`); that a
 * pool leased only its own accounts; and that every lease is released, expired, or live
 * and not past its expiry by more than `graceMs`.
 *
 * @example
 * verifyLog(events, Date.now(), 600_000).violations // → [] for a sound log
 */
export function verifyLog(events: LogEvent[], now: number, graceMs: number): LogReport {
  const streams = new Map<string, LogEvent[]>();
  for (const e of events) {
    let list = streams.get(e.stream);
    if (!list) streams.set(e.stream, (list = []));
    list.push(e);
  }
  const violations: string[] = [];
  const poolOf = new Map<string, string>();
  const report: LogReport = { events: events.length, streams: streams.size, pools: 0, accounts: 0, jobs: 0, sessions: { live: 0, released: 0, expired: 0 }, violations };
  const replay = <S, C, E extends DomainEvent>(stream: string, list: LogEvent[], decider: Decider<S, C, E>): S | undefined => {
    try {
      return list.reduce((s, e) => (decider.events.has(e) ? decider.evolve(s, e) : s), decider.initial());
    } catch (error) {
      violations.push(`${stream}: replay failed: ${(error as Error).message}`);
      return undefined;
    }
  };
  for (const [stream, list] of streams) {
    // Pool streams: `auditLedger` checks their revisions.
    if (!stream.startsWith('pool-')) {
      for (const [i, e] of list.entries()) if (e.revision !== i) violations.push(`${stream}: revision ${e.revision} where ${i} was expected`);
    }
    const id = stream.slice(stream.indexOf('-') + 1);
    if (stream.startsWith('account-')) {
      report.accounts++;
      const state = replay(stream, list, accountDecider);
      for (const e of list) if (!accountEvents.has(e) || e.data.accountId !== id) violations.push(`${stream} r${e.revision}: ${e.type} names another account`);
      if (state) poolOf.set(id, state.poolId);
    } else if (stream.startsWith('registration-')) {
      report.jobs++;
      replay(stream, list, jobDecider);
    }
  }
  for (const [stream, list] of streams) {
    if (!stream.startsWith('pool-')) continue;
    report.pools++;
    const poolId = stream.slice('pool-'.length);
    const audit = auditLedger(list, now - graceMs);
    violations.push(...audit.violations.map((v) => `${stream} ${v}`));
    for (const s of audit.overdue) violations.push(`${stream}: session ${s.sessionId} live past its expiry (${new Date(s.expiresAt).toISOString()}) and never expired`);
    for (const accountId of audit.leased) if (poolOf.get(accountId) !== poolId) violations.push(`${stream}: leased ${accountId}, an account of ${poolOf.get(accountId) ?? 'no pool'}`);
    report.sessions.live += audit.live;
    report.sessions.released += audit.released;
    report.sessions.expired += audit.expired;
  }
  return report;
}
