import {
  DuplicateEventIds, WrongExpectedRevision, matchesFilter, pad, START,
  type AppendResult, type EventStore, type ExpectedRevision, type NewEvent, type Position,
  type ReadAllOptions, type RecordedEvent, type StreamAppend, type SubscribeOptions,
} from './port.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { EventCodec, RawEvent } from './codec.ts';
import { categoryOf, pollSubscribe, wakeSignal } from './subscription.ts';

/**
 * An event store held in memory, for unit tests. It passes the same contract suite as the
 * real adapters.
 *
 * @example
 * const store = new MemoryEventStore(rosterCodec);
 * await store.append('pool-a', [event], 'no_stream');
 */
export class MemoryEventStore<E extends DomainEvent> implements EventStore<E> {
  private readonly all: RawEvent[] = [];
  private readonly streams = new Map<string, RawEvent[]>();
  private readonly byId = new Map<string, RawEvent>();
  private readonly signal = wakeSignal();

  constructor(private readonly codec: EventCodec<E>) {}

  /** A copy of the stored event, decoded as the other adapters decode what they read. */
  private decode(e: RawEvent): RecordedEvent<E> {
    return this.codec.decode(structuredClone(e));
  }

  async append(stream: string, events: NewEvent<E>[], expected: ExpectedRevision): Promise<AppendResult> {
    const existing = events.map((e) => this.byId.get(e.id));
    if (existing.some(Boolean)) {
      const last = existing.at(-1);
      if (existing.every((e) => e && e.stream === stream) && last) {
        return { nextRevision: last.revision, position: last.position };
      }
      throw new DuplicateEventIds(stream);
    }
    const current = this.streams.get(stream);
    const actual = current ? current.length - 1 : 'no_stream';
    const ok = expected === 'any' || expected === actual;
    if (!ok) throw new WrongExpectedRevision(stream, expected, actual);
    const list = current ?? [];
    this.streams.set(stream, list);
    for (const e of events) {
      const recorded: RawEvent = {
        ...structuredClone(this.codec.encode(e)), stream, revision: list.length,
        position: pad(this.all.length + 1), recordedAt: new Date(),
      };
      list.push(recorded);
      this.all.push(recorded);
      this.byId.set(e.id, recorded);
    }
    this.signal.notify([categoryOf(stream)]);
    const last = list[list.length - 1]!;
    return { nextRevision: last.revision, position: last.position };
  }

  async appendMany(appends: StreamAppend<E>[]): Promise<AppendResult[]> {
    // Check every part first; then append them all without yielding in between.
    const seen = new Set<string>();
    for (const { stream, events, expected } of appends) {
      if (seen.has(stream)) throw new Error(`appendMany: stream ${stream} appears twice`);
      seen.add(stream);
      const existing = events.map((e) => this.byId.get(e.id));
      // The same append again: `append` answers it as the first time.
      if (existing.every((e) => e && e.stream === stream)) continue;
      if (existing.some(Boolean)) throw new DuplicateEventIds(stream);
      const current = this.streams.get(stream);
      const actual = current ? current.length - 1 : 'no_stream';
      if (expected !== 'any' && expected !== actual) throw new WrongExpectedRevision(stream, expected, actual);
    }
    return Promise.all(appends.map(({ stream, events, expected }) => this.append(stream, events, expected)));
  }

  async readStream(stream: string, options: { from?: number; limit?: number } = {}): Promise<RecordedEvent<E>[]> {
    const list = this.streams.get(stream) ?? [];
    const from = options.from ?? 0;
    return list.slice(from, from + (options.limit ?? Infinity)).map((e) => this.decode(e));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent<E>[]> {
    const start = options.from ? Number(options.from) : 0;
    const out: RecordedEvent<E>[] = [];
    for (let i = start; i < this.all.length && out.length < (options.limit ?? Infinity); i++) {
      const e = this.all[i]!;
      if (matchesFilter(e.stream, options.filter)) out.push(this.decode(e));
    }
    return out;
  }

  async headPosition(): Promise<Position> {
    return this.all.at(-1)?.position ?? START;
  }

  subscribe(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent<E>> {
    return pollSubscribe(async (from, filter, limit) => {
      const start = from ? Number(from) : 0;
      const scannedEvents = this.all.slice(start, start + limit);
      const events = scannedEvents.filter((e) => matchesFilter(e.stream, filter)).map((e) => this.decode(e));
      return { events, scanned: scannedEvents.length, last: scannedEvents.at(-1)?.position };
    }, this.signal.wake, options);
  }

  waitForAppend(ms: number, signal?: AbortSignal, since?: number): Promise<void> {
    return this.signal.wake(ms, signal, since);
  }

  async close(): Promise<void> {}
}
