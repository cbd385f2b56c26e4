/**
 * API key: a user's key for programs, one stream `apikey-{id}` each. A key is created
 * with scopes (the pools it may lease from, the gateway models it may use, read-only or
 * not), limits and an expiry; its owner rotates it (a new secret, the old one ends at
 * once), changes its scopes or limits, and revokes it for good.
 *
 * No secret is in these events: the key's hash is kept outside the log. The events hold
 * the key's visible prefix only, as a list of keys shows it.
 */
import { Type, type Static } from 'typebox';
import { DomainError } from './errors.ts';
import { defineEvent, eventSet, Instant, Nullable, type Decider, type EventsIn } from './events.ts';
import { Limits } from './limits.ts';

export const KeyScopes = Type.Object({
  /** Pools the key may lease from; null: every pool. */
  pools: Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 1000 })),
  /** Gateway models the key may use; null: every model. */
  models: Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 1000 })),
  /** A read-only key reads and changes nothing: no lease, no report. */
  readOnly: Type.Boolean(),
}, { additionalProperties: false });
export type KeyScopes = Static<typeof KeyScopes>;
/** A key's prefix, what lists and log lines show of it: `rk_` and the first 8 hex digits of its id (captured). */
export const KEY_PREFIX = /^rk_([0-9a-f]{8})$/;
/** Scopes that bind nothing: every pool, every model, reads and changes. */
export const NO_SCOPES: KeyScopes = { pools: null, models: null, readOnly: false };

const keyId = Type.String();
export const ApiKeyCreated = defineEvent('ApiKeyCreated', Type.Object({
  keyId, userId: Type.String(), name: Type.String(), prefix: Type.String(), scopes: KeyScopes, limits: Limits, expiresAt: Nullable(Instant), at: Instant,
}));
export const ApiKeyRotated = defineEvent('ApiKeyRotated', Type.Object({ keyId, prefix: Type.String(), at: Instant }));
export const ApiKeyChanged = defineEvent('ApiKeyChanged', Type.Object({
  keyId, name: Type.String(), scopes: KeyScopes, limits: Limits, expiresAt: Nullable(Instant), at: Instant,
}));
export const ApiKeyRevoked = defineEvent('ApiKeyRevoked', Type.Object({ keyId, reason: Type.String(), at: Instant }));

export const apiKeyEvents = eventSet(ApiKeyCreated, ApiKeyRotated, ApiKeyChanged, ApiKeyRevoked);
export type ApiKeyEvent = EventsIn<typeof apiKeyEvents>;

/** What a key is, as its owner sets it. */
export interface KeySettings {
  name: string;
  scopes: KeyScopes;
  limits: Limits;
  /** ms since the epoch; null: never expires. */
  expiresAt: number | null;
}

export type ApiKeyCommand =
  | { type: 'CreateKey'; keyId: string; userId: string; prefix: string; settings: KeySettings; now: number }
  | { type: 'RotateKey'; keyId: string; prefix: string; now: number }
  | { type: 'ChangeKey'; keyId: string; settings: KeySettings; now: number }
  | { type: 'RevokeKey'; keyId: string; reason: string; now: number };

export interface ApiKeyState extends KeySettings {
  exists: boolean;
  userId: string;
  prefix: string;
  status: 'active' | 'revoked';
  createdAt: number;
}

export const initialApiKeyState = (): ApiKeyState => ({
  exists: false, userId: '', prefix: '', status: 'active', createdAt: 0, name: '', scopes: NO_SCOPES, limits: {}, expiresAt: null,
});

const at = (now: number) => new Date(now).toISOString();
const iso = (ms: number | null) => (ms === null ? null : at(ms));

/** Whether a key works at `now`: it exists, is not revoked and has not expired. */
export const keyUsable = (state: ApiKeyState, now: number) => state.exists && state.status === 'active' && (state.expiresAt === null || state.expiresAt > now);

/**
 * Decides a key command against the key's state.
 *
 * @example
 * decideApiKey({ type: 'RevokeKey', keyId: 'k1', reason: 'leaked', now }, state)
 * // → [{ type: 'ApiKeyRevoked', data: { keyId: 'k1', reason: 'leaked', at } }]
 */
export function decideApiKey(command: ApiKeyCommand, state: ApiKeyState): ApiKeyEvent[] | DomainError {
  const { keyId, now } = command;
  if (command.type === 'CreateKey') {
    if (state.exists) return new DomainError('key_exists', `key ${keyId} exists`);
    const { name, scopes, limits, expiresAt } = command.settings;
    return [{ type: 'ApiKeyCreated', data: { keyId, userId: command.userId, name, prefix: command.prefix, scopes, limits, expiresAt: iso(expiresAt), at: at(now) } }];
  }
  if (!state.exists) return new DomainError('key_not_found', `key ${keyId} does not exist`);
  switch (command.type) {
    case 'RevokeKey':
      return state.status === 'revoked' ? [] : [{ type: 'ApiKeyRevoked', data: { keyId, reason: command.reason, at: at(now) } }];
    case 'RotateKey':
      if (state.status === 'revoked') return new DomainError('key_revoked', `key ${keyId} is revoked`);
      return [{ type: 'ApiKeyRotated', data: { keyId, prefix: command.prefix, at: at(now) } }];
    case 'ChangeKey': {
      if (state.status === 'revoked') return new DomainError('key_revoked', `key ${keyId} is revoked`);
      const { name, scopes, limits, expiresAt } = command.settings;
      return [{ type: 'ApiKeyChanged', data: { keyId, name, scopes, limits, expiresAt: iso(expiresAt), at: at(now) } }];
    }
  }
}

/** Folds one event of a key's stream. */
export function evolveApiKey(state: ApiKeyState, event: ApiKeyEvent): ApiKeyState {
  const time = (value: string | null) => (value === null ? null : Date.parse(value));
  switch (event.type) {
    case 'ApiKeyCreated': {
      const { userId, name, prefix, scopes, limits, expiresAt, at: created } = event.data;
      return { ...state, exists: true, userId, name, prefix, scopes, limits, expiresAt: time(expiresAt), createdAt: Date.parse(created) };
    }
    case 'ApiKeyRotated':
      return { ...state, prefix: event.data.prefix };
    case 'ApiKeyChanged': {
      const { name, scopes, limits, expiresAt } = event.data;
      return { ...state, name, scopes, limits, expiresAt: time(expiresAt) };
    }
    case 'ApiKeyRevoked':
      return { ...state, status: 'revoked' };
    default:
      return state;
  }
}

/** The key stream's decider. */
export const apiKeyDecider: Decider<ApiKeyState, ApiKeyCommand, ApiKeyEvent> = {
  initial: initialApiKeyState, decide: decideApiKey, evolve: evolveApiKey, events: apiKeyEvents,
};
