/**
 * Identities of a pool (stream `identities-{poolId}`): the email addresses (and, in the
 * vault, passwords and extra fields) that registration jobs sign up with. An identity is
 * registered exactly when an account exists for it in the pool; its id is that account's id.
 */
import type { DomainEvent } from './errors.ts';

export interface IdentityEntry {
  identityId: string;
  email: string;
  /** Names of the extra fields kept for it in the vault (their values are secret). */
  fields: string[];
}

export interface IdentitiesState {
  known: Set<string>;
}

export const initialIdentities = (): IdentitiesState => ({ known: new Set() });

export type IdentitiesImported = DomainEvent<'IdentitiesImported', { poolId: string; identities: IdentityEntry[]; at: string }>;
export type IdentitiesEvent = IdentitiesImported;
export type IdentitiesCommand = { type: 'ImportIdentities'; poolId: string; identities: IdentityEntry[]; now: number };

/**
 * Imports the identities not known yet; the others are duplicates and change nothing.
 *
 * @example
 * decideIdentities({ type: 'ImportIdentities', poolId: 'p', identities: [{ identityId, email, fields: [] }], now }, state)
 * // → [{ type: 'IdentitiesImported', data: { poolId: 'p', identities: [...], at } }]
 */
export function decideIdentities(command: IdentitiesCommand, state: IdentitiesState): IdentitiesEvent[] {
  const fresh = command.identities.filter((i) => !state.known.has(i.identityId));
  if (!fresh.length) return [];
  return [{ type: 'IdentitiesImported', data: { poolId: command.poolId, identities: fresh, at: new Date(command.now).toISOString() } }];
}

export function evolveIdentities(state: IdentitiesState, event: IdentitiesEvent): IdentitiesState {
  const known = new Set(state.known);
  for (const i of event.data.identities) known.add(i.identityId);
  return { known };
}
