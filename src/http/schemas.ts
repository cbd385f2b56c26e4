import { Type, type Static, type TSchema } from 'typebox';
import { Nullable } from '../domain/events.ts';
import { strategies } from '../domain/pool.ts';
import { ImportItem } from '../commands/accounts.ts';

export { ImportItem };

export const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'letters, digits, `_.-`; up to 64' });
/** An event-store position as command answers give it: 20 digits, or 20 digits `.` 20 digits; empty is the start of the log. */
export const PositionText = Type.String({ pattern: '^([0-9]{20}(\\.[0-9]{20})?)?$', description: 'an event-store position, as a command answer gives it (empty: the start of the log)' });
export const Position = Type.Optional(Type.String({ ...PositionText, description: 'wait until read models reach this position (from a command answer)' }));
/** How far into a listing a page starts. */
export const Offset = Type.Integer({ minimum: 0, maximum: 100_000_000, default: 0 });

export const PoolConfigFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  providerId: Type.String({ minLength: 1, maxLength: 100 }),
  minSize: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  maxSize: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  defaultLeaseTtlMs: Type.Integer({ minimum: 1000, maximum: 30 * 86_400_000 }),
  maxLeaseTtlMs: Type.Integer({ minimum: 1000, maximum: 30 * 86_400_000 }),
  strategy: Type.Enum(strategies),
  health: Type.Object({
    lowRatio: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    criticalRatio: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
  }, { additionalProperties: false }),
  cooldown: Type.Object({
    baseMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 30 * 86_400_000 })),
    maxMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 30 * 86_400_000 })),
    failureThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    failureWindowMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 86_400_000 })),
  }, { additionalProperties: false }),
  // (A record's key binds only through a pattern, and only with additionalProperties false.)
  dailyLimits: Type.Record(Type.String({ pattern: '^[\\s\\S]{1,200}$' }), Type.Number({ minimum: 0 }), { description: 'units per model and usage day', additionalProperties: false, maxProperties: 1000 }),
  exclusive: Type.Boolean({ description: 'the gateway leases each account it uses, so that gateway use and leases never share an account on any node' }),
};

/** The configuration fields a create or configure request may leave out. */
const OptionalPoolFields = {
  providerId: Type.Optional(PoolConfigFields.providerId),
  minSize: Type.Optional(PoolConfigFields.minSize),
  maxSize: Type.Optional(PoolConfigFields.maxSize),
  defaultLeaseTtlMs: Type.Optional(PoolConfigFields.defaultLeaseTtlMs),
  maxLeaseTtlMs: Type.Optional(PoolConfigFields.maxLeaseTtlMs),
  strategy: Type.Optional(PoolConfigFields.strategy),
  health: Type.Optional(PoolConfigFields.health),
  cooldown: Type.Optional(PoolConfigFields.cooldown),
  dailyLimits: Type.Optional(PoolConfigFields.dailyLimits),
  exclusive: Type.Optional(PoolConfigFields.exclusive),
};

export const CreatePoolBody = Type.Object({ poolId: Id, name: PoolConfigFields.name, ...OptionalPoolFields }, { additionalProperties: false });

export const ConfigurePoolBody = Type.Object(
  { name: Type.Optional(PoolConfigFields.name), ...OptionalPoolFields },
  { additionalProperties: false, minProperties: 1 },
);

export const ImportBody = Type.Object({
  accounts: Type.Optional(Type.Array(ImportItem, { maxItems: 10000 })),
  lines: Type.Optional(Type.String({ maxLength: 1_048_576, description: 'email:password[:refresh_token], one per line' })),
}, { additionalProperties: false, minProperties: 1 });

export const Reason = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });

export const CooldownBody = Type.Object({
  until: Type.Optional(Type.String({ format: 'date-time' })),
  durationMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86_400_000 })),
  reason: Type.String({ minLength: 1, maxLength: 500 }),
  model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
}, { additionalProperties: false });

