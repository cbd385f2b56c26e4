/**
 * Pool: its configuration. The pool's stream `pool-{id}` also holds its allocation ledger
 * (ledger.ts); `evolve` here folds both.
 */
import { Type, type Static } from 'typebox';
import { DomainError, invalid, type FieldError } from './errors.ts';
import { defineEvent, eventSet, Instant, type Decider, type EventsIn } from './events.ts';
import { evolveLedger, initialLedger, ledgerEvents, type LedgerState } from './ledger.ts';

export const strategies = ['lru', 'round_robin', 'random', 'least_used'] as const;
export type Strategy = (typeof strategies)[number];

const Cooldown = Type.Object({ baseMs: Type.Number(), maxMs: Type.Number(), failureThreshold: Type.Number(), failureWindowMs: Type.Number() });
const Health = Type.Object({ lowRatio: Type.Number(), criticalRatio: Type.Number() });
/** A pool's configuration as its events record it (the decider checks the bounds). */
const PoolConfig = Type.Object({
  name: Type.String(),
  providerId: Type.String(),
  minSize: Type.Number(),
  maxSize: Type.Number(),
  defaultLeaseTtlMs: Type.Number(),
  maxLeaseTtlMs: Type.Number(),
  strategy: Type.Enum(strategies),
  /** Health is `low` below minSize × lowRatio available accounts, `critical` below × criticalRatio. */
  health: Health,
  /** How reported usage cools accounts down. */
  cooldown: Cooldown,
  /** Units per model and usage day after which an account is not allocated for that model. */
  dailyLimits: Type.Record(Type.String(), Type.Number()),
  /**
   * The gateway leases each account it uses (to the node's gateway, as a session), so that
   * gateway use and the lease API never share an account on any node.
   */
  exclusive: Type.Boolean(),
});
export type PoolConfig = Static<typeof PoolConfig>;
const PoolConfigChanges = Type.Partial(Type.Object({ ...PoolConfig.properties, health: Type.Partial(Health), cooldown: Type.Partial(Cooldown) }));

/** A partial configuration: any field, and any part of `health` or `cooldown`. */
export type PoolConfigChanges = Static<typeof PoolConfigChanges>;

export const defaultPoolConfig: Omit<PoolConfig, 'name'> = {
  providerId: 'manual', minSize: 0, maxSize: 10000, defaultLeaseTtlMs: 15 * 60_000,
  maxLeaseTtlMs: 24 * 3600_000, strategy: 'lru', health: { lowRatio: 1, criticalRatio: 0.25 },
  cooldown: { baseMs: 60_000, maxMs: 3600_000, failureThreshold: 5, failureWindowMs: 300_000 }, dailyLimits: {},
  exclusive: false,
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
    exclusive: changes.exclusive ?? base.exclusive,
  };
}

/** Version 1 configurations lack the fields added since; version 2 lacks `exclusive` (false); version 3 records every field. */
const withEveryField = {
  version: 3,
  upcast: {
    1: (data: Record<string, unknown>) => ({ ...data, config: mergeConfig({ ...defaultPoolConfig, name: '' }, data.config as PoolConfigChanges) }),
    2: (data: Record<string, unknown>) => ({ ...data, config: { exclusive: false, ...(data.config as object) } }),
  },
};
export const PoolCreated = defineEvent('PoolCreated', Type.Object({ poolId: Type.String(), config: PoolConfig, at: Instant }), withEveryField);
export const PoolConfigured = defineEvent('PoolConfigured', Type.Object({ poolId: Type.String(), changes: PoolConfigChanges, config: PoolConfig, at: Instant }), withEveryField);
/** The events of a pool's stream: its configuration and its ledger. */
export const poolEvents = eventSet(PoolCreated, PoolConfigured, ...ledgerEvents.definitions);
export type PoolEvent = EventsIn<typeof poolEvents>;

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

/** The pool stream's decider (configuration; the ledger's commands go through the allocator). */
export const poolDecider: Decider<PoolState, PoolCommand, PoolEvent> = {
  initial: initialPoolState, decide: decidePool, evolve: evolvePool, events: poolEvents,
};
