/**
 * The allocation ledger of a pool (stream `pool-{id}`): sessions and their leases.
 *
 * Invariant: an account is leased to at most one live session. Every lease carries a
 * fencing token that increases per account. The candidates offered to `Allocate` are the
 * accounts the allocator considers allocatable now (active, not cooling, not retired);
 * the ledger removes the ones already leased.
 *
 * The ledger is large and on the hot path, so `evolveLedger` updates the state in place
 * and returns it.
 */
import { Type } from 'typebox';
import { DomainError, invalid } from './errors.ts';
import { defineEvent, eventSet, Instant, type EventOf, type EventsIn } from './events.ts';
import type { PoolConfig, Strategy } from './pool.ts';

export interface Lease {
  accountId: string;
  fence: number;
}

export interface Session {
  sessionId: string;
  leases: Lease[];
  holder: string;
  secretHash: string;
  expiresAt: number;
  allocatedAt: number;
  status: 'live' | 'released' | 'expired';
}

export interface LedgerState {
  sessions: Map<string, Session>;
  /** accountId → the live session holding it. */
  leasedTo: Map<string, string>;
  fences: Map<string, number>;
  /** accountId → time of its last allocation; iterates least recently allocated first. */
  lastUsed: Map<string, number>;
  useCount: Map<string, number>;
  /** The account round-robin handed out last. */
  cursor: string;
}

export const initialLedger = (): LedgerState => ({
  sessions: new Map(), leasedTo: new Map(), fences: new Map(), lastUsed: new Map(), useCount: new Map(), cursor: '',
});

/** An account offered for allocation, with what filters look at. */
export interface Candidate {
  accountId: string;
  capabilities: string[];
  region: string | null;
  /** Models this account is cooling down for, or has reached its daily limit for. */
  coolingModels: string[];
  /** Last probed credits; null when never probed. */
  credits: number | null;
}

export interface AllocationFilter {
  capabilities?: string[];
  region?: string;
  model?: string;
  /** Skip accounts known to have no credits left. */
  needsCredits?: boolean;
}

const Leases = Type.Array(Type.Object({ accountId: Type.String(), fence: Type.Integer({ minimum: 1 }) }));
const ended = Type.Object({ sessionId: Type.String(), accountIds: Type.Array(Type.String()), at: Instant });
export const SessionAllocated = defineEvent('SessionAllocated', Type.Object({
  sessionId: Type.String(), leases: Leases, holder: Type.String(), secretHash: Type.String(), expiresAt: Instant, at: Instant,
}));
export const SessionRenewed = defineEvent('SessionRenewed', Type.Object({ sessionId: Type.String(), accountIds: Type.Array(Type.String()), expiresAt: Instant, at: Instant }));
export const SessionReleased = defineEvent('SessionReleased', ended);
export const SessionExpired = defineEvent('SessionExpired', ended);
export type SessionAllocated = EventOf<typeof SessionAllocated>;
export type SessionRenewed = EventOf<typeof SessionRenewed>;
export type SessionReleased = EventOf<typeof SessionReleased>;
export type SessionExpired = EventOf<typeof SessionExpired>;
/** The ledger's events, in its pool's stream. */
export const ledgerEvents = eventSet(SessionAllocated, SessionRenewed, SessionReleased, SessionExpired);
export type LedgerEvent = EventsIn<typeof ledgerEvents>;

/** `secretHash: null` is an operator acting with admin rights: no lease secret needed. */
export type LedgerCommand =
  | {
    type: 'Allocate'; sessionId: string; count: number; ttlMs?: number; holder: string; secretHash: string;
    filter?: AllocationFilter; random: number; now: number;
    /** Sessions held at once: live sessions whose holder starts with `prefix` number fewer than `max` (a key's, a user's). */
    holderLimits?: Array<{ prefix: string; max: number }>;
    /**
     * Accounts allocatable now; `ranked` when already in the pool's strategy order (see
     * `rank`), and then read only as far as needed (the allocator walks its free order).
     */
    candidates: Iterable<Candidate>; ranked?: boolean;
  }
  | { type: 'Renew'; sessionId: string; secretHash: string | null; ttlMs?: number; now: number; holder?: string }
  | { type: 'Release'; sessionId: string; secretHash: string | null; now: number; holder?: string }
  | { type: 'ExpireOverdue'; now: number };

/** Whether the candidate meets the allocation's filter (capabilities, region, model, credits). */
export function matches(c: Candidate, filter?: AllocationFilter): boolean {
  if (!filter) return true;
  if (filter.region && c.region !== filter.region) return false;
  if (filter.model && c.coolingModels.includes(filter.model)) return false;
  if (filter.needsCredits && c.credits !== null && c.credits <= 0) return false;
  return !filter.capabilities?.some((cap) => !c.capabilities.includes(cap));
}

