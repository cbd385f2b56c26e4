import { accountEvents, evolveAccount, initialAccountState, NONE, type AccountState, type Cooldown } from '../domain/account.ts';
import { accountsOf, ledgerEvents, type LedgerEvent } from '../domain/ledger.ts';
import type { RowProjection, Row } from './projection.ts';

const iso = (t: number) => new Date(t).toISOString();

/** The ledger's columns of a row: the account's current lease and its use. */
interface LeaseColumns {
  session_id: string | null; fence: number; leased_until: string | null; use_count: number; last_used: string | null;
}
const NOT_LEASED: LeaseColumns = { session_id: null, fence: 0, leased_until: null, use_count: 0, last_used: null };

/** What an account's state holds beyond its row's columns: the day's use, recent failures, the 429 streak. */
type Counters = Pick<AccountState, 'usage' | 'failures' | 'rateLimitStreak'>;

/** The counters of a state, or null while they are as a new account's (most accounts: nothing to store). */
function countersOf({ usage, failures, rateLimitStreak }: AccountState): Counters | null {
  return usage.day || failures.length || rateLimitStreak ? { usage, failures, rateLimitStreak } : null;
}

/**
 * An account's row: the columns its state shows, the rest of the state (`counters`) and
 * its lease. Built as one literal: spreading a second object into one costs V8 about a
 * microsecond a property, which made this the rebuild's largest cost.
 */
function accountRow(accountId: string, revision: number, state: AccountState, lease: LeaseColumns, importedAt: unknown, at: string): Row {
  const everyModel = state.cooldowns.filter((c) => !c.model).map((c) => c.until).sort((a, b) => a - b);
  return {
    account_id: accountId, revision, pool_id: state.poolId, login: state.login, status: state.status,
    disabled_reason: state.disabledReason ?? null, capabilities: state.capabilities, region: state.region,
    cooldowns: state.cooldowns.map((c) => ({ ...c, until: iso(c.until) })),
    cooldown_until: everyModel.length ? iso(everyModel.at(-1)!) : null,
    credentials_expires_at: state.credentials.expiresAt, credentials_rotated_at: state.credentials.rotatedAt,
    credentials_version: state.credentials.version, credits: state.credits, credits_checked_at: state.creditsCheckedAt,
    counters: countersOf(state),
    session_id: lease.session_id, fence: lease.fence, leased_until: lease.leased_until, use_count: lease.use_count, last_used: lease.last_used,
    imported_at: importedAt, updated_at: at,
  };
}

/** A time column as ISO text: read back from the table it is a Date, in a batch's own rows a string. */
const isoOf = (value: unknown): string | null => (value == null ? null : value instanceof Date ? value.toISOString() : String(value));

/**
 * The account's state from its row (as the table or a batch holds it): its columns, and its
 * counters. Times come back as ISO text, which may be spelled otherwise than the event gave
 * them (`2027-01-01T00:00:00Z` becomes `2027-01-01T00:00:00.000Z`); they are the same instants.
 *
 * @example
 * accountStateOf((await db.query('SELECT * FROM rm_accounts WHERE account_id = $1', [id])).rows[0]).status // → 'active'
 */
export function accountStateOf(row: Row): AccountState {
  const counters = row.counters as Counters | null;
  const cooldowns = row.cooldowns as Array<Omit<Cooldown, 'until'> & { until: string }>;
  const capabilities = row.capabilities as string[];
  const state: AccountState = {
    ...initialAccountState(), exists: true, poolId: row.pool_id as string, login: row.login as string, status: row.status as AccountState['status'],
    capabilities: capabilities.length ? capabilities : NONE, region: row.region as string | null,
    cooldowns: cooldowns.length ? cooldowns.map((c) => ({ ...c, until: Date.parse(c.until) })) : NONE,
    credentials: { version: (row.credentials_version as number | null) ?? 0, expiresAt: isoOf(row.credentials_expires_at), rotatedAt: isoOf(row.credentials_rotated_at) },
    credits: row.credits as number | null, creditsCheckedAt: isoOf(row.credits_checked_at),
  };
  if (row.disabled_reason != null) state.disabledReason = row.disabled_reason as string;
  if (counters) Object.assign(state, { usage: counters.usage, failures: counters.failures.length ? counters.failures : NONE, rateLimitStreak: counters.rateLimitStreak });
  return state;
}

function ledgerEvent(row: Row | undefined, e: LedgerEvent, accountId: string): Row | undefined {
  if (!row) return row;
  switch (e.type) {
    case 'SessionAllocated': {
      const lease = e.data.leases.find((l) => l.accountId === accountId)!;
      return {
        ...row, session_id: e.data.sessionId, fence: lease.fence, leased_until: e.data.expiresAt,
        use_count: (row.use_count as number) + 1, last_used: e.data.at, updated_at: e.data.at,
      };
    }
    case 'SessionRenewed':
      return row.session_id === e.data.sessionId ? { ...row, leased_until: e.data.expiresAt, updated_at: e.data.at } : row;
    case 'SessionReleased':
    case 'SessionExpired':
      return row.session_id === e.data.sessionId ? { ...row, session_id: null, leased_until: null, updated_at: e.data.at } : row;
  }
}

/** `rm_accounts`: one row per account with its status, cooldowns, credentials' version, credits and current lease. */
export const accountsProjection: RowProjection = {
  // v2: the row keeps the account's whole state; a new name made the runner replay into it.
  // Since, the row keeps only the state's counters (`counters`): the migration turned each
  // v2 row's state into them, so the name stayed.
  name: 'accounts.v2',
  table: 'rm_accounts',
  key: 'account_id',
  keyType: 'uuid',
  columns: [
    'account_id', 'revision', 'pool_id', 'login', 'status', 'disabled_reason', 'capabilities', 'region', 'cooldowns', 'cooldown_until',
    'credentials_expires_at', 'credentials_rotated_at', 'credentials_version', 'credits', 'credits_checked_at', 'counters',
    'session_id', 'fence', 'leased_until', 'use_count', 'last_used', 'imported_at', 'updated_at',
  ],
  streamPrefixes: ['account-', 'pool-'],
  // Each pool's counts follow the table by its triggers (schema.ts), which a rebuilt table has not yet.
  afterSwap: 'SELECT roster_pool_counts_reset()',
  keysOf(e) {
    if (accountEvents.has(e)) return [e.data.accountId];
    return ledgerEvents.has(e) ? accountsOf(e) : [];
  },
  apply(row, e, accountId) {
    if (ledgerEvents.has(e)) return ledgerEvent(row, e, accountId);
    if (!accountEvents.has(e)) return row;
    const at = e.data.at;
    if (e.type === 'AccountImported' || e.type === 'AccountRegistered') {
      return accountRow(accountId, e.revision, evolveAccount(initialAccountState(), e), NOT_LEASED, at, at);
    }
    if (!row) return row;
    return accountRow(accountId, e.revision, evolveAccount(accountStateOf(row), e), row as unknown as LeaseColumns, row.imported_at, at);
  },
};
