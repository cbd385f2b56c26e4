import type { Position, ReadAllOptions, RecordedEvent, SubscribeOptions } from './port.ts';
import { START } from './port.ts';

/**
 * Resolves when new events may be readable, or after `ms` at the latest; at once when an
 * append was noticed after `since` (a `performance.now()` taken before the caller's last read).
 */
export type Wake = (ms: number, signal?: AbortSignal, since?: number) => Promise<void>;

/**
 * A subscription built from repeated `readAll` calls: it reads the backlog in batches, then
 * waits for a wake-up (or a poll interval) and reads again. Each read starts after the
 * last delivered position, so nothing is delivered twice and nothing is skipped as long as
 * `readAll` never returns an event before one that sorts earlier becomes visible.
 *
 * @example
 * for await (const e of pollSubscribe(store.readAll.bind(store), wake, { from })) handle(e);
 */
export async function* pollSubscribe(
  readAll: (o: ReadAllOptions) => Promise<RecordedEvent[]>,
  wake: Wake,
  options: SubscribeOptions & { pollMs?: number } = {},
): AsyncGenerator<RecordedEvent> {
  let from: Position = options.from ?? START;
  const limit = options.batchSize ?? 500;
  const { signal } = options;
  while (!signal?.aborted) {
    const readAt = performance.now();
    let batch: RecordedEvent[];
    try {
      batch = await readAll({ from, filter: options.filter, limit });
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
    for (const event of batch) {
      if (signal?.aborted) return;
      from = event.position;
      yield event;
    }
    if (batch.length < limit) await wake(options.pollMs ?? 500, signal, readAt).catch(() => undefined);
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
