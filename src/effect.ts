/**
 * Running Effect programs from promise-based code: the failure itself is thrown (not
 * Effect's FiberFailure wrapper), so callers and the HTTP error mapper see Roster's errors.
 * Imports nothing of Roster's layers, so every layer may use it.
 */
import * as Cause from 'effect/Cause';
import * as Duration from 'effect/Duration';
import * as Effect from 'effect/Effect';
import * as Exit from 'effect/Exit';
import * as Fiber from 'effect/Fiber';
import * as Schedule from 'effect/Schedule';

/**
 * Runs `program` to a promise; a failure or defect rejects with the error itself.
 *
 * @example
 * const n = await run(Effect.succeed(1));
 */
export async function run<A, E>(program: Effect.Effect<A, E>, signal?: AbortSignal): Promise<A> {
  const exit = await Effect.runPromiseExit(program, signal ? { signal } : undefined);
  if (Exit.isSuccess(exit)) return exit.value;
  throw Cause.squash(exit.cause);
}

/** A fiber working in the background of promise-based code. */
export interface Background {
  /** Interrupts the fiber and resolves once it has ended. */
  stop(): Promise<void>;
}

/**
 * Starts `program` as a background fiber.
 *
 * @example
 * const beat = fork(every(5000, () => job.beat(), report));
 * await beat.stop();
 */
export function fork(program: Effect.Effect<unknown, unknown>): Background {
  const fiber = Effect.runFork(program);
  return { stop: async () => void (await Effect.runPromise(Fiber.interrupt(fiber))) };
}

/**
 * Runs `task` now and then `intervalMs` after each run ends, until interrupted; a failure
 * is reported and the loop goes on. (Spaced after the end, so runs never overlap.)
 *
 * @example
 * yield* Effect.forkScoped(every(1000, () => scheduler.tick(), report));
 */
export const every = (intervalMs: number, task: () => Promise<unknown>, report: (e: unknown) => void) =>
  Effect.tryPromise({ try: task, catch: (e) => e }).pipe(
    Effect.catchAll((e) => Effect.sync(() => report(e))),
    Effect.repeat(Schedule.spaced(Duration.millis(intervalMs))),
  );

/** The pause before a long-running task starts again after it failed or ended. */
const RESTART = Schedule.spaced(Duration.millis(500));

/**
 * Keeps a long-running task (a subscription, a follower) running until interrupted: when
 * it fails, the failure is reported and it starts again after the `restart` schedule's
 * pause; when it ends, it starts again too. Interrupting the fiber aborts the task's signal.
 *
 * @example
 * yield* Effect.forkScoped(keepRunning((signal) => follow(signal), report));
 */
export const keepRunning = (
  task: (signal: AbortSignal) => Promise<unknown>,
  report: (e: unknown) => void,
  restart: Schedule.Schedule<unknown, unknown> = RESTART,
) =>
  Effect.tryPromise({ try: task, catch: (e) => e }).pipe(
    Effect.tapError((e) => Effect.sync(() => report(e))),
    Effect.retry(restart),
    Effect.repeat(restart),
    Effect.ignore,
  );

/**
 * Runs a task that keeps itself running (it restarts on its own failures) until the fiber
 * is interrupted, which aborts the task's signal.
 *
 * @example
 * yield* Effect.forkScoped(untilInterrupted((signal) => runner.run(signal, report)));
 */
export const untilInterrupted = (task: (signal: AbortSignal) => Promise<unknown>) =>
  Effect.tryPromise({ try: task, catch: (e) => e }).pipe(Effect.ignore);

/**
 * `keepRunning` from promise code: resolves once `signal` aborts.
 *
 * @example
 * await keepRunningUntil(signal, (s) => follow(s), onError);
 */
export async function keepRunningUntil(
  signal: AbortSignal,
  task: (signal: AbortSignal) => Promise<unknown>,
  report: (e: unknown) => void,
  restart?: Schedule.Schedule<unknown, unknown>,
): Promise<void> {
  if (signal.aborted) return;
  await Effect.runPromiseExit(keepRunning(task, report, restart), { signal });
}

/**
 * Pauses between attempts by a schedule, for loops that cannot be one effect (an async
 * generator resubscribing): `wait()` sleeps the schedule's next delay, `reset()` starts it
 * over after a success. The schedule must not end.
 *
 * @example
 * const backoff = pauses(Schedule.exponential('100 millis').pipe(Schedule.union(Schedule.spaced('5 seconds'))));
 * try { … ; backoff.reset(); } catch { await backoff.wait(); }
 */
export function pauses(schedule: Schedule.Schedule<unknown, unknown>): { wait(): Promise<void>; reset(): void } {
  const driver = Effect.runSync(Schedule.driver(schedule));
  return {
    wait: () => Effect.runPromise(Effect.asVoid(Effect.orDie(driver.next(undefined)))),
    reset: () => Effect.runSync(driver.reset),
  };
}

/**
 * A read whose answer is shared for `ttlMs`: callers meanwhile get the last answer, and
 * callers while it is read wait for that one read. For what anyone may ask for often
 * (the open health routes), so that the database does the work once per interval. `read`
 * must not reject: a failure would be kept as its answer.
 *
 * @example
 * const health = recent(1000, () => poolStatus(db, 'default').then((p) => p.health, () => 'critical'));
 * await health(); // reads; calls within the next second get the same answer
 */
export function recent<A>(ttlMs: number, read: () => Promise<A>): () => Promise<A> {
  const cached = Effect.runSync(Effect.cachedWithTTL(Effect.promise(read), Duration.millis(ttlMs)));
  return () => Effect.runPromise(cached);
}

/**
 * Bounded concurrency: at most `size` holders at once, in arrival order (Effect's Semaphore).
 *
 * @example
 * const gate = new Gate(4);
 * await gate.run(() => flow());
 */
export class Gate {
  private readonly semaphore: Effect.Semaphore;

  constructor(size: number) {
    this.semaphore = Effect.runSync(Effect.makeSemaphore(size));
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return run(this.semaphore.withPermits(1)(Effect.tryPromise({ try: work, catch: (error) => error })));
  }
}

/**
 * One holder at a time per key (a `Gate` of one each): work for the same key runs in
 * arrival order, work for different keys at once. A key's gate goes once no one holds or
 * waits for it, so keys that come and go leave nothing behind.
 *
 * @example
 * const turns = new Turns();
 * await turns.run('roster:replenish:p', () => replenishNow('p'));
 */
export class Turns {
  private readonly gates = new Map<string, { gate: Gate; users: number }>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    let entry = this.gates.get(key);
    if (!entry) this.gates.set(key, (entry = { gate: new Gate(1), users: 0 }));
    entry.users++;
    try {
      return await entry.gate.run(work);
    } finally {
      if (--entry.users === 0) this.gates.delete(key);
    }
  }

  /** Keys held or waited for now. */
  get size(): number {
    return this.gates.size;
  }
}
