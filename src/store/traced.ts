import { startSpan, tracesRecorded } from '../telemetry.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { EventStore, NewEvent } from './port.ts';

/**
 * The store with an `append` span in the trace of each request whose events it writes
 * (one database call may carry the events of several requests: the allocator's group
 * commit). Every other method is the store's own. The store is left as it is when spans
 * are not recorded.
 *
 * @example
 * const store = traced(new PostgresEventStore(db, { codec: rosterCodec }));
 */
export function traced<E extends DomainEvent>(store: EventStore<E>): EventStore<E> {
  if (!tracesRecorded) return store;
  const append = store.append.bind(store);
  store.append = async (stream: string, events: NewEvent<E>[], expected) => {
    const parents = new Set(events.map((e) => e.metadata.traceparent));
    const spans = [...parents].map((p) => startSpan('append', p, { 'roster.stream': stream, 'roster.events': events.length }));
    try {
      const result = await append(stream, events, expected);
      for (const span of spans) span.setAttribute('roster.position', result.position);
      return result;
    } catch (error) {
      for (const span of spans) span.setStatus({ code: 2, message: (error as Error).message });
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  };
  return store;
}
