import { setTimeout as sleep } from 'node:timers/promises';
import type { Position, ReadAllOptions, RecordedEvent, SubscribeOptions } from './port.ts';
import { START } from './port.ts';

/** Something that resolves when new events may be readable, or after `ms` at the latest. */
export type Wake = (ms: number, signal?: AbortSignal) => Promise<void>;

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
    if (batch.length < limit) await wake(options.pollMs ?? 500, signal).catch(() => undefined);
  }
}

/** A Wake that resolves on `notify()` or after the timeout; cheap to share among subscribers. */
export function wakeSignal(): { wake: Wake; notify: () => void } {
  let waiters: Array<() => void> = [];
  return {
    notify() {
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    },
    async wake(ms, signal) {
      const ac = new AbortController();
      const onAbort = () => ac.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        await Promise.race([
          new Promise<void>((resolve) => waiters.push(resolve)),
          sleep(ms, undefined, { signal: ac.signal }),
        ]);
      } finally {
        ac.abort();
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