export const AllocateBody = Type.Object({
  sessionId: Type.Optional(Id),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  ttlMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 30 * 86_400_000 })),
  waitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 120_000 })),
  holder: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  capabilities: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 50 })),
  region: Type.Optional(Type.String({ minLength: 1 })),
  model: Type.Optional(Type.String({ minLength: 1 })),
  needsCredits: Type.Optional(Type.Boolean({ description: 'skip accounts whose last probe found no credits' })),
}, { additionalProperties: false });

export const LeaseSecretBody = Type.Object({
  leaseSecret: Type.String({ minLength: 1, maxLength: 200 }),
  ttlMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 30 * 86_400_000 })),
}, { additionalProperties: false });

export type AllocateBodyT = Static<typeof AllocateBody>;

/** RFC 9457 problem details, as every error answers. */
export const Problem = Type.Object({
  type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.String(), code: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String(), in: Type.Optional(Type.String()) }))),
  success: Type.Optional(Type.Boolean({ description: 'the existing account-pool API only' })),
  message: Type.Optional(Type.String({ description: 'the existing account-pool API only' })),
}, { description: 'problem+json' });

/**
 * A route's answers: its successes, and problem+json for every 4xx and 5xx.
 *
 * @example
 * app.get('/v1/pools', { schema: { response: answers({ 200: PoolList }) } }, handler);
 */
export function answers<R extends Record<number, TSchema>>(ok: R) {
  return { ...ok, '4xx': Problem, '5xx': Problem };
}

const Health = Type.Object({ lowRatio: Type.Number(), criticalRatio: Type.Number() });
const Cooldown = Type.Object({ baseMs: Type.Number(), maxMs: Type.Number(), failureThreshold: Type.Number(), failureWindowMs: Type.Number() });
const configFields = {
  name: Type.String(), providerId: Type.String(), minSize: Type.Integer(), maxSize: Type.Integer(),
  defaultLeaseTtlMs: Type.Integer(), maxLeaseTtlMs: Type.Integer(), strategy: Type.Enum(strategies),
  cooldown: Cooldown, dailyLimits: Type.Record(Type.String(), Type.Number()), exclusive: Type.Boolean(),
};
/** A pool's whole configuration. */
export const PoolConfigView = Type.Object({ ...configFields, health: Health });
/** A pool as listed: its configuration, counts of its accounts, live sessions and health level. */
export const PoolView = Type.Object({
  poolId: Type.String(), ...configFields,
  counts: Type.Object({ total: Type.Integer(), available: Type.Integer(), leased: Type.Integer(), cooling: Type.Integer(), disabled: Type.Integer(), retired: Type.Integer() }),
  activeSessions: Type.Integer(),
  health: Type.Enum(['healthy', 'low', 'critical'], { description: 'available accounts against minSize × the health ratios' }),
});
/** A command's answer about a pool's configuration; `position` is absent when nothing changed. */
export const PoolConfigured = Type.Object({ poolId: Type.String(), config: PoolConfigView, position: Type.Optional(PositionText) });
export const RefreshAnswer = Type.Object({
  refreshed: Type.Integer(), skipped: Type.Integer(), failed: Type.Integer(), revoked: Type.Integer(),
  results: Type.Array(Type.Object({ accountId: Type.String(), outcome: Type.Enum(['refreshed', 'revoked', 'failed', 'skipped']), detail: Type.Optional(Type.String()) })),
});
export const Replenishment = Type.Object({
  poolId: Type.String(), requested: Type.Integer(), registering: Type.Integer(), jobId: Type.Union([Type.String(), Type.Null()]), detail: Type.String(),
});

