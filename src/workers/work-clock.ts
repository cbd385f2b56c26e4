/**
 * A timeout that counts working time only: `pause` stops it, `resume` goes on with what
 * was left, and `stop` ends it for good. A flow's clock pauses while the flow waits for
 * its turn from the pacer.
 *
 * @example
 * const clock = new WorkClock(60_000, () => abort.abort());
 * clock.pause(); await turn(); clock.resume();
 */
export class WorkClock {
  private left: number;
  private since = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(ms: number, private readonly onExpire: () => void) {
    this.left = ms;
    this.resume();
  }

  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.left -= performance.now() - this.since;
  }

  resume(): void {
    if (this.timer || this.stopped) return;
    this.since = performance.now();
    this.timer = setTimeout(this.onExpire, this.left);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
