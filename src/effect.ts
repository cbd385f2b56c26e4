/**
 * Running Effect programs from promise-based code: the failure itself is thrown (not
 * Effect's FiberFailure wrapper), so callers and the HTTP error mapper see Roster's errors.
 * Imports nothing of Roster's layers, so every layer may use it.
 */
import { Cause, Effect, Exit } from 'effect';

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
