import type { AccountEvent } from '../domain/account.ts';
import type { LedgerEvent } from '../domain/ledger.ts';
import type { RowProjection, Row } from './projection.ts';

interface CooldownRow { until: string; reason: string; model?: string }

/** The latest end among cooldowns that hold for every model. */
function cooldownUntil(cooldowns: CooldownRow[]): string | null {
  const all = cooldowns.filter((c) => !c.model).map((c) => c.until).sort();
  return all.at(-1) ?? null;
}

function accountEvent(row: Row | undefined, e: AccountEvent): Row | undefined {
  if (e.type === 'AccountImported') {
    const d = e.data;
    return {
      account_id: d.accountId, pool_id: d.poolId, login: d.login, status: 'active', disabled_reason: null,
      capabilities: d.capabilities, region: d.region, cooldowns: [], cooldown_until: null,
      credentials_expires_at: d.credentials?.expiresAt ?? null, session_id: null, fence: 0, leased_until: null,
      use_count: 0, last_used: null, imported_at: d.at, updated_at: d.at,
    };
  }
  if (!row) return row;
  const updated = { ...row, updated_at: e.data.at };
  switch (e.type) {
    case 'AccountDisabled':
      return { ...updated, status: 'disabled', disabled_reason: e.data.reason };
    case 'AccountEnabled':
      return { ...updated, status: 'active', disabled_reason: null };
    case 'AccountRetired':
      return { ...updated, status: 'retired' };
    case 'AccountCooledDown': {
      const { until, reason, model } = e.data;
      const cooldowns = [...(row.cooldowns as CooldownRow[]).filter((c) => c.model !== model), { until, reason, ...(model ? { model } : {}) }];
      return { ...updated, cooldowns, cooldown_until: cooldownUntil(cooldowns) };
    }
    case 'CooldownEnded': {
      const cooldowns = e.data.model === undefined ? [] : (row.cooldowns as CooldownRow[]).filter((c) => c.model !== e.data.model);
      return { ...updated, cooldowns, cooldown_until: cooldownUntil(cooldowns) };
    }
  }
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

/** `rm_accounts`: one row per account with its status, cooldowns and current lease. */
export const accountsProjection: RowProjection = {
  name: 'accounts',
  table: 'rm_accounts',
  key: 'account_id',
  columns: [
    'account_id', 'revision', 'pool_id', 'login', 'status', 'disabled_reason', 'capabilities', 'region', 'cooldowns', 'cooldown_until',
    'credentials_expires_at', 'session_id', 'fence', 'leased_until', 'use_count', 'last_used', 'imported_at', 'updated_at',
  ],
  streamPrefixes: ['account-', 'pool-'],
  keysOf(e) {
    const d = e.data as { accountId?: string; accountIds?: string[]; leases?: { accountId: string }[] };
    if (e.stream.startsWith('account-')) return [d.accountId!];
    return d.leases?.map((l) => l.accountId) ?? d.accountIds ?? [];
  },
  apply(row, e, accountId) {
    if (!e.stream.startsWith('account-')) return ledgerEvent(row, e as unknown as LedgerEvent, accountId);
    const next = accountEvent(row, e as unknown as AccountEvent);
    return next && { ...next, revision: e.revision };
  },
};

