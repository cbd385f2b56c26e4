/**
 * Requests waiting for a place, woken one at a time and fairly between callers: each
 * place that frees goes to the caller (an API key) that has waited longest since it was
 * last given one, and within a caller to its oldest request. So one client with many
 * requests waiting does not keep another's one waiting behind all of them.
 *
 * @example
 * const waiters = new FairWaiters();
 * const woken = await waiters.wait('key:a', 30_000); // false: the time ran out
 * waiters.wakeOne();                                  // a place freed
 */
/** What tells a waiting request that its client went away (`ClientGone`, an `EventEmitter`). */
export interface Gone {
  readonly aborted: boolean;
  once(event: 'abort', listener: () => void): unknown;
  off(event: 'abort', listener: () => void): unknown;
}

export class FairWaiters {
  /** Each caller's waiting requests, oldest first; callers in the order their turn comes. */
  private readonly queues = new Map<string, Array<() => void>>();

  /**
   * Waits to be woken, up to `ms`, or until `gone` says the client left (then it leaves the
   * queue at once). `again`: a request woken whose place another took goes back first in
   * its caller's queue, and its caller first in turn.
   */
  wait(who: string, ms: number, again = false, gone?: Gone): Promise<boolean> {
    if (gone?.aborted) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const leave = () => {
        clearTimeout(timer);
        gone?.off('abort', leave);
        this.remove(who, wake);
        resolve(false);
      };
      const timer = setTimeout(leave, Math.max(1, ms));
      gone?.once('abort', leave);
      const wake = () => {
        clearTimeout(timer);
        gone?.off('abort', leave);
        resolve(true);
      };
      const queue = this.queues.get(who) ?? [];
      if (again) {
        queue.unshift(wake);
        const rest = [...this.queues].filter(([w]) => w !== who);
        this.queues.clear();
        for (const [w, q] of [[who, queue] as const, ...rest]) this.queues.set(w, q);
      } else {
        queue.push(wake);
        this.queues.set(who, queue);
      }
    });
  }

  /** Wakes the oldest request of the caller whose turn it is; that caller's turn then comes after the others'. */
  wakeOne(): void {
    const next = this.queues.entries().next();
    if (next.done) return;
    const [who, queue] = next.value;
    const wake = queue.shift()!;
    this.queues.delete(who);
    if (queue.length) this.queues.set(who, queue);
    wake();
  }

  /** Requests waiting, of every caller. */
  get size(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  private remove(who: string, wake: () => void): void {
    const queue = this.queues.get(who);
    if (!queue) return;
    const i = queue.indexOf(wake);
    if (i >= 0) queue.splice(i, 1);
    if (!queue.length) this.queues.delete(who);
  }
}
