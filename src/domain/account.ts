/**
 * Account (stream `account-{id}`): one upstream account of a pool, its credentials'
 * version, cooldowns, usage and credits. Its secrets are not here: events carry only
 * their fingerprint and expiry.
 */
import { Type, type Static } from 'typebox';
import { DomainError, invalid } from './errors.ts';
import { defineEvent, eventSet, Instant, Nullable, type Decider, type EventOf, type EventsIn } from './events.ts';

export interface Cooldown {
  until: number;
  reason: string;
  /** Set when the cooldown holds for one model only. */
  model?: string;
  /** A successful probe ends it early (cooldowns after failures; never one asked for by the upstream's Retry-After). */
  endsOnProbe?: boolean;
  /** The upstream refused the account's credential: new credentials end it (and the refresher is due to get them). */
  untilRotated?: boolean;
  /** The upstream said the account has no credits: a probe that finds some ends it. */
  untilCredits?: boolean;
}

/** When usage cools an account down: 429s back off exponentially from `baseMs`; `failureThreshold` 5xx or timeouts within `failureWindowMs` cool it for `baseMs`. */
export interface CooldownPolicy {
  baseMs: number;
  maxMs: number;
  failureThreshold: number;
  failureWindowMs: number;
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
  credentials: { version: number; expiresAt: string | null; rotatedAt: string | null };
  /** Units used per model on `day` (the usage day, see `usageDay`). */
  usage: { day: string; units: Record<string, number> };
  /** Times of 5xx and timeout reports not yet turned into a cooldown. */
  failures: number[];
  /** 429s reported since the last success. */
  rateLimitStreak: number;
  credits: number | null;
  creditsCheckedAt: string | null;
}

/**
 * One frozen empty list and one frozen empty record that every account state shares
 * (states are never changed in place): a node holds 100,000 of them.
 */
export const NONE: never[] = Object.freeze([]) as never[];
const NO_UNITS: Record<string, number> = Object.freeze({});
const NO_CREDENTIALS = Object.freeze({ version: 0, expiresAt: null, rotatedAt: null });
const NO_USAGE = Object.freeze({ day: '', units: NO_UNITS });

export const initialAccountState = (): AccountState => ({
  exists: false, poolId: '', login: '', status: 'active', capabilities: NONE, region: null, cooldowns: NONE,
  credentials: NO_CREDENTIALS, usage: NO_USAGE, failures: NONE, rateLimitStreak: 0, credits: null, creditsCheckedAt: null,
});

const Credentials = Nullable(Type.Object({ fingerprint: Type.String(), expiresAt: Nullable(Type.String()) }));
type Credentials = Static<typeof Credentials>;
const joined = {
  accountId: Type.String(), poolId: Type.String(), login: Type.String(), capabilities: Type.Array(Type.String()),
  region: Nullable(Type.String()), credentials: Credentials, at: Instant,
};
/**
 * What a use of an account met; `refused`: the upstream refused its credential (a 401);
 * `no_credits`: the upstream said the account has no credits or quota left.
 */
const Outcome = Type.Union([
  Type.Literal('success'), Type.Literal('rate_limited'), Type.Literal('server_error'), Type.Literal('timeout'), Type.Literal('refused'), Type.Literal('no_credits'),
]);
export type Outcome = Static<typeof Outcome>;