/**
 * Orders candidates by the pool's strategy, best first: least recently used, least used,
 * the next after the last one handed out (round-robin), or from a random free one on
 * (random). The reference for the allocator's incremental order (`commands/free-accounts.ts`).
 *
 * @example
 * rank(candidates, 'lru', ledger, 0.5)[0] // → the candidate unused longest
 */
export function rank(candidates: Candidate[], strategy: Strategy, state: LedgerState, random: number): Candidate[] {
  const out = candidates.slice();
  const used = (c: Candidate) => state.lastUsed.get(c.accountId) ?? 0;
  const uses = (c: Candidate) => state.useCount.get(c.accountId) ?? 0;
  const byId = (a: Candidate, b: Candidate) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0);
  switch (strategy) {
    case 'lru': {
      // `lastUsed` iterates in allocation order, oldest first: never-used accounts, then that order.
      const byAccount = new Map(out.map((c) => [c.accountId, c]));
      const ranked = out.filter((c) => !state.lastUsed.has(c.accountId)).sort(byId);
      for (const id of state.lastUsed.keys()) {
        const c = byAccount.get(id);
        if (c) ranked.push(c);
      }
      return ranked;
    }
    case 'least_used':
      return out.sort((a, b) => uses(a) - uses(b) || used(a) - used(b) || byId(a, b));
    case 'round_robin': {
      out.sort(byId);
      const next = out.findIndex((c) => c.accountId > state.cursor);
      return next <= 0 ? out : [...out.slice(next), ...out.slice(0, next)];
    }
    case 'random': {
      // From a uniformly random free candidate on, in the order given (the order the pool
      // first saw its accounts), wrapping round.
      const free = out.filter((c) => !state.leasedTo.has(c.accountId));
      if (free.length === 0) return out;
      const start = out.indexOf(free[Math.floor(random * free.length)]!);
      return [...out.slice(start), ...out.slice(0, start)];
    }
  }
}

/**
 * The session, when it exists, is held by `holder` (when given: an API key sees only its
 * own sessions; another's does not exist for it) and `secretHash` is its lease secret's
 * (null: an operator, who needs none): the one lease-secret check.
 *
 * @example
 * const session = authorise(state.sessions.get(id), id, hash); // → Session | DomainError
 */
export function authorise(session: Session | undefined, sessionId: string, secretHash: string | null, holder?: string): Session | DomainError {
  if (!session || (holder !== undefined && session.holder !== holder)) return new DomainError('session_not_found', `session ${sessionId} does not exist`);
  if (secretHash !== null && secretHash !== session.secretHash) {
    return new DomainError('lease_secret_mismatch', `wrong lease secret for session ${sessionId}`);
  }
  return session;
}

/**
 * The holder of a gateway's claim starts with this (`gateway:<node id>`). Only the node
 * releases its claim (with the claim's secret): its requests may still be using the
 * account, so an operator's release would let the account be leased beside them.
 */
export const GATEWAY_HOLDER = 'gateway:';

/** How many live, unexpired sessions have a holder starting with `prefix`. */
function liveHeldBy(state: LedgerState, prefix: string, now: number): number {
  let n = 0;
  for (const s of state.sessions.values()) if (s.status === 'live' && s.expiresAt > now && s.holder.startsWith(prefix)) n++;
  return n;
}

/**
 * Decides a ledger command.
 *
 * @example
 * decideLedger({ type: 'Release', sessionId: 's', secretHash: h, now }, ledger, config)
 * // → [{ type: 'SessionReleased', data: { sessionId: 's', accountIds: [...], at } }]
 */
