/**
 * Account (stream `account-{id}`): one upstream account of a pool. Its secrets are not
 * here: events carry only their fingerprint and expiry.
 */
import { DomainError, invalid, type DomainEvent } from './errors.ts';

export interface Cooldown {
  until: number;
  reason: string;
  /** Set when the cooldown holds for one model only. */
  model?: string;
}

export interface AccountState {
  exists: boolean;
  poolId: string;
  login: string;
  status: 'active' | 'disabled' | 'retired';
  disabledReason?: string;
  capabilities: string[];
  region: string | null;
  cooldowns: Cooldown[];
}

export const initialAccountState = (): AccountState => ({
  exists: false, poolId: '', login: '', status: 'active', capabilities: [], region: null, cooldowns: [],
});

export type AccountImported = DomainEvent<'AccountImported', {
  accountId: string; poolId: string; login: string; capabilities: string[]; region: string | null;
  credentials: { fingerprint: string; expiresAt: string | null } | null; at: string;
}>;
export type AccountDisabled = DomainEvent<'AccountDisabled', { accountId: string; reason: string; at: string }>;
export type AccountEnabled = DomainEvent<'AccountEnabled', { accountId: string; at: string }>;
export type AccountCooledDown = DomainEvent<'AccountCooledDown', { accountId: string; until: string; reason: string; model?: string; at: string }>;
export type CooldownEnded = DomainEvent<'CooldownEnded', { accountId: string; model?: string; at: string }>;
export type AccountRetired = DomainEvent<'AccountRetired', { accountId: string; reason: string; at: string }>;
export type AccountEvent = AccountImported | AccountDisabled | AccountEnabled | AccountCooledDown | CooldownEnded | AccountRetired;

export type AccountCommand =
  | {
    type: 'ImportAccount'; accountId: string; poolId: string; login: string; capabilities: string[];
    region: string | null; credentials: AccountImported['data']['credentials']; now: number;
  }
  | { type: 'DisableAccount'; accountId: string; reason: string; now: number }
  | { type: 'EnableAccount'; accountId: string; now: number }
  | { type: 'CoolDownAccount'; accountId: string; until: number; reason: string; model?: string; now: number }
  | { type: 'EndCooldown'; accountId: string; model?: string; now: number }
  | { type: 'RetireAccount'; accountId: string; reason: string; now: number };

/** Cooldowns still running at `now`. */
export function activeCooldowns(state: AccountState, now: number): Cooldown[] {
  return state.cooldowns.filter((c) => c.until > now);
}

/**
 * Whether the account may be leased at `now`: active and not cooling down for all models.
 *
 * @example
 * isAllocatable(state, Date.now()) // → true
 */
export function isAllocatable(state: AccountState, now: number): boolean {
  return state.exists && state.status === 'active' && !state.cooldowns.some((c) => !c.model && c.until > now);
}

/**
 * Decides an account command.
 *
 * @example
 * decideAccount({ type: 'DisableAccount', accountId, reason: 'abuse', now }, state)
 * // → [{ type: 'AccountDisabled', data: { accountId, reason: 'abuse', at } }]
 */
export function decideAccount(command: AccountCommand, state: AccountState): AccountEvent[] | DomainError {
  const at = new Date(command.now).toISOString();
  const { accountId } = command;
  if (command.type === 'ImportAccount') {
    if (state.exists) return new DomainError('account_exists', `account ${command.login} exists in pool ${state.poolId}`);
    const { poolId, login, capabilities, region, credentials } = command;
    return [{ type: 'AccountImported', data: { accountId, poolId, login, capabilities, region, credentials, at } }];
  }
  if (!state.exists) return new DomainError('account_not_found', `account ${accountId} does not exist`);
  if (state.status === 'retired') {
    return command.type === 'RetireAccount' ? [] : new DomainError('account_retired', `account ${accountId} is retired`);
  }
  switch (command.type) {
    case 'DisableAccount':
      return state.status === 'disabled' ? [] : [{ type: 'AccountDisabled', data: { accountId, reason: command.reason, at } }];
    case 'EnableAccount':
      return state.status === 'active' ? [] : [{ type: 'AccountEnabled', data: { accountId, at } }];
    case 'CoolDownAccount': {
      if (command.until <= command.now) return invalid([{ field: 'until', message: 'must be in the future' }]);
      const { reason, model } = command;
      return [{ type: 'AccountCooledDown', data: { accountId, until: new Date(command.until).toISOString(), reason, ...(model ? { model } : {}), at } }];
    }
    case 'EndCooldown': {
      const running = activeCooldowns(state, command.now).filter((c) => command.model === undefined || c.model === command.model);
      if (!running.length) return [];
      return [{ type: 'CooldownEnded', data: { accountId, ...(command.model ? { model: command.model } : {}), at } }];
    }
    case 'RetireAccount':
      return [{ type: 'AccountRetired', data: { accountId, reason: command.reason, at } }];
  }
}

/** Folds one account event. */
export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  switch (event.type) {
    case 'AccountImported': {
      const { poolId, login, capabilities, region } = event.data;
      return { ...state, exists: true, poolId, login, capabilities, region, status: 'active' };
    }
    case 'AccountDisabled':
      return { ...state, status: 'disabled', disabledReason: event.data.reason };
    case 'AccountEnabled':
      return { ...state, status: 'active', disabledReason: undefined };
    case 'AccountCooledDown': {
      const { until, reason, model } = event.data;
      const others = state.cooldowns.filter((c) => c.model !== model);
      return { ...state, cooldowns: [...others, { until: Date.parse(until), reason, ...(model ? { model } : {}) }] };
    }
    case 'CooldownEnded': {
      const { model } = event.data;
      return { ...state, cooldowns: model === undefined ? [] : state.cooldowns.filter((c) => c.model !== model) };
    }
    case 'AccountRetired':
      return { ...state, status: 'retired' };
  }
}
