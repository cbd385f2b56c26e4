/**
 * Encoding and decoding events at the store's edge: every adapter encodes on append
 * (checks the data against its type's schema and records the version in the metadata as
 * `schemaVersion`) and decodes on read (upcasts older versions, then checks).
 */
import * as Data from 'effect/Data';
import { Compile } from 'typebox/compile';
import { rosterEvents, type RosterEvent } from '../domain/catalog.ts';
import type { DomainEvent, EventDefinition, EventSet } from '../domain/events.ts';
import type { NewEvent, RecordedEvent } from './port.ts';

/** An event as an adapter reads it, before decoding. */
export type RawEvent = RecordedEvent<DomainEvent>;

export interface EventCodec<E extends DomainEvent> {
  /** The event as stored: checked, with its schema version in the metadata. Throws `InvalidEvent`. */
  encode(event: NewEvent<E>): NewEvent<E>;
  /** The event as read, upcast to its current version and checked. Throws `InvalidEvent`. */
  decode(raw: RawEvent): RecordedEvent<E>;
}

/** An event that does not fit its type's schema, or of a type the codec does not know. */
export class InvalidEvent extends Data.TaggedError('InvalidEvent')<{ readonly type: string; readonly message: string }> {
  constructor(type: string, detail: string) {
    super({ type, message: `event ${type}: ${detail}` });
  }
}

/**
 * A codec for the events of `set`.
 *
 * @example
 * const codec = codecFor(rosterEvents);
 * await store.append(stream, [codec.encode(event)], revision);
 */
export function codecFor<E extends DomainEvent>(set: EventSet<E>): EventCodec<E> {
  const byType = new Map(set.definitions.map((d) => [d.type, { definition: d, validator: Compile(d.schema) }]));
  const spec = (type: string) => {
    const found = byType.get(type);
    if (!found) throw new InvalidEvent(type, 'unknown event type');
    return found;
  };
  type Spec = NonNullable<ReturnType<typeof byType.get>>;
  const check = ({ definition, validator }: Spec, data: unknown, where: string) => {
    if (validator.Check(data)) return;
    const first = validator.Errors(data)[0];
    throw new InvalidEvent(definition.type, `${where}: ${first ? `${first.instancePath || '/'} ${first.message}` : 'does not match its schema'}`);
  };
  function isDecoded(found: Spec, event: RawEvent): event is RecordedEvent<E> {
    check(found, event.data, `${event.stream}@${event.revision}`);
    return set.has(event);
  }
  return {
    encode(event) {
      const found = spec(event.type);
      check(found, event.data, 'on append');
      return { ...event, metadata: { ...event.metadata, schemaVersion: found.definition.version } };
    },
    decode(raw) {
      const found = spec(raw.type);
      const event = upcast(found.definition, raw);
      if (isDecoded(found, event)) return event;
      throw new InvalidEvent(raw.type, 'not of this codec');
    },
  };
}

/** The event at its definition's version. */
function upcast(definition: EventDefinition, raw: RawEvent): RawEvent {
  const stored = Number(raw.metadata.schemaVersion ?? 1);
  if (stored === definition.version) return raw;
  if (!(stored >= 1 && stored < definition.version)) throw new InvalidEvent(raw.type, `version ${stored} is newer than this build knows (${definition.version})`);
  let data = raw.data as Record<string, unknown>;
  for (let v = stored; v < definition.version; v++) data = definition.upcast[v]!(data);
  return { ...raw, data, metadata: { ...raw.metadata, schemaVersion: definition.version } };
}

/** Roster's events. */
export const rosterCodec: EventCodec<RosterEvent> = codecFor(rosterEvents);

/** Stores any event as it is: for the store contract suite, whose events are not Roster's. */
export const plainCodec: EventCodec<DomainEvent> = { encode: (event) => event, decode: (raw) => raw };
