import type { EventFilter, Position, RecordedEvent, SubscribeOptions } from './port.ts';
import { START } from './port.ts';

/**
 * Resolves when new events may be readable, or after `ms` at the latest; at once when an
 * append was noticed after `since` (a `performance.now()` taken before the caller's last read).
 */
export type Wake = (ms: number, signal?: AbortSignal, since?: number) => Promise<void>;

/**
 * One page of the global log after `from`: the events that match the filter, how many
 * events were scanned, and the position of the last one scanned (matching or not), so
 * that a filtered reader moves past what it skips.
 */
export interface Page {
  events: RecordedEvent[];
  scanned: number;
  last?: Position;
}

export type ReadPage = (from: Position, filter: EventFilter | undefined, limit: number) => Promise<Page>;

/**
 * A subscription built from repeated page reads: it reads the backlog in batches, then
 * waits for a wake-up (or a poll interval) and reads again. Each read starts after the
 * last scanned position, so nothing is delivered twice and nothing is skipped as long as a
 * page never holds an event before one that sorts earlier becomes visible.
 *
 * @example
 * for await (const e of pollSubscribe(readPage, wake, { from })) handle(e);
 */
export async function* pollSubscribe(
  readPage: ReadPage,
  wake: Wake,
  options: SubscribeOptions & { pollMs?: number } = {},
): AsyncGenerator<RecordedEvent> {
  let from: Position = options.from ?? START;
  const limit = options.batchSize ?? 500;
  const { signal } = options;
  while (!signal?.aborted) {
    const readAt = performance.now();
    let page: Page;
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
    if (page.scanned < limit) await wake(options.pollMs ?? 500, signal, readAt).catch(() => undefined);
  }
}

/** A Wake that resolves on `notify()` or after the timeout; cheap to share among subscribers. */
export function wakeSignal(): { wake: Wake; notify: () => void } {
  let waiters: Array<() => void> = [];
  let lastNotify = -1;
  return {
    notify() {
      lastNotify = performance.now();
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    },
    wake(ms, signal, since) {
      if (signal?.aborted || (since !== undefined && lastNotify >= since)) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        waiters.push(done);
      });
    },
  };
}
