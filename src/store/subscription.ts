import type { DomainEvent } from '../domain/events.ts';
import type { EventFilter, Position, RecordedEvent, SubscribeOptions } from './port.ts';
import { START } from './port.ts';

/**
 * Resolves when new events may be readable, or after `ms` at the latest; at once when an
 * append was noticed after `since` (a `performance.now()` taken before the caller's last read).
 * With a filter it wakes only for appends to streams of the filter's categories.
 */
export type Wake = (ms: number, signal?: AbortSignal, since?: number, filter?: EventFilter) => Promise<void>;

/** A stream's category: its name up to the first `-` (`account-42` → `account`). */
export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash < 0 ? stream : stream.slice(0, dash);
}

/** The categories a filter can match; null (every category) when a prefix stops before its `-`. */
function categoriesOf(filter?: EventFilter): string[] | null {
  const prefixes = filter?.streamPrefixes;
  if (!prefixes?.length || prefixes.some((p) => !p.includes('-'))) return null;
  return prefixes.map(categoryOf);
}

/**
 * One page of the global log after `from`: the events that match the filter, how many
 * events were scanned, and the position of the last one scanned (matching or not), so
 * that a filtered reader moves past what it skips.
 */
export interface Page<E extends DomainEvent> {
  events: RecordedEvent<E>[];
  scanned: number;
  last?: Position;
}

export type ReadPage<E extends DomainEvent> = (from: Position, filter: EventFilter | undefined, limit: number) => Promise<Page<E>>;

/**
 * A subscription built from repeated page reads: it reads the backlog in batches, then
 * waits for a wake-up (or a poll interval) and reads again. Each read starts after the
 * last scanned position, so nothing is delivered twice and nothing is skipped as long as a
 * page never holds an event before one that sorts earlier becomes visible.
 *
 * @example
 * for await (const e of pollSubscribe(readPage, wake, { from })) handle(e);
 */
export async function* pollSubscribe<E extends DomainEvent>(
  readPage: ReadPage<E>,
  wake: Wake,
  options: SubscribeOptions & { pollMs?: number } = {},
): AsyncGenerator<RecordedEvent<E>> {
  let from: Position = options.from ?? START;
  const limit = options.batchSize ?? 500;
  const { signal } = options;
  while (!signal?.aborted) {
    const readAt = performance.now();
    let page: Page<E>;
    try {
      page = await readPage(from, options.filter, limit);
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
    for (const event of page.events) {
      if (signal?.aborted) return;
      yield event;
    }
    if (page.last) from = page.last;
    if (page.scanned < limit) await wake(options.pollMs ?? 500, signal, readAt, options.filter).catch(() => undefined);
  }
}

/**
 * A Wake that resolves on `notify()` or after the timeout; cheap to share among subscribers.
 * `notify(categories)` names the categories of the streams appended to (undefined: unknown),
 * so that a filtered subscriber is not woken by appends it would skip anyway.
 */
export function wakeSignal(): { wake: Wake; notify: (categories?: string[]) => void } {
  interface Waiter { categories: string[] | null; done: () => void }
  const waiters = new Set<Waiter>();
  let lastUnknown = -1;
  let lastAny = -1;
  const last = new Map<string, number>();
  const concerns = (categories: string[] | null, appended: string[] | undefined) =>
    !categories || !appended || appended.some((c) => categories.includes(c));
  return {
    notify(categories) {
      const now = performance.now();
      lastAny = now;
      if (!categories) lastUnknown = now;
      else for (const c of categories) last.set(c, now);
      for (const w of [...waiters]) if (concerns(w.categories, categories)) w.done();
    },
    wake(ms, signal, since, filter) {
      const categories = categoriesOf(filter);
      const noticed = since !== undefined && (categories
        ? lastUnknown >= since || categories.some((c) => (last.get(c) ?? -1) >= since)
        : lastAny >= since);
      if (signal?.aborted || noticed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          waiters.delete(waiter);
          resolve();
        };
        const waiter: Waiter = { categories, done };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        waiters.add(waiter);
      });
    },
  };
}