export function decideLedger(command: LedgerCommand, state: LedgerState, config: PoolConfig): LedgerEvent[] | DomainError {
  const at = new Date(command.now).toISOString();
  switch (command.type) {
    case 'Allocate': {
      // A session id names one live session at a time: an ended session's id may be used
      // again (clients of the existing API use fixed ids), for a new session with its own
      // leases and fences. A live session past its expiry is expired first.
      const previous = state.sessions.get(command.sessionId);
      const overdue = previous?.status === 'live' && previous.expiresAt <= command.now ? previous : undefined;
      if (previous?.status === 'live' && !overdue) {
        return new DomainError('session_exists', `session ${command.sessionId} is live`);
      }
      const over = command.holderLimits?.find((l) => liveHeldBy(state, l.prefix, command.now) >= l.max);
      if (over) return new DomainError('session_limit', `${over.max} session(s) held at once at most`);
      const ttl = command.ttlMs ?? config.defaultLeaseTtlMs;
      if (ttl > config.maxLeaseTtlMs) return invalid([{ field: 'ttlMs', message: `must not exceed ${config.maxLeaseTtlMs}` }]);
      const ordered = command.ranked ? command.candidates : rank([...command.candidates], config.strategy, state, command.random);
      const free = (accountId: string) => !state.leasedTo.has(accountId) || (overdue && state.leasedTo.get(accountId) === overdue.sessionId);
      const picked: string[] = [];
      for (const c of ordered) {
        if (free(c.accountId) && matches(c, command.filter)) picked.push(c.accountId);
        if (picked.length === command.count) break;
      }
      if (picked.length < command.count) {
        return new DomainError('no_account_available', `${command.count} requested, ${picked.length} free`);
      }
      const leases = picked.map((accountId) => ({ accountId, fence: (state.fences.get(accountId) ?? 0) + 1 }));
      const expiry: LedgerEvent[] = overdue
        ? [{ type: 'SessionExpired', data: { sessionId: overdue.sessionId, accountIds: overdue.leases.map((l) => l.accountId), at } }]
        : [];
      return [...expiry, {
        type: 'SessionAllocated',
        data: {
          sessionId: command.sessionId, leases, holder: command.holder, secretHash: command.secretHash,
          expiresAt: new Date(command.now + ttl).toISOString(), at,
        },
      }];
    }
    case 'Renew': {
      const session = authorise(state.sessions.get(command.sessionId), command.sessionId, command.secretHash, command.holder);
      if (session instanceof DomainError) return session;
      if (session.status !== 'live' || session.expiresAt <= command.now) {
        return new DomainError('session_ended', `session ${command.sessionId} has ${session.status === 'released' ? 'been released' : 'expired'}`);
      }
      const ttl = command.ttlMs ?? config.defaultLeaseTtlMs;
      if (ttl > config.maxLeaseTtlMs) return invalid([{ field: 'ttlMs', message: `must not exceed ${config.maxLeaseTtlMs}` }]);
      const accountIds = session.leases.map((l) => l.accountId);
      return [{ type: 'SessionRenewed', data: { sessionId: command.sessionId, accountIds, expiresAt: new Date(command.now + ttl).toISOString(), at } }];
    }
    case 'Release': {
      const session = authorise(state.sessions.get(command.sessionId), command.sessionId, command.secretHash, command.holder);
      if (session instanceof DomainError) return session;
      if (session.status === 'released') return [];
      if (session.status === 'expired') return new DomainError('session_ended', `session ${command.sessionId} has expired`);
      if (command.secretHash === null && session.holder.startsWith(GATEWAY_HOLDER)) {
        return new DomainError('gateway_claim', `session ${command.sessionId} is ${session.holder}'s claim: that node releases it once its requests through the account end, or it expires if the node stops`);
      }
      const accountIds = session.leases.map((l) => l.accountId);
      return [{ type: 'SessionReleased', data: { sessionId: command.sessionId, accountIds, at } }];
    }
    case 'ExpireOverdue': {
      const events: LedgerEvent[] = [];
      for (const sessionId of new Set(state.leasedTo.values())) {
        const session = state.sessions.get(sessionId)!;
        if (session.expiresAt <= command.now) {
          events.push({ type: 'SessionExpired', data: { sessionId, accountIds: session.leases.map((l) => l.accountId), at } });
        }
      }
      return events;
    }
  }
}

function end(state: LedgerState, sessionId: string, status: 'released' | 'expired'): void {
  const session = state.sessions.get(sessionId);
  if (!session || session.status !== 'live') return;
  session.status = status;
  for (const lease of session.leases) {
    if (state.leasedTo.get(lease.accountId) === sessionId) state.leasedTo.delete(lease.accountId);
  }
}

/** Folds one ledger event into the state, in place. */
export function evolveLedger(state: LedgerState, event: LedgerEvent): LedgerState {
  switch (event.type) {
    case 'SessionAllocated': {
      const { sessionId, leases, holder, secretHash, expiresAt, at } = event.data;
      const time = Date.parse(at);
      state.sessions.set(sessionId, { sessionId, leases, holder, secretHash, expiresAt: Date.parse(expiresAt), allocatedAt: time, status: 'live' });
      for (const { accountId, fence } of leases) {
        state.leasedTo.set(accountId, sessionId);
        state.fences.set(accountId, fence);
        state.lastUsed.delete(accountId); // re-inserted last: the map's order is the LRU order
        state.lastUsed.set(accountId, time);
        state.useCount.set(accountId, (state.useCount.get(accountId) ?? 0) + 1);
        state.cursor = accountId;
      }
      return state;
    }
    case 'SessionRenewed': {
      const session = state.sessions.get(event.data.sessionId);
      if (session) session.expiresAt = Date.parse(event.data.expiresAt);
      return state;
    }
    case 'SessionReleased':
      end(state, event.data.sessionId, 'released');
      return state;
    case 'SessionExpired':
      end(state, event.data.sessionId, 'expired');
      return state;
    default:
      // An event type this version does not know changes nothing it keeps.
      return state;
  }
}

/**
 * The accounts a ledger event leases, renews, releases or expires: the one place that knows.
 *
 * @example
 * accountsOf({ type: 'SessionReleased', data: { sessionId: 's', accountIds: ['a'], at } }) // → ['a']
 */
export function accountsOf(event: LedgerEvent): string[] {
  return event.type === 'SessionAllocated' ? event.data.leases.map((l) => l.accountId) : event.data.accountIds;
}
