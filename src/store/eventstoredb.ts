import {
  ANY, END, EventStoreDBClient, NO_STREAM, START as ES_START, WrongExpectedVersionError,
  excludeSystemEvents, jsonEvent, streamNameFilter,
  type AllStreamRecordedEvent, type Filter, type ReadPosition,
} from '@eventstore/db-client';
import { setTimeout as sleep } from 'node:timers/promises';
import * as Schedule from 'effect/Schedule';
import { pauses } from '../effect.ts';
import {
  WrongExpectedRevision, pad, START,
  type AppendResult, type EventFilter, type EventStore, type ExpectedRevision, type NewEvent,
  type Position, type ReadAllOptions, type RecordedEvent, type StreamAppend, type SubscribeOptions,
} from './port.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { EventCodec } from './codec.ts';

/** `{commit, prepare}` as an ordered string. */
function toPosition(p: { commit: bigint; prepare: bigint }): Position {
  return `${pad(p.commit)}.${pad(p.prepare)}`;
}

function fromPosition(position: Position | undefined): ReadPosition {
  if (!position) return ES_START;
  const [commit, prepare] = position.split('.');
  return { commit: BigInt(commit!), prepare: BigInt(prepare!) };
}

function toFilter(filter?: EventFilter): Filter {
  const prefixes = filter?.streamPrefixes;
  return prefixes?.length ? streamNameFilter({ prefixes }) : excludeSystemEvents();
}

function toRaw(e: AllStreamRecordedEvent): RecordedEvent<DomainEvent> {
  return {
    id: e.id, type: e.type, stream: e.streamId, revision: Number(e.revision),
    data: e.data, metadata: e.metadata as RecordedEvent['metadata'],
    position: toPosition(e.position), recordedAt: e.created,
  };
}

/**
 * The EventStoreDB adapter (DESIGN.md, Event store). Start positions are exclusive, as the
 * port says; a dropped subscription resubscribes from its last position with backoff.
 *
 * @example
 * const store = new EventStoreDbStore('esdb://localhost:2113?tls=false', rosterCodec);
 */
export class EventStoreDbStore<E extends DomainEvent> implements EventStore<E> {
  private readonly client: EventStoreDBClient;

  constructor(connectionString: string, private readonly codec: EventCodec<E>) {
    this.client = EventStoreDBClient.connectionString(connectionString);
  }

  async append(stream: string, events: NewEvent<E>[], expected: ExpectedRevision): Promise<AppendResult> {
    const expectedRevision = expected === 'any' ? ANY : expected === 'no_stream' ? NO_STREAM : BigInt(expected);
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map((e) => this.codec.encode(e)).map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data as never, metadata: e.metadata as never })),
        { expectedRevision },
      );
      return {
        nextRevision: Number(result.nextExpectedRevision),
        position: result.position ? toPosition(result.position) : await this.headPosition(),
      };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion;
        throw new WrongExpectedRevision(stream, expected, typeof actual === 'bigint' ? Number(actual) : 'no_stream');
      }
      throw error;
    }
  }

  /** One stream after another: EventStoreDB has no transaction across streams. */
  async appendMany(appends: StreamAppend<E>[]): Promise<AppendResult[]> {
    const results: AppendResult[] = [];
    for (const { stream, events, expected } of appends) results.push(await this.append(stream, events, expected));
    return results;
  }

  async readStream(stream: string, options: { from?: number; limit?: number } = {}): Promise<RecordedEvent<E>[]> {
    const out: RecordedEvent<E>[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, {
        fromRevision: BigInt(options.from ?? 0), maxCount: options.limit ?? Number.MAX_SAFE_INTEGER,
      })) {
        const e = resolved.event;
        if (!e) continue;
        out.push(this.codec.decode({
          id: e.id, type: e.type, stream: e.streamId, revision: Number(e.revision), data: e.data,
          metadata: e.metadata as RecordedEvent['metadata'], recordedAt: e.created,
          position: e.position ? toPosition(e.position) : START,
        }));
      }
    } catch (error) {
      if ((error as { type?: string }).type === 'stream-not-found') return [];
      throw error;
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent<E>[]> {
    const limit = options.limit ?? 1000;
    const out: RecordedEvent<E>[] = [];
    // EventStoreDB's readAll has no server-side filter: read in pages and filter here.
    let from = options.from;
    while (out.length < limit) {
      let seen = 0;
      for await (const resolved of this.client.readAll({ fromPosition: fromPosition(from), maxCount: limit + 1 })) {
        const e = resolved.event;
        if (!e) continue;
        const position = toPosition(e.position);
        if (from && position <= from) continue;
        seen++;
        from = position;
        if (e.streamId.startsWith('$')) continue;
        const prefixes = options.filter?.streamPrefixes;
        if (prefixes?.length && !prefixes.some((p) => e.streamId.startsWith(p))) continue;
        out.push(this.codec.decode(toRaw(e)));
        if (out.length >= limit) break;
      }
      if (seen === 0) break;
    }
    return out;
  }

  async headPosition(): Promise<Position> {
    for await (const resolved of this.client.readAll({ fromPosition: END, direction: 'backwards', maxCount: 1 })) {
      if (resolved.event) return toPosition(resolved.event.position);
    }
    return START;
  }

  async *subscribe(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent<E>> {
    let from = options.from;
    const backoff = pauses(Schedule.exponential('100 millis').pipe(Schedule.union(Schedule.spaced('5 seconds'))));
    while (!options.signal?.aborted) {
      const subscription = this.client.subscribeToAll({
        fromPosition: fromPosition(from), filter: toFilter(options.filter),
      });
      const stop = () => void subscription.unsubscribe();
      options.signal?.addEventListener('abort', stop, { once: true });
      try {
        for await (const resolved of subscription) {
          const e = resolved.event;
          if (!e) continue;
          const position = toPosition(e.position);
          if (from && position <= from) continue;
          from = position;
          backoff.reset();
          yield this.codec.decode(toRaw(e));
        }
      } catch {
        if (options.signal?.aborted) return;
        await backoff.wait();
      } finally {
        options.signal?.removeEventListener('abort', stop);
      }
    }
  }

  async waitForAppend(ms: number, signal?: AbortSignal, _since?: number): Promise<void> {
    await sleep(Math.min(ms, 100), undefined, { signal }).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}
