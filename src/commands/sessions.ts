import { randomUUID } from 'node:crypto';
import { DomainError, invalid } from '../domain/errors.ts';
import { GATEWAY_HOLDER, type AllocationFilter, type SessionAllocated, type SessionRenewed } from '../domain/ledger.ts';
import { instruments } from '../telemetry.ts';
import type { Position } from '../store/port.ts';
import { randomToken, type Credentials, type SecretVault } from '../store/secrets.ts';
import type { AccountIndex } from '../projections/account-index.ts';
import type { Allocators } from './allocators.ts';
import { sessionLimitsOf, type Caller } from './callers.ts';
import type { CommandContext } from './context.ts';
import type { Quotas } from './quotas.ts';

export interface SessionDeps {
  allocators: Allocators;
  accounts: AccountIndex;
  vault: SecretVault;
}

export interface LeasedAccount {
  accountId: string;
  fence: number;
  login: string;
  credentials: Credentials | null;
  importedAt: string;
  useCount: number;
  lastUsed: string | null;
}

export interface Allocation {
  sessionId: string;
  leaseSecret: string;
  expiresAt: string;
  leases: LeasedAccount[];
  position?: Position;
}

export interface AllocateRequest {
  sessionId?: string;
  count: number;
  ttlMs?: number;
  waitMs?: number;
  holder: string;
  filter?: AllocationFilter;
  /** Sessions held at once by holders with these prefixes, at most (an API key's limits). */
  holderLimits?: Array<{ prefix: string; max: number }>;
}

/**
 * Leases accounts of a pool to a new session. The lease secret is returned once; the
 * ledger keeps only its fingerprint.
 *
 * @example
 * const a = await allocate(deps, 'default', { count: 1, holder: 'load-test', waitMs: 500 }, ctx);
 */
export async function allocate(deps: SessionDeps, poolId: string, request: AllocateRequest, ctx: CommandContext): Promise<Allocation> {
  if (request.holder.startsWith(GATEWAY_HOLDER)) throw invalid([{ field: 'holder', message: `holders starting with "${GATEWAY_HOLDER}" are the gateway's` }]);
  const allocator = await deps.allocators.get(poolId);
  const leaseSecret = randomToken(24);
  const sessionId = request.sessionId ?? randomUUID();
  const { events, position, state } = await allocator.submit({
    type: 'Allocate', sessionId, count: request.count, holder: request.holder, secretHash: deps.vault.fingerprint(leaseSecret),
    ...(request.ttlMs ? { ttlMs: request.ttlMs } : {}), ...(request.waitMs ? { waitMs: request.waitMs } : {}),
    ...(request.filter ? { filter: request.filter } : {}), ...(request.holderLimits?.length ? { holderLimits: request.holderLimits } : {}),
  }, ctx).then((r) => {
    instruments.allocations.add(1, { pool: poolId, outcome: 'allocated' });
    return r;
  }, (e: unknown) => {
    instruments.allocations.add(1, { pool: poolId, outcome: e instanceof DomainError ? e.code : 'error' });
    throw e;
  });
  // A reused session id whose session was overdue is expired in the same append, first.
  const allocated = (events as SessionAllocated[]).find((e) => e.type === 'SessionAllocated')!.data;
  const credentials = await deps.vault.getMany(allocated.leases.map((l) => l.accountId));
  // The credentials of the accounts leased next are opened ahead, a batch in one read, so
  // that an allocation in a pool larger than the cache seldom waits for its own.
  deps.vault.readAhead((n) => allocator.upcoming(n));
  const leases = allocated.leases.map(({ accountId, fence }) => {
    const entry = deps.accounts.find(accountId);
    const lastUsed = state.ledger.lastUsed.get(accountId);
    return {
      accountId, fence, login: entry?.state.login ?? '', credentials: credentials.get(accountId) ?? null,
      importedAt: entry?.importedAt ?? '', useCount: state.ledger.useCount.get(accountId) ?? 0,
      lastUsed: lastUsed ? new Date(lastUsed).toISOString() : null,
    };
  });
  return { sessionId, leaseSecret, expiresAt: allocated.expiresAt, leases, position };
}

/** The ledger's form of a lease secret: its fingerprint, or null for an operator acting without one. */
function secretHashOf(deps: SessionDeps, leaseSecret: string | null): string | null {
  return leaseSecret === null ? null : deps.vault.fingerprint(leaseSecret);
}

/**
 * Extends a live session; `leaseSecret: null` is an operator acting without it. With
 * `holder`, a session held by another is not found (an API key acts on its own only).
 */
export async function renew(deps: SessionDeps, poolId: string, sessionId: string, leaseSecret: string | null, ttlMs: number | undefined, ctx: CommandContext, holder?: string) {
  const allocator = await deps.allocators.get(poolId);
  const { events, position, state } = await allocator.submit({
    type: 'Renew', sessionId, secretHash: secretHashOf(deps, leaseSecret), ...(ttlMs ? { ttlMs } : {}), ...(holder ? { holder } : {}),
  }, ctx);
  const renewed = (events as SessionRenewed[])[0];
  return { sessionId, expiresAt: renewed?.data.expiresAt ?? new Date(state.ledger.sessions.get(sessionId)!.expiresAt).toISOString(), position };
}

/** Ends a session and frees its accounts; releasing twice changes nothing. `holder` as for `renew`. */
export async function release(deps: SessionDeps, poolId: string, sessionId: string, leaseSecret: string | null, ctx: CommandContext, holder?: string) {
  const allocator = await deps.allocators.get(poolId);
  const { events, position } = await allocator.submit({
    type: 'Release', sessionId, secretHash: secretHashOf(deps, leaseSecret), ...(holder ? { holder } : {}),
  }, ctx);
  return { sessionId, released: events.length > 0, position };
}

/** The holder a caller's sessions carry: an API key's is always its own (so that it finds only its own sessions). */
export const holderFor = (caller: Caller | undefined, asked: string | undefined, actor: string) =>
  (caller?.kind === 'key' ? caller.actor : asked ?? actor);

/** The holder a caller must match to act on a session: an API key acts on its own sessions only. */
export const ownHolder = (caller: Caller | undefined) => (caller?.kind === 'key' ? caller.actor : undefined);

/**
 * Allocates for a caller within its limits: sessions held at once (checked by the ledger),
 * and its budget, one unit per account leased, reserved before and given back when the
 * allocation fails.
 *
 * @example
 * const a = await allocateFor(deps, request.caller, 'default', { count: 1, holder: 'ci' }, ctx);
 */
export async function allocateFor(deps: SessionDeps & { quotas: Quotas }, caller: Caller | undefined, poolId: string, request: AllocateRequest, ctx: CommandContext): Promise<Allocation> {
  if (!caller || caller.kind === 'admin') return allocate(deps, poolId, request, ctx);
  const held = await deps.quotas.reserve(caller.limits, request.count);
  try {
    const allocation = await allocate(deps, poolId, { ...request, holder: holderFor(caller, request.holder, caller.actor), holderLimits: sessionLimitsOf(caller) }, ctx);
    await deps.quotas.settle(held, request.count);
    return allocation;
  } catch (error) {
    await deps.quotas.settle(held, 0);
    throw error;
  }
}
