import type { RecordedEvent } from '../store/port.ts';

/** A read-model row as JSON: timestamps as ISO strings, arrays as arrays. */
export type Row = Record<string, unknown>;

/**
 * A read model kept as one row per key. The runner loads the rows a batch touches,
 * folds the batch's events into them in memory, and writes them back in one statement,
 * so a batch costs two queries whatever its size.
 */
export interface RowProjection {
  /** Checkpoint name. */
  name: string;
  table: string;
  key: string;
  /** The key column's SQL type when it is not text (so lookups use its index). */
  keyType?: 'uuid';
  columns: string[];
  /** Rows are written once and never changed (one per event): the runner does not load them. */
  insertOnly?: boolean;
  streamPrefixes: string[];
  /** `apply` reads the events' audit metadata (other read models are built from lean reads). */
  readsMetadata?: boolean;
  /**
   * For an insert-only read model whose rows each come from one event alone: its columns
   * as SQL expressions over the PostgreSQL log's columns (see `PostgresEventStore.copyInto`),
   * so that on that log the runner and a rebuild fill its table inside the database and
   * `apply` serves the other stores. They give the rows `apply` gives.
   */
  fromLog?: Record<string, string>;
  /**
   * SQL run in the transaction that swaps a rebuilt table in, once it has the live name and
   * before writers may touch it (e.g. to put back the triggers of tables kept from it).
   */
  afterSwap?: string;
  /** The keys of the rows an event touches. */
  keysOf(event: RecordedEvent): string[];
  /** The row after the event; `row` is undefined when none exists yet. */
  apply(row: Row | undefined, event: RecordedEvent, key: string): Row | undefined;
}

/** The pool id of a `pool-{id}` stream. */
export function poolIdOf(stream: string): string {
  return stream.slice('pool-'.length);
}
