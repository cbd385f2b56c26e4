/**
 * Events as schemas: each domain module declares its events here with a typebox schema and
 * a version; the store adapters encode them on append and decode them on read, upcasting
 * older versions (store/codec.ts).
 */
import { Type, type Static, type TSchema } from 'typebox';
import type { DomainError } from './errors.ts';

/** Turns the data of version `n` into the data of version `n + 1`. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** One event type: its name, its current version and schema, and the way up from older versions. */
export interface EventDefinition<T extends string = string, S extends TSchema = TSchema> {
  type: T;
  version: number;
  schema: S;
  /** `upcast[n]` turns version n into n + 1, for every n below `version`. */
  upcast: Record<number, Upcaster>;
}

/** An event as a decider returns it: type and data; ids and metadata come from the command runner. */
export interface DomainEvent<T extends string = string, D = unknown> {
  type: T;
  data: D;
}

/** The event a definition describes. */
export type EventOf<D> = D extends EventDefinition<infer T, infer S> ? DomainEvent<T, Static<S>> : never;

/**
 * Declares an event type at version 1, or at a later version with an upcaster from each older one.
 *
 * @example
 * const AccountEnabled = defineEvent('AccountEnabled', Type.Object({ accountId: Type.String(), at: Type.String() }));
 * type AccountEnabled = EventOf<typeof AccountEnabled>;
 */
export function defineEvent<T extends string, S extends TSchema>(
  type: T, schema: S, versions: { version: number; upcast: Record<number, Upcaster> } = { version: 1, upcast: {} },
): EventDefinition<T, S> {
  for (let v = 1; v < versions.version; v++) if (!versions.upcast[v]) throw new Error(`${type}: no upcaster from version ${v}`);
  return { type, schema, ...versions };
}

/** The events of one stream kind, with a guard that narrows a recorded event to them. */
export interface EventSet<E extends DomainEvent, L extends readonly EventDefinition[] = readonly EventDefinition[]> {
  definitions: L;
  /** True when the event is one of this set's types. */
  has<X extends DomainEvent>(event: X): event is Extract<X, E>;
}

/**
 * Groups the definitions of one stream kind.
 *
 * @example
 * const accountEvents = eventSet(AccountImported, AccountEnabled);
 * if (accountEvents.has(recorded)) evolveAccount(state, recorded);
 */
export function eventSet<L extends EventDefinition[]>(...definitions: L): EventSet<EventOf<L[number]>, L> {
  const types = new Set<string>(definitions.map((d) => d.type));
  return { definitions, has: <X extends DomainEvent>(event: X): event is Extract<X, EventOf<L[number]>> => types.has(event.type) };
}

/** A stream kind's rules (Emmett's decider): pure functions over its events. */
export interface Decider<S, C, E extends DomainEvent> {
  initial: () => S;
  decide: (command: C, state: S) => E[] | DomainError;
  evolve: (state: S, event: E) => S;
  /** The stream's events: others in the stream are not folded. */
  events: EventSet<E>;
}

/** The events of a set. */
export type EventsIn<S> = S extends EventSet<infer E, readonly EventDefinition[]> ? E : never;

/** An ISO 8601 time, as every event's `at`. */
export const Instant = Type.String({ minLength: 1 });
/** Nullable, as JSON has it. */
export const Nullable = <S extends TSchema>(schema: S) => Type.Union([schema, Type.Null()]);