const Instant = Type.String({ description: 'ISO 8601 time' });
const AccountStatus = Type.Enum(['active', 'disabled', 'retired']);
/** An account's cooldowns: until when, why, for one model or all. */
const CooldownsView = Type.Array(Type.Object({ until: Instant, reason: Type.String(), model: Type.Optional(Type.String()), endsOnProbe: Type.Optional(Type.Boolean()) }));
const Credentials = Type.Object({
  password: Type.Optional(Type.String()), accessToken: Type.Optional(Type.String()), refreshToken: Type.Optional(Type.String()),
  idToken: Type.Optional(Type.String()), extra: Type.Optional(Type.Record(Type.String(), Type.String())),
});
/** A new session: its secret (shown once), its expiry and each leased account with its credentials. */
export const Allocation = Type.Object({
  poolId: Type.String(), sessionId: Type.String(), leaseSecret: Type.String({ description: 'shown once; renew and release need it' }),
  expiresAt: Instant, position: Type.Optional(PositionText),
  leases: Type.Array(Type.Object({
    accountId: Type.String(), fence: Type.Integer(), login: Type.String(), credentials: Type.Union([Credentials, Type.Null()]),
    importedAt: Type.String(), useCount: Type.Integer(), lastUsed: Nullable(Instant),
  })),
});
export const Renewed = Type.Object({ sessionId: Type.String(), expiresAt: Instant, position: Type.Optional(PositionText) });
export const Released = Type.Object({ sessionId: Type.String(), released: Type.Boolean({ description: 'false when it had ended already' }), position: Type.Optional(PositionText) });
export const SessionView = Type.Object({
  poolId: Type.String(), sessionId: Type.String(), holder: Type.String(), status: Type.Enum(['live', 'released', 'expired']),
  leases: Type.Array(Type.Object({ accountId: Type.String(), fence: Type.Integer() })),
  expiresAt: Instant, allocatedAt: Instant, endedAt: Nullable(Instant),
});
export const SessionList = Type.Object({
  items: Type.Array(Type.Object({ ...SessionView.properties, logins: Type.Array(Type.String(), { description: 'the leased accounts\' logins, in lease order' }) })),
  total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(),
});
/** Releasing: the lease secret, which an operator (not an API key) may leave out. */
export const ReleaseBody = Type.Object({
  leaseSecret: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'required of an API key; an operator or admin may release without it' })),
}, { additionalProperties: false });
export const OutcomeAnswer = Type.Object({
  accountId: Type.String(), events: Type.Array(Type.String()),
  cooldowns: CooldownsView,
  position: Type.Optional(PositionText),
});

/** An account as the API shows it: never its secrets. */
export const AccountView = Type.Object({
  accountId: Type.String(), poolId: Type.String(), login: Type.String(), status: AccountStatus,
  disabledReason: Nullable(Type.String()), capabilities: Type.Array(Type.String()), region: Nullable(Type.String()),
  cooldowns: CooldownsView,
  cooldownUntil: Nullable(Instant), credentialsExpiresAt: Nullable(Instant), credentialsRotatedAt: Nullable(Instant),
  credentialsVersion: Type.Integer(), credits: Nullable(Type.Number()), creditsCheckedAt: Nullable(Instant),
  sessionId: Nullable(Type.String()), fence: Type.Integer(), leasedUntil: Nullable(Instant), useCount: Type.Integer(),
  lastUsed: Nullable(Instant), importedAt: Nullable(Instant), updatedAt: Nullable(Instant),
});
export const AccountList = Type.Object({
  items: Type.Array(AccountView), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(),
  next: Nullable(Type.String({ description: 'the cursor of the page after this one (`after`), null on the last page' })),
});
/** What an account command did: `changed` false when the account was that way already. */
export const AccountChanged = Type.Object({
  accountId: Type.String(), status: AccountStatus, changed: Type.Boolean(), events: Type.Array(Type.String()),
  position: Type.Optional(PositionText),
});
export const ImportAnswer = Type.Object({
  imported: Type.Integer(), updated: Type.Integer(), duplicates: Type.Integer(), invalid: Type.Integer(), position: Type.Optional(PositionText),
  lines: Type.Array(Type.Object({
    line: Type.Integer(), login: Nullable(Type.String()), result: Type.Enum(['imported', 'updated', 'duplicate', 'invalid']),
    accountId: Type.Optional(Type.String()), error: Type.Optional(Type.String()),
  })),
});
export const ProbeAnswer = Type.Object({ accountId: Type.String(), credits: Nullable(Type.Number()), checkedAt: Nullable(Instant) });
export const UsageList = Type.Array(Type.Object({
  model: Type.String(), day: Type.String({ description: 'YYYY-MM-DD' }), units: Type.Number(), requests: Type.Integer(), rate_limited: Type.Integer(), failures: Type.Integer(),
}));

