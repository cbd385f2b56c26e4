import { readFileSync } from 'node:fs';

/** How long, in ns, this process's main thread has waited for a CPU since it started (Linux's schedstat); undefined where that is unknown. */
export function mainThreadWaitNs(): number | undefined {
  try {
    // The main thread's id is the process id.
    const wait = Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[1]);
    return Number.isFinite(wait) ? wait : undefined;
  } catch {
    return undefined;
  }
}

/** The pacer stops watching after this long with no call paced. */
const IDLE_MS = 5000;

export interface PacerOptions {
  /** Share of the time (0 to 1) the main thread may wait for a CPU before paced work slows down; 0 never paces. */
  targetWait: number;
  /** How often the pace is adjusted, in ms. */
  intervalMs?: number;
  /** The pace never falls below this many calls a second. */
  minRate?: number;
  /** The main thread's total wait for a CPU, in ns (`mainThreadWaitNs` by default). */
  readWaitNs?: () => number | undefined;
  /**
   * When (`performance.now()`) the service last served a client. Paced work starts slow
   * while clients were served within `quietMs`, and goes unpaced after `quietMs` without.
   */
  lastServed?: () => number;
  /** How long without a client served before paced work goes unpaced, in ms. */
  quietMs?: number;
}

/**
 * Paces background work (registration's upstream calls) so that the main thread, which
 * serves leases, gets a CPU when it needs one. Every `intervalMs` it reads how long the
 * main thread waited for a CPU: above `targetWait` of the interval, the pace falls to half
 * of what went through; at or below it, the pace rises by a tenth and a call a second,
 * and with no one waiting the work goes unpaced again. Work that starts while clients are
 * being served starts at the floor and climbs; with no client served for `quietMs`, it
 * goes unpaced. Each `acquire` is one call.
 *
 * @example
 * const pacer = new Pacer({ targetWait: 0.1 });
 * await pacer.acquire(signal); // then make the call
 */
export class Pacer {
  /** Calls a second allowed now; Infinity while unpaced. */
  rate = Infinity;
  private tokens = 0;
  private last = 0;
  private granted = 0;
  private readonly waiting: Array<{ resolve: () => void; reject: (e: unknown) => void; signal?: AbortSignal; rank: number; onAbort: () => void }> = [];
  private timer?: NodeJS.Timeout;
  private ticker?: NodeJS.Timeout;
  private readonly intervalMs: number;
  private readonly minRate: number;
  private readonly readWaitNs: () => number | undefined;
  private readonly quietMs: number;

  constructor(private readonly options: PacerOptions) {
    this.intervalMs = options.intervalMs ?? 200;
    this.quietMs = options.quietMs ?? 30_000;
    this.minRate = options.minRate ?? 2;
    this.readWaitNs = options.readWaitNs ?? mainThreadWaitNs;
  }

  /** Calls waiting for their turn. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves when one more call may go, lowest `rank` first (then in arrival order); rejects
   * if `signal` aborts first. Ranking a flow's calls by when the flow started lets started
   * flows finish rather than every flow crawl along together.
   */
  acquire(signal?: AbortSignal, rank = 0): Promise<void> {
    this.watch();
    if (this.rate === Infinity) {
      this.granted++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const waiter = {
        resolve, reject, signal, rank, onAbort: () => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      const after = this.waiting.findIndex((w) => w.rank > rank);
      this.waiting.splice(after === -1 ? this.waiting.length : after, 0, waiter);
      this.pump();
    });
  }

  /**
   * One adjustment, given the share of the last interval the main thread waited for a CPU
   * and the calls a second that went through in it.
   */
  adjust(waitShare: number, grantedPerSecond: number): void {
    if (waitShare > this.options.targetWait) this.setRate(Math.max(this.minRate, Math.min(this.rate, grantedPerSecond) * 0.5));
    else this.setRate(this.waiting.length === 0 ? Infinity : this.rate * 1.1 + 1);
  }

  private setRate(rate: number): void {
    if (rate === this.rate) return;
    if (this.rate === Infinity) [this.tokens, this.last] = [0, performance.now()];
    this.rate = rate;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pump();
  }

  /** Stops adjusting and lets every waiting call go. */
  close(): void {
    clearInterval(this.ticker);
    clearTimeout(this.timer);
    this.ticker = this.timer = undefined;
    this.rate = Infinity;
    this.pump();
  }

  /** Grants waiting calls as tokens allow (at most a twentieth of a second's worth at once), then sets a timer for the next. */
  private pump(): void {
    if (this.timer) return;
    const paced = this.rate !== Infinity;
    if (paced) {
      const now = performance.now();
      this.tokens = Math.min(Math.max(1, this.rate / 20), this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
    }
    while (this.waiting.length > 0 && (!paced || this.tokens >= 1)) {
      const { resolve, signal, onAbort } = this.waiting.shift()!;
      signal?.removeEventListener('abort', onAbort);
      this.tokens--;
      this.granted++;
      resolve();
    }
    if (this.waiting.length > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    }
  }

  /** Whether a client was served within `quietMs` (always, without `lastServed`). */
  private serving(): boolean {
    return !this.options.lastServed || performance.now() - this.options.lastServed() <= this.quietMs;
  }

  /** Starts the adjusting ticker if it is off; it stops itself once there is nothing to pace. */
  private watch(): void {
    if (this.ticker || !(this.options.targetWait > 0)) return;
    let wait = this.readWaitNs();
    if (wait === undefined) return;
    let at = performance.now();
    this.granted = 0;
    if (this.options.lastServed && this.serving()) this.setRate(this.minRate);
    let lastUsed = at;
    this.ticker = setInterval(() => {
      const [nowWait, now] = [this.readWaitNs() ?? wait!, performance.now()];
      if (this.granted === 0 && this.waiting.length === 0) {
        if (now - lastUsed > IDLE_MS) {
          // Nothing paced for a while: the next call starts afresh.
          clearInterval(this.ticker);
          this.ticker = undefined;
          this.rate = Infinity;
          return;
        }
      } else {
        lastUsed = now;
        const seconds = (now - at) / 1000;
        if (this.serving()) this.adjust((nowWait - wait!) / 1e9 / seconds, this.granted / seconds);
        else this.setRate(Infinity);
      }
      [wait, at, this.granted] = [nowWait, now, 0];
    }, this.intervalMs).unref();
  }
}
