import type pg from 'pg';
import type { Position } from '../store/port.ts';
import { wakeSignal } from '../store/subscription.ts';
import { waitForPosition } from './queries.ts';

/**
 * Readers waiting for the read models to reach a position, and this node's projection
 * runner: while nobody waits, the runner gathers the events of a busy spell into larger
 * batches (its interval); as soon as a reader here waits, the runner starts its next batch.
 *
 * @example
 * const waits = new ReadModelWaits(2000);
 * await waits.reach(db, res.position);
 */
export class ReadModelWaits {
  private readonly waiting = wakeSignal();
  /** The furthest position a reader here has waited for. */
  private wanted: Position = '';

  /** `timeoutMs`: how long a reader waits at most (then `projection_behind`). */
  constructor(readonly timeoutMs: number) {}

  /**
   * Waits, bounded, until every read model holds `position` (`waitForPosition`), waking
   * the runner while it is behind.
   */
  reach(db: pg.Pool, position: Position | undefined, head?: () => Promise<Position>): Promise<void> {
    return waitForPosition(db, position, this.timeoutMs, head, () => {
      if (position! > this.wanted) this.wanted = position!;
      this.waiting.notify();
    });
  }

  /**
   * For the runner: resolves after `ms`, or at once when a reader waited after `since`
   * (a `performance.now()`) for a position past `reached`; on abort too. A reader of a
   * position the runner holds already (it looked before the batch was in) wakes nothing:
   * the runner read again at once for it, and then applied what came next without the
   * interval.
   *
   * @example
   * await waits.pause(500, signal, readAt, reached);
   */
  async pause(ms: number, signal?: AbortSignal, since?: number, reached?: Position): Promise<void> {
    const end = performance.now() + ms;
    for (;;) {
      await this.waiting.wake(end - performance.now(), signal, since);
      if (signal?.aborted || performance.now() >= end || reached === undefined || this.wanted > reached) return;
      since = performance.now();
    }
  }
}
