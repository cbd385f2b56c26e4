import { randomBytes, randomUUID } from 'node:crypto';
import { DomainError } from '../domain/errors.ts';
import type { AllocationFilter, SessionAllocated, SessionRenewed } from '../domain/ledger.ts';
import { instruments } from '../telemetry.ts';
import type { Position } from '../store/port.ts';
import type { Credentials, SecretVault } from '../store/secrets.ts';
import type { AccountIndex } from '../projections/account-index.ts';
import type { Allocators } from './allocators.ts';
import type { CommandContext } from './context.ts';

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
}

/**
 * Leases accounts of a pool to a new session. The lease secret is returned once; the
 * ledger keeps only its fingerprint.
 *
 * @example
 * const a = await allocate(deps, 'default', { count: 1, holder: 'load-test', waitMs: 500 }, ctx);
 */
export async function allocate(deps: SessionDeps, poolId: string, request: AllocateRequest, ctx: CommandContext): Promise<Allocation> {
  const allocator = await deps.allocators.get(poolId);
  const leaseSecret = randomBytes(24).toString('base64url');
  const sessionId = request.sessionId ?? randomUUID();
  const { events, position, state } = await allocator.submit({
    type: 'Allocate', sessionId, count: request.count, holder: request.holder, secretHash: deps.vault.fingerprint(leaseSecret),
    ...(request.ttlMs ? { ttlMs: request.ttlMs } : {}), ...(request.waitMs ? { waitMs: request.waitMs } : {}),
    ...(request.filter ? { filter: request.filter } : {}),
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

/** Extends a live session; `leaseSecret: null` is an operator acting without it. */
export async function renew(deps: SessionDeps, poolId: string, sessionId: string, leaseSecret: string | null, ttlMs: number | undefined, ctx: CommandContext) {
  const allocator = await deps.allocators.get(poolId);
  const { events, position, state } = await allocator.submit({
    type: 'Renew', sessionId, secretHash: secretHashOf(deps, leaseSecret), ...(ttlMs ? { ttlMs } : {}),
  }, ctx);
  const renewed = (events as SessionRenewed[])[0];
  return { sessionId, expiresAt: renewed?.data.expiresAt ?? new Date(state.ledger.sessions.get(sessionId)!.expiresAt).toISOString(), position };
}

/** Ends a session and frees its accounts; releasing twice changes nothing. */
export async function release(deps: SessionDeps, poolId: string, sessionId: string, leaseSecret: string | null, ctx: CommandContext) {
  const allocator = await deps.allocators.get(poolId);
  const { events, position } = await allocator.submit({
    type: 'Release', sessionId, secretHash: secretHashOf(deps, leaseSecret),
  }, ctx);
  return { sessionId, released: events.length > 0, position };
}
