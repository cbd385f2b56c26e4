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

  /** `timeoutMs`: how long a reader waits at most (then `projection_behind`). */
  constructor(readonly timeoutMs: number) {}

  /**
   * Waits, bounded, until every read model holds `position` (`waitForPosition`), waking
   * the runner while it is behind.
   */
  reach(db: pg.Pool, position: Position | undefined, head?: () => Promise<Position>): Promise<void> {
    return waitForPosition(db, position, this.timeoutMs, head, () => this.waiting.notify());
  }

  /**
   * For the runner: resolves after `ms`, or at once when a reader waited after `since`
   * (a `performance.now()`); on abort too.
   */
  pause(ms: number, signal?: AbortSignal, since?: number): Promise<void> {
    return this.waiting.wake(ms, signal, since);
  }
}
