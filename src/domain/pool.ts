/**
 * Pool: its configuration. The pool's stream `pool-{id}` also holds its allocation ledger
 * (ledger.ts); `evolve` here folds both.
 */
import type { CooldownPolicy } from './account.ts';
import { DomainError, invalid, type DomainEvent, type FieldError } from './errors.ts';
import { evolveLedger, initialLedger, type LedgerEvent, type LedgerState } from './ledger.ts';

export const strategies = ['lru', 'round_robin', 'random', 'least_used'] as const;
export type Strategy = (typeof strategies)[number];

export interface PoolConfig {
  name: string;
  providerId: string;
  minSize: number;
  maxSize: number;
  defaultLeaseTtlMs: number;
  maxLeaseTtlMs: number;
  strategy: Strategy;
  /** Health is `low` below minSize × lowRatio available accounts, `critical` below × criticalRatio. */
  health: { lowRatio: number; criticalRatio: number };
  /** How reported usage cools accounts down. */
  cooldown: CooldownPolicy;
  /** Units per model and usage day after which an account is not allocated for that model. */
  dailyLimits: Record<string, number>;
}

/** A partial configuration: any field, and any part of `health` or `cooldown`. */
export type PoolConfigChanges = Partial<Omit<PoolConfig, 'health' | 'cooldown'>> & {
  health?: Partial<PoolConfig['health']>; cooldown?: Partial<CooldownPolicy>;
};

export const defaultPoolConfig: Omit<PoolConfig, 'name'> = {
  providerId: 'manual', minSize: 0, maxSize: 10000, defaultLeaseTtlMs: 15 * 60_000,
  maxLeaseTtlMs: 24 * 3600_000, strategy: 'lru', health: { lowRatio: 1, criticalRatio: 0.25 },
  cooldown: { baseMs: 60_000, maxMs: 3600_000, failureThreshold: 5, failureWindowMs: 300_000 }, dailyLimits: {},
};

/**
 * A configuration with every field: `changes` over `base`, nested parts merged. Also
 * upcasts configurations recorded before a field existed.
 *
 * @example
 * mergeConfig(defaultPoolConfig, { cooldown: { baseMs: 1000 } }).cooldown.maxMs // → 3600000
 */
export function mergeConfig<T extends Omit<PoolConfig, 'name'>>(base: T, changes: PoolConfigChanges): T {
  return {
    ...base, ...changes,
    health: { ...defaultPoolConfig.health, ...base.health, ...changes.health },
    cooldown: { ...defaultPoolConfig.cooldown, ...base.cooldown, ...changes.cooldown },
    dailyLimits: { ...(changes.dailyLimits ?? base.dailyLimits ?? {}) },
  };
}

export type PoolCreated = DomainEvent<'PoolCreated', { poolId: string; config: PoolConfig; at: string }>;
export type PoolConfigured = DomainEvent<'PoolConfigured', { poolId: string; changes: PoolConfigChanges; config: PoolConfig; at: string }>;
export type PoolEvent = PoolCreated | PoolConfigured | LedgerEvent;

export type PoolCommand =
  | { type: 'CreatePool'; poolId: string; config: PoolConfigChanges & { name: string }; now: number }
  | { type: 'ConfigurePool'; poolId: string; changes: PoolConfigChanges; now: number };

export interface PoolState {
  config: PoolConfig | null;
  ledger: LedgerState;
}

export const initialPoolState = (): PoolState => ({ config: null, ledger: initialLedger() });

function check(config: PoolConfig): FieldError[] {
  const bad: FieldError[] = [];
  if (config.maxSize < config.minSize) bad.push({ field: 'maxSize', message: 'must be at least minSize' });
  if (config.maxLeaseTtlMs < config.defaultLeaseTtlMs) {
    bad.push({ field: 'defaultLeaseTtlMs', message: 'must not exceed maxLeaseTtlMs' });
  }
  if (config.health.criticalRatio > config.health.lowRatio) {
    bad.push({ field: 'health.criticalRatio', message: 'must not exceed health.lowRatio' });
  }
  if (config.cooldown.maxMs < config.cooldown.baseMs) bad.push({ field: 'cooldown.maxMs', message: 'must be at least cooldown.baseMs' });
  return bad;
}

/**
 * Decides a pool command against the pool's state.
 *
 * @example
 * decidePool({ type: 'CreatePool', poolId: 'p', config: { name: 'P' }, now }, initialPoolState())
 * // → [{ type: 'PoolCreated', data: { poolId: 'p', config: {...}, at } }]
 */
export function decidePool(command: PoolCommand, state: PoolState): PoolEvent[] | DomainError {
  const at = new Date(command.now).toISOString();
  switch (command.type) {
    case 'CreatePool': {
      if (state.config) return new DomainError('pool_exists', `pool ${command.poolId} exists`);
      const config: PoolConfig = mergeConfig({ ...defaultPoolConfig, name: command.config.name }, command.config);
      const bad = check(config);
      if (bad.length) return invalid(bad);
      return [{ type: 'PoolCreated', data: { poolId: command.poolId, config, at } }];
    }
    case 'ConfigurePool': {
      if (!state.config) return new DomainError('pool_not_found', `pool ${command.poolId} does not exist`);
      const config: PoolConfig = mergeConfig(state.config, command.changes);
      const bad = check(config);
      if (bad.length) return invalid(bad);
      return [{ type: 'PoolConfigured', data: { poolId: command.poolId, changes: command.changes, config, at } }];
    }
  }
}

/** Folds one event of the pool's stream. */
export function evolvePool(state: PoolState, event: PoolEvent): PoolState {
  switch (event.type) {
    case 'PoolCreated':
    case 'PoolConfigured':
      return { ...state, config: mergeConfig(event.data.config, {}) };
    default:
      return { ...state, ledger: evolveLedger(state.ledger, event) };
  }
}
