/**
 * The event store port: what Roster needs of an append-only log of streams.
 * Adapters: `postgres.ts` (default), `eventstoredb.ts`, `memory.ts` (unit tests only).
 */
import * as Data from 'effect/Data';
import type { RosterEvent } from '../domain/catalog.ts';
import type { DomainEvent } from '../domain/events.ts';

/** Audit metadata carried by every event. */
export interface EventMetadata {
  actor: string;
  correlationId: string;
  causationId?: string;
  requestId?: string;
  traceparent?: string;
  [key: string]: unknown;
}

/** An event to append. `id` is a UUID; re-appending the same ids writes nothing twice. */
export type NewEvent<E extends DomainEvent = RosterEvent> = E & {
  id: string;
  metadata: EventMetadata;
};

/**
 * A position in the global log. Opaque to callers, but ordered: positions compare as
 * strings. `START` is before every event.
 */
export type Position = string;
export const START: Position = '';

/** An event as stored. `revision` counts from 0 within its stream. */
export type RecordedEvent<E extends DomainEvent = RosterEvent> = NewEvent<E> & {
  stream: string;
  revision: number;
  position: Position;
  recordedAt: Date;
};

/** `no_stream`: the stream must not exist; `any`: no check; a number: the stream's current revision. */
export type ExpectedRevision = number | 'no_stream' | 'any';

export interface AppendResult {
  /** Revision of the last event appended (the stream's revision now). */
  nextRevision: number;
  /** Global position of the last event appended. */
  position: Position;
}

/** Which events a reader of `$all` wants: streams whose id starts with one of the prefixes. */
export interface EventFilter {
  streamPrefixes?: string[];
}

export interface ReadAllOptions {
  from?: Position;
  filter?: EventFilter;
  limit?: number;
  /**
   * For readers that use only the events' data: each event's metadata may then hold only
   * what decoding needs (its `schemaVersion`), not the audit fields, so that less is read.
   * Adapters may give all of it.
   */
  lean?: boolean;
  /**
   * Every committed event, also those that readers may not take yet (an adapter that holds
   * events back while an older transaction runs, as PostgreSQL's does): for measuring how
   * long events have waited, never for applying them. Adapters without such a hold ignore it.
   */
  committed?: boolean;
}

export interface SubscribeOptions {
  /** Exclusive: the first event delivered is the one after this position. */
  from?: Position;
  filter?: EventFilter;
  signal?: AbortSignal;
  /** Events fetched per read. */
  batchSize?: number;
}

/** One stream's part of a multi-stream append. */
export interface StreamAppend<E extends DomainEvent = RosterEvent> {
  stream: string;
  events: NewEvent<E>[];
  expected: ExpectedRevision;
}

/** The store of events of type `E`: Roster's own by default; the contract suite stores any. */
export interface EventStore<E extends DomainEvent = RosterEvent> {
  /** Append events to one stream atomically, checking the expected revision. */
  append(stream: string, events: NewEvent<E>[], expected: ExpectedRevision): Promise<AppendResult>;
  /**
   * Appends to several streams, each checked against its expected revision; results in the
   * same order. PostgreSQL and memory: all or nothing (one failed check writes nothing).
   * EventStoreDB has no multi-stream transaction: it appends one stream after another.
   */
  appendMany(appends: StreamAppend<E>[]): Promise<AppendResult[]>;
  /** A stream's events from a revision (inclusive), in order. Empty when the stream does not exist. */
  readStream(stream: string, options?: { from?: number; limit?: number }): Promise<RecordedEvent<E>[]>;
  /** Events of every stream after `from` (exclusive), in global order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent<E>[]>;
  /** The position of the newest committed event; readers of `$all` reach it in time. */
  headPosition(): Promise<Position>;
  /**
   * Events after `from` as they arrive: first the backlog, then live, with no gap and no
   * duplicate. Ends when `signal` aborts.
   */
  subscribe(options?: SubscribeOptions): AsyncIterable<RecordedEvent<E>>;
  /**
   * Resolves when new events may have been appended, or after `ms` at the latest; at once
   * when an append was noticed after `since` (a `performance.now()` value).
   */
  waitForAppend(ms: number, signal?: AbortSignal, since?: number): Promise<void>;
  /**
   * Calls `listener(stream, revision)` when an append by any node brought a stream to a
   * revision, for the appends the store hears of with their streams (PostgreSQL's
   * notifications of appends to a few streams); a store that hears of none never calls it.
   */
  onAppended?(listener: (stream: string, revision: number) => void): void;
  close(): Promise<void>;
}

/** The stream's revision did not match the expected one: nothing was written. */
export class WrongExpectedRevision extends Data.TaggedError('WrongExpectedRevision')<{
  readonly stream: string;
  readonly expected: ExpectedRevision;
  readonly actual: number | 'no_stream';
  readonly message: string;
}> {
  constructor(stream: string, expected: ExpectedRevision, actual: number | 'no_stream') {
    super({ stream, expected, actual, message: `stream ${stream}: expected revision ${expected}, actual ${actual}` });
  }
}

/** Some of the event ids exist already, but not as this same append: nothing was written. */
export class DuplicateEventIds extends Data.TaggedError('DuplicateEventIds')<{ readonly stream: string; readonly message: string }> {
  constructor(stream: string) {
    super({ stream, message: `stream ${stream}: some event ids were already appended elsewhere` });
  }
}

/** True when the event's stream starts with one of the filter's prefixes (or there is no filter). */
export function matchesFilter(stream: string, filter?: EventFilter): boolean {
  const prefixes = filter?.streamPrefixes;
  return !prefixes || prefixes.length === 0 || prefixes.some((p) => stream.startsWith(p));
}

/** Fixed-width decimal, so that positions made of numbers order as strings. */
export function pad(n: bigint | number | string): string {
  return String(n).padStart(20, '0');
}