export const AccountImported = defineEvent('AccountImported', Type.Object(joined));
export const AccountRegistered = defineEvent('AccountRegistered', Type.Object({ ...joined, providerId: Type.String(), jobId: Type.String() }));
export const AccountDisabled = defineEvent('AccountDisabled', Type.Object({ accountId: Type.String(), reason: Type.String(), at: Instant }));
export const AccountEnabled = defineEvent('AccountEnabled', Type.Object({ accountId: Type.String(), at: Instant }));
export const AccountCooledDown = defineEvent('AccountCooledDown', Type.Object({
  accountId: Type.String(), until: Instant, reason: Type.String(), model: Type.Optional(Type.String()), endsOnProbe: Type.Optional(Type.Boolean()),
  untilRotated: Type.Optional(Type.Boolean()), untilCredits: Type.Optional(Type.Boolean()), at: Instant,
}));
/** `probe`: only the cooldowns a probe may end (`endsOnProbe`) end; `credits`: a probe found credits, so those `untilCredits` end too. */
export const CooldownEnded = defineEvent('CooldownEnded', Type.Object({
  accountId: Type.String(), model: Type.Optional(Type.String()), reason: Type.Optional(Type.String()), probe: Type.Optional(Type.Boolean()),
  credits: Type.Optional(Type.Boolean()), at: Instant,
}));
export const AccountRetired = defineEvent('AccountRetired', Type.Object({ accountId: Type.String(), reason: Type.String(), at: Instant }));
export const CredentialsRotated = defineEvent('CredentialsRotated', Type.Object({
  accountId: Type.String(), version: Type.Integer({ minimum: 1 }), fingerprint: Type.String(), expiresAt: Nullable(Type.String()), at: Instant,
}));
/** `unblamed`: a failure the request may have caused (it failed on every account it tried): recorded, not counted toward the failure threshold. */
export const UsageReported = defineEvent('UsageReported', Type.Object({
  accountId: Type.String(), sessionId: Type.String(), outcome: Outcome, model: Nullable(Type.String()), units: Type.Number({ minimum: 0 }),
  day: Type.String(), retryAfterMs: Type.Optional(Type.Number({ minimum: 0 })), unblamed: Type.Optional(Type.Boolean()), at: Instant,
}));
export type UsageReported = EventOf<typeof UsageReported>;
export type AccountCooledDown = EventOf<typeof AccountCooledDown>;
export const CreditsChecked = defineEvent('CreditsChecked', Type.Object({ accountId: Type.String(), healthy: Type.Boolean(), credits: Nullable(Type.Number()), at: Instant }));

/** The events of an account's stream. */
export const accountEvents = eventSet(
  AccountImported, AccountRegistered, AccountDisabled, AccountEnabled, AccountCooledDown, CooldownEnded, AccountRetired,
  CredentialsRotated, UsageReported, CreditsChecked,
);
export type AccountEvent = EventsIn<typeof accountEvents>;

export type AccountCommand =
  | { type: 'ImportAccount'; accountId: string; poolId: string; login: string; capabilities: string[]; region: string | null; credentials: Credentials; now: number }
  | {
    type: 'RegisterAccount'; accountId: string; poolId: string; login: string; capabilities: string[]; region: string | null;
    credentials: Credentials; providerId: string; jobId: string; now: number;
  }
  | { type: 'DisableAccount'; accountId: string; reason: string; now: number }
  | { type: 'EnableAccount'; accountId: string; now: number }
  | { type: 'CoolDownAccount'; accountId: string; until: number; reason: string; model?: string; now: number }
  | { type: 'EndCooldown'; accountId: string; model?: string; now: number }
  | { type: 'RetireAccount'; accountId: string; reason: string; now: number }
  | { type: 'RotateCredentials'; accountId: string; fingerprint: string; expiresAt: string | null; now: number }
  | {
    type: 'ReportUsage'; accountId: string; sessionId: string; outcome: Outcome; model?: string; units: number; unblamed?: boolean;
    retryAfterMs?: number; day: string; policy: CooldownPolicy; now: number;
  }
  /** `recover`: a healthy probe may end cooldowns that end on a probe (a probe after use only records credits). */
  | { type: 'RecordProbe'; accountId: string; healthy: boolean; credits: number | null; recover: boolean; now: number };

/** Cooldowns still running at `now`. */
export function activeCooldowns(state: AccountState, now: number): Cooldown[] {
  return state.cooldowns.filter((c) => c.until > now);
}

/**
 * The latest end of the cooldowns that bar `model` at `now` (those for it and those for
 * every model), or undefined when none does.
 *
 * @example
 * coolingUntil([{ until: now + 60_000, reason: '429', model: 'm' }], 'm', now) // → now + 60_000
 */
