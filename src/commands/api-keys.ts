/**
 * Users' API keys: create (the key is shown once), list, change, rotate, revoke, and the
 * check of a key a request carries. Each key is a stream `apikey-{id}` (domain/api-key.ts);
 * its hash is kept by `ApiKeySecrets`, outside the log, written after the event it follows.
 */
import { randomUUID } from 'node:crypto';
import { apiKeyDecider, keyUsable, type ApiKeyState, type KeySettings } from '../domain/api-key.ts';
import { DomainError } from '../domain/errors.ts';
import type { ApiKeySecrets } from '../store/api-keys.ts';
import { prefixOf } from '../store/api-keys.ts';
import type { EventStore } from '../store/port.ts';
import type { CommandContext } from './context.ts';
import { catchUp, positioned, runCommand } from './runner.ts';
import { knownUser } from './users.ts';

export interface KeyDeps {
  store: EventStore;
  keys: ApiKeySecrets;
  /** Keys checked recently (see `KeyCache`): a changed key is forgotten there. */
  keyCache?: { evict(keyId: string): void };
}

/** A key as its owner sees it: never its secret. */
export interface KeyView {
  keyId: string;
  userId: string;
  name: string;
  prefix: string;
  status: 'active' | 'revoked' | 'expired';
  scopes: KeySettings['scopes'];
  limits: KeySettings['limits'];
  expiresAt: string | null;
  createdAt: string;
}

const stream = (keyId: string) => `apikey-${keyId}`;

/** A key as a command that changed it answers: with the change's position. */
export type ChangedKey = KeyView & { position?: string };

/** The key's view, its status as of now. */
export function keyView(keyId: string, s: ApiKeyState, now = Date.now()): KeyView {
  const status = s.status === 'revoked' ? 'revoked' : keyUsable(s, now) ? 'active' : 'expired';
  return {
    keyId, userId: s.userId, name: s.name, prefix: s.prefix, status, scopes: s.scopes, limits: s.limits,
    expiresAt: s.expiresAt === null ? null : new Date(s.expiresAt).toISOString(), createdAt: new Date(s.createdAt).toISOString(),
  };
}

/**
 * Creates a key for a user; answers the key itself, which is never shown again.
 *
 * @example
 * const { key } = await createKey(deps, userId, { name: 'ci', scopes: { pools: ['default'], models: null, readOnly: false }, limits: {}, expiresAt: null }, ctx);
 */
export async function createKey(deps: KeyDeps, userId: string, settings: KeySettings, ctx: CommandContext): Promise<ChangedKey & { key: string }> {
  const user = await knownUser(deps.store, userId);
  if (!user) throw new DomainError('user_not_found', `user ${userId} does not exist`);
  if (user.status === 'disabled') throw new DomainError('user_disabled', `user ${userId} is disabled: its keys would not work`);
  if (settings.expiresAt !== null && settings.expiresAt <= Date.now()) throw new DomainError('invalid_input', 'expiresAt: must be in the future', [{ field: 'expiresAt', message: 'must be in the future' }]);
  const keyId = randomUUID();
  const { state, position } = await runCommand(deps.store, stream(keyId), apiKeyDecider, { type: 'CreateKey', keyId, userId, prefix: prefixOf(keyId), settings, now: Date.now() }, ctx);
  const key = await deps.keys.issue(keyId, userId);
  return { ...keyView(keyId, state), key, ...positioned(position) };
}

/** The key's state; a key of another user is not found (unless `userId` is null: an admin). */
export async function keyOf(deps: KeyDeps, keyId: string, userId: string | null): Promise<ApiKeyState> {
  const { state } = await catchUp(deps.store, stream(keyId), apiKeyDecider);
  if (!state.exists || (userId !== null && state.userId !== userId)) throw new DomainError('key_not_found', `key ${keyId} does not exist`);
  return state;
}

/** A user's keys, oldest first, revoked ones included. */
export async function listKeys(deps: KeyDeps, userId: string): Promise<KeyView[]> {
  const ids = await deps.keys.idsOf(userId);
  const states = await Promise.all(ids.map(async (id) => ({ id, state: (await catchUp(deps.store, stream(id), apiKeyDecider)).state })));
  return states.filter((k) => k.state.exists).map((k) => keyView(k.id, k.state));
}

/** A user's keys, for an admin who names the user: 404 when there is no such user. */
export async function keysOfUser(deps: KeyDeps, userId: string): Promise<KeyView[]> {
  if (!(await knownUser(deps.store, userId))) throw new DomainError('user_not_found', `user ${userId} does not exist`);
  return listKeys(deps, userId);
}

/** A new secret for a key; the old one stops working at once. */
export async function rotateKey(deps: KeyDeps, keyId: string, userId: string | null, ctx: CommandContext): Promise<ChangedKey & { key: string }> {
  const owner = await keyOf(deps, keyId, userId);
  const { state, position } = await runCommand(deps.store, stream(keyId), apiKeyDecider, { type: 'RotateKey', keyId, prefix: prefixOf(keyId), now: Date.now() }, ctx);
  const key = await deps.keys.issue(keyId, owner.userId);
  deps.keyCache?.evict(keyId);
  return { ...keyView(keyId, state), key, ...positioned(position) };
}

/** Changes a key's name, scopes, limits or expiry (what is not given stays). */
export async function changeKey(deps: KeyDeps, keyId: string, userId: string | null, change: Partial<KeySettings>, ctx: CommandContext): Promise<ChangedKey> {
  const current = await keyOf(deps, keyId, userId);
  const settings: KeySettings = {
    name: change.name ?? current.name, scopes: change.scopes ?? current.scopes, limits: change.limits ?? current.limits,
    expiresAt: change.expiresAt === undefined ? current.expiresAt : change.expiresAt,
  };
  const { state, position } = await runCommand(deps.store, stream(keyId), apiKeyDecider, { type: 'ChangeKey', keyId, settings, now: Date.now() }, ctx);
  deps.keyCache?.evict(keyId);
  return { ...keyView(keyId, state), ...positioned(position) };
}

/** Revokes a key for good; revoking twice changes nothing. */
export async function revokeKey(deps: KeyDeps, keyId: string, userId: string | null, reason: string, ctx: CommandContext): Promise<ChangedKey> {
  await keyOf(deps, keyId, userId);
  const { state, position } = await runCommand(deps.store, stream(keyId), apiKeyDecider, { type: 'RevokeKey', keyId, reason, now: Date.now() }, ctx);
  await deps.keys.forget(keyId);
  deps.keyCache?.evict(keyId);
  return { ...keyView(keyId, state), ...positioned(position) };
}

/**
 * The key a request carries, if it is current, not revoked and not expired.
 *
 * @example
 * const found = await checkKey(deps, 'rk_…'); // → { keyId, state } or undefined
 */
export async function checkKey(deps: KeyDeps, key: string): Promise<{ keyId: string; state: ApiKeyState } | undefined> {
  const found = await deps.keys.check(key);
  if (!found) return undefined;
  const { state } = await catchUp(deps.store, stream(found.keyId), apiKeyDecider);
  return keyUsable(state, Date.now()) ? { keyId: found.keyId, state } : undefined;
}
