/**
 * Identities of a pool (stream `identities-{poolId}`): the email addresses (and, in the
 * vault, passwords and extra fields) that registration jobs sign up with. An identity is
 * registered exactly when an account exists for it in the pool; its id is that account's id.
 */
import { Type, type Static } from 'typebox';
import { defineEvent, eventSet, Instant, type Decider, type EventOf } from './events.ts';

const IdentityEntry = Type.Object({
  identityId: Type.String(),
  email: Type.String(),
  /** Names of the extra fields kept for it in the vault (their values are secret). */
  fields: Type.Array(Type.String()),
});
export type IdentityEntry = Static<typeof IdentityEntry>;

export interface IdentitiesState {
  known: Set<string>;
}

export const initialIdentities = (): IdentitiesState => ({ known: new Set() });

export const IdentitiesImported = defineEvent('IdentitiesImported', Type.Object({ poolId: Type.String(), identities: Type.Array(IdentityEntry), at: Instant }));
export type IdentitiesImported = EventOf<typeof IdentitiesImported>;
/** The events of a pool's identities stream. */
export const identitiesEvents = eventSet(IdentitiesImported);
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

/** The identities stream's decider. */
export const identitiesDecider: Decider<IdentitiesState, IdentitiesCommand, IdentitiesEvent> = {
  initial: initialIdentities, decide: decideIdentities, evolve: evolveIdentities, events: identitiesEvents,
};