export function coolingUntil(cooldowns: readonly Cooldown[], model: string, now: number): number | undefined {
  let until: number | undefined;
  for (const c of cooldowns) {
    if (c.until > now && (c.model === undefined || c.model === model)) until = until === undefined ? c.until : Math.max(until, c.until);
  }
  return until;
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
 * Models whose daily limit the account has reached on `day`.
 *
 * @example
 * exhaustedModels(state, '2026-11-21', { 'gpt-5': 1000 }) // → ['gpt-5'] once 1000 units are used
 */
export function exhaustedModels(state: AccountState, day: string, limits: Record<string, number>): string[] {
  if (state.usage.day !== day) return [];
  return Object.entries(limits).filter(([model, limit]) => (state.usage.units[model] ?? 0) >= limit).map(([model]) => model);
}

const NO_CREDITS = 'the upstream says it has no credits left';
/** Why an account refused again after its cooldown is disabled. */
export const REFUSED_AGAIN = 'the upstream refused its credential again after a cooldown: import new credentials, then enable it';

function cooled(accountId: string, until: number, reason: string, at: string, extra: { model?: string; endsOnProbe?: boolean; untilRotated?: boolean; untilCredits?: boolean } = {}): AccountCooledDown {
  return { type: 'AccountCooledDown', data: { accountId, until: new Date(until).toISOString(), reason, ...extra, at } };
}

/** The usage event and, when the outcome calls for it, the cooldown that follows. */
function decideUsage(command: Extract<AccountCommand, { type: 'ReportUsage' }>, state: AccountState, at: string): AccountEvent[] {
  const { accountId, sessionId, outcome, units, day, policy, now } = command;
  const model = command.model ?? null;
  const events: AccountEvent[] = [{
    type: 'UsageReported',
    data: {
      accountId, sessionId, outcome, model, units, day, ...(command.retryAfterMs !== undefined ? { retryAfterMs: command.retryAfterMs } : {}),
      ...(command.unblamed ? { unblamed: true } : {}), at,
    },
  }];
  if (outcome === 'rate_limited') {
    const backoff = Math.min(policy.maxMs, policy.baseMs * 2 ** state.rateLimitStreak);
    const given = command.retryAfterMs !== undefined;
    const reason = given ? `429 with Retry-After ${Math.ceil(command.retryAfterMs! / 1000)}s` : `429 (backoff ${Math.round(backoff / 1000)}s)`;
    events.push(cooled(accountId, now + (given ? command.retryAfterMs! : backoff), reason, at, model ? { model } : {}));
  } else if (outcome === 'refused') {
    // A credential serves no model: the account cools for all of them until it has new credentials
    // (at most the longest cooldown; a healthy probe ends it too). Once is enough while it cools.
    // Refused again within a cooldown's length of the last refusal's end, with neither new
    // credentials nor a healthy probe since (each ends that cooldown), it will not serve again
    // by itself: it is disabled, and the pool restocked.
    const last = state.cooldowns.find((c) => c.untilRotated);
    if (state.status !== 'active' || (last && last.until > now)) return events;
    if (last && now - last.until < policy.maxMs) events.push({ type: 'AccountDisabled', data: { accountId, reason: REFUSED_AGAIN, at } });
    else events.push(cooled(accountId, now + policy.maxMs, 'the upstream refused its credential', at, { endsOnProbe: true, untilRotated: true }));
  } else if (outcome === 'no_credits') {
    // Credits serve every model, and do not come back by themselves: the longest cooldown, once
    // while it runs, ended sooner by a probe that finds credits (or an operator).
    if (!activeCooldowns(state, now).some((c) => c.untilCredits)) events.push(cooled(accountId, now + policy.maxMs, NO_CREDITS, at, { untilCredits: true }));
  } else if (outcome !== 'success' && !command.unblamed) {
    const recent = state.failures.filter((t) => t > now - policy.failureWindowMs).length + 1;
    if (recent >= policy.failureThreshold) {
      const reason = `${recent} failures within ${Math.round(policy.failureWindowMs / 1000)}s`;
      events.push(cooled(accountId, now + policy.baseMs, reason, at, { endsOnProbe: true }));
    }
  }
  return events;
}

/**
 * A probe's record and, when it found the account healthy, the end of the cooldowns a probe
 * may end (with credits found, those until credits too).
 */
function decideProbe(command: Extract<AccountCommand, { type: 'RecordProbe' }>, state: AccountState, at: string): AccountEvent[] {
  const { accountId, healthy, credits, now } = command;
  const events: AccountEvent[] = [{ type: 'CreditsChecked', data: { accountId, healthy, credits, at } }];
  const found = credits !== null && credits > 0;
  if (healthy && command.recover && activeCooldowns(state, now).some((c) => c.endsOnProbe || (found && c.untilCredits))) {
    events.push({ type: 'CooldownEnded', data: { accountId, reason: 'probe succeeded', probe: true, ...(found ? { credits: true } : {}), at } });
  }
  return events;
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
  if (command.type === 'ImportAccount' || command.type === 'RegisterAccount') {
    if (state.exists) return new DomainError('account_exists', `account ${command.login} exists in pool ${state.poolId}`);
    const { poolId, login, capabilities, region, credentials } = command;
    const data = { accountId, poolId, login, capabilities, region, credentials, at };
    return command.type === 'ImportAccount'
      ? [{ type: 'AccountImported', data }]
      : [{ type: 'AccountRegistered', data: { ...data, providerId: command.providerId, jobId: command.jobId } }];
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
    case 'CoolDownAccount':
      if (command.until <= command.now) return invalid([{ field: 'until', message: 'must be in the future' }]);
      return [cooled(accountId, command.until, command.reason, at, command.model ? { model: command.model } : {})];
    case 'EndCooldown': {
      const running = activeCooldowns(state, command.now).filter((c) => command.model === undefined || c.model === command.model);
      if (!running.length) return [];
      return [{ type: 'CooldownEnded', data: { accountId, ...(command.model ? { model: command.model } : {}), reason: 'ended by operator', at } }];
    }
    case 'RetireAccount':
      return [{ type: 'AccountRetired', data: { accountId, reason: command.reason, at } }];
    case 'RotateCredentials': {
      const { fingerprint, expiresAt } = command;
      return [{ type: 'CredentialsRotated', data: { accountId, version: state.credentials.version + 1, fingerprint, expiresAt, at } }];
    }
    case 'ReportUsage':
      return decideUsage(command, state, at);
    case 'RecordProbe':
      return decideProbe(command, state, at);
  }
}

/** Folds one account event. */
export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  switch (event.type) {
    case 'AccountImported':
    case 'AccountRegistered': {
      const { poolId, login, capabilities, region, credentials, at } = event.data;
      return {
        ...state, exists: true, poolId, login, capabilities: capabilities.length ? capabilities : NONE, region, status: 'active',
        credentials: { version: credentials ? 1 : 0, expiresAt: credentials?.expiresAt ?? null, rotatedAt: credentials ? at : null },
      };
    }
    case 'AccountDisabled':
      return { ...state, status: 'disabled', disabledReason: event.data.reason };
    case 'AccountEnabled':
      return { ...state, status: 'active', disabledReason: undefined };
    case 'AccountCooledDown': {
      const { until, reason, model, endsOnProbe, untilRotated, untilCredits, at } = event.data;
      // A cooldown replaces the one for the same model, except that nothing but another ends one until new credentials.
      const others = state.cooldowns.filter((c) => c.model !== model || (c.untilRotated && !untilRotated));
      const failures = endsOnProbe ? state.failures.filter((t) => t > Date.parse(at)) : state.failures;
      const cooldown = {
        until: Date.parse(until), reason, ...(model ? { model } : {}), ...(endsOnProbe ? { endsOnProbe } : {}), ...(untilRotated ? { untilRotated } : {}), ...(untilCredits ? { untilCredits } : {}),
      };
      return { ...state, failures, cooldowns: [...others, cooldown] };
    }
    case 'CooldownEnded': {
      const { model, probe, credits } = event.data;
      if (probe) return { ...state, cooldowns: state.cooldowns.filter((c) => !c.endsOnProbe && !(credits && c.untilCredits)) };
      return { ...state, cooldowns: model === undefined ? NONE : state.cooldowns.filter((c) => c.model !== model) };
    }
    case 'AccountRetired':
      return { ...state, status: 'retired' };
    case 'CredentialsRotated': {
      const { version, expiresAt, at } = event.data;
      const cooldowns = state.cooldowns.some((c) => c.untilRotated) ? state.cooldowns.filter((c) => !c.untilRotated) : state.cooldowns;
      return { ...state, cooldowns: cooldowns.length ? cooldowns : NONE, credentials: { version, expiresAt, rotatedAt: at } };
    }
    case 'UsageReported': {
      const { outcome, model, units, day, unblamed, at } = event.data;
      const current = state.usage.day === day ? state.usage.units : NO_UNITS;
      const usage = model && units > 0 ? { day, units: { ...current, [model]: (current[model] ?? 0) + units } } : { day, units: current };
      const time = Date.parse(at);
      return {
        ...state, usage,
        rateLimitStreak: outcome === 'success' ? 0 : outcome === 'rate_limited' ? state.rateLimitStreak + 1 : state.rateLimitStreak,
        failures: (outcome === 'server_error' || outcome === 'timeout') && !unblamed ? [...state.failures, time].slice(-100) : state.failures,
      };
    }
    case 'CreditsChecked':
      return { ...state, credits: event.data.credits, creditsCheckedAt: event.data.at };
    default:
      return state;
  }
}

/** The account stream's decider. */
export const accountDecider: Decider<AccountState, AccountCommand, AccountEvent> = {
  initial: initialAccountState, decide: decideAccount, evolve: evolveAccount, events: accountEvents,
};