const AnyObject = Type.Record(Type.String(), Type.Unknown());
export const ProviderList = Type.Array(Type.Object({
  providerId: Type.String(),
  limits: Type.Object({ minRefreshIntervalMs: Type.Number(), maxConcurrency: Type.Integer(), ratePerSecond: Type.Number(), burst: Type.Number() }),
  can: Type.Object({ register: Type.Boolean(), refresh: Type.Boolean(), probe: Type.Boolean() }),
}));
export const FlowsView = Type.Object({
  active: Type.Integer(), threads: Type.Integer(), queued: Type.Integer(),
  pacing: Type.Object({ callsPerSecond: Nullable(Type.Number()), waiting: Type.Integer() }),
});
export const IdentitiesImported = Type.Object({
  imported: Type.Integer(), duplicates: Type.Integer(), invalid: Type.Integer(), position: Type.Optional(PositionText),
  lines: Type.Array(Type.Object({
    line: Type.Integer(), email: Nullable(Type.String()), result: Type.Enum(['imported', 'duplicate', 'invalid']),
    identityId: Type.Optional(Type.String()), error: Type.Optional(Type.String()),
  })),
});
export const IdentityList = Type.Object({
  items: Type.Array(Type.Object({ identityId: Type.String(), email: Type.String(), fields: Type.Array(Type.String()), registered: Type.Boolean(), importedAt: Nullable(Instant) })),
  total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer(),
});
export const JobStarted = Type.Object({ jobId: Type.String(), config: AnyObject, position: Type.Optional(PositionText) });
export const JobView = Type.Object({
  jobId: Type.String(), poolId: Type.String(), providerId: Type.String(), status: Type.Enum(['running', 'paused', 'stopped', 'completed']),
  stalled: Type.Boolean(), config: AnyObject,
  counts: Type.Object({ succeeded: Type.Integer(), failed: Type.Integer(), retrying: Type.Integer(), attempts: Type.Integer() }),
  startedAt: Nullable(Instant), updatedAt: Nullable(Instant), endedAt: Nullable(Instant),
  supervisor: Nullable(Type.Object({ nodeId: Type.String(), heartbeatAt: Nullable(Instant) })),
});
export const AttemptList = Type.Array(Type.Object({
  seq: Type.Integer(), identityId: Type.String(), email: Type.String(), attempt: Type.Integer(), outcome: Type.Enum(['succeeded', 'retrying', 'failed']),
  step: Type.String(), durationMs: Type.Number(), error: Nullable(Type.String()), retryAt: Nullable(Instant), at: Nullable(Instant),
}));
export const JobControlled = Type.Object({ jobId: Type.String(), events: Type.Array(Type.String()), status: Type.String() });

const Holding = Type.Object({
  sessionId: Type.String(), holder: Type.String(), from: Instant, until: Instant, end: Type.Enum(['released', 'expired', 'live']),
});
const TimelineEntry = Type.Object({
  position: Type.String(), stream: Type.String(), revision: Type.Integer(), type: Type.String(), at: Instant, actor: Type.String(),
  correlationId: Type.String(), causationId: Type.Optional(Type.String()), requestId: Type.Optional(Type.String()), traceparent: Type.Optional(Type.String()),
  data: Type.Unknown(),
});
export const AccountHistory = Type.Object({ accountId: Type.String(), poolId: Type.String(), events: Type.Array(TimelineEntry, { description: 'oldest first' }) });
export const AccountAsOf = Type.Object({
  accountId: Type.String(), at: Instant, position: Nullable(Type.String()), state: AnyObject, heldBy: Nullable(Holding),
});
export const AccountHolders = Type.Object({ accountId: Type.String(), items: Type.Array(Holding) });
export const AuditPage = Type.Object({ total: Type.Integer(), items: Type.Array(AnyObject) });
export const Ready = Type.Object({ status: Type.String(), projectionLagSeconds: Type.Optional(Type.Number()), boundSeconds: Type.Optional(Type.Number()) });
