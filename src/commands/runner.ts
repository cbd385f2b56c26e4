/**
 * The one command path: read the stream → decide → append with the expected revision →
 * on a conflict read what was missed and decide again, by the conflict policy. Command
 * handlers and the registration supervisor run commands here; the allocator keeps its own
 * group commit but appends with `appendDecided` and retries by the same policy.
 */
import * as Duration from 'effect/Duration';
import * as Effect from 'effect/Effect';
import * as Schedule from 'effect/Schedule';
import type { RosterEvent } from '../domain/catalog.ts';
import { DomainError } from '../domain/errors.ts';
import type { Decider } from '../domain/events.ts';
import { WrongExpectedRevision, type AppendResult, type EventStore, type Position } from '../store/port.ts';
import { run } from '../effect.ts';
import { inSpan } from '../telemetry.ts';
import { toNewEvents, type CommandContext } from './context.ts';

/** A stream as its writer last saw it; revision −1 when it does not exist. */
export interface Known<S> {
  state: S;
  revision: number;
}

export interface Handled<S, E> extends Known<S> {
  events: E[];
  /** Absent when the command changed nothing. */
  position?: Position;
}

/**
 * A command's answer field for its position: `{ position }`, or nothing when the command
 * wrote nothing.
 *
 * @example
 * return { ...view, ...positioned(position) };
 */
export const positioned = (position: string | undefined): { position?: string } => (position ? { position } : {});

/**
 * How a writer that lost a race (another writer appended first) tries again: it catches
 * up and decides again at once twice, then after a random pause of up to min(50, 2^n) ms,
 * so that writers that keep colliding spread out; after `budgetMs` it answers 409 `conflict`.
 */
export const conflictPolicy = {
  budgetMs: 10_000,
  pauseMs: (retry: number): number => (retry >= 2 ? Math.random() * Math.min(50, 2 ** retry) : 0),
} as const;

const conflictSchedule = Schedule.forever.pipe(
  Schedule.addDelay((retry) => Duration.millis(conflictPolicy.pauseMs(retry))),
  Schedule.upTo(Duration.millis(conflictPolicy.budgetMs)),
);

/**
 * Folds the stream's events after `known.revision` into `known`.
 *
 * @example
 * const job = await catchUp(store, 'registration-j1', jobDecider);
 */
export async function catchUp<S, C, E extends RosterEvent>(
  store: EventStore, stream: string, decider: Decider<S, C, E>, known: Known<S> = { state: decider.initial(), revision: -1 },
): Promise<Known<S>> {
  const events = await store.readStream(stream, { from: known.revision + 1 });
  let state = known.state;
  for (const e of events) if (decider.events.has(e)) state = decider.evolve(state, e);
  return { state, revision: known.revision + events.length };
}

/**
 * Appends decided events, each batch with its command's context, expecting the revision
 * they were decided at.
 *
 * @example
 * await appendDecided(store, 'pool-p', [{ events, ctx }], revision);
 */
export function appendDecided(store: EventStore, stream: string, batches: Array<{ events: RosterEvent[]; ctx: CommandContext }>, revision: number): Promise<AppendResult> {
  return store.append(stream, batches.flatMap((b) => toNewEvents(b.events, b.ctx)), revision < 0 ? 'no_stream' : revision);
}

/**
 * Runs a command on a stream: reads it (or starts from `known`, a single writer's own
 * view), decides, appends; on a conflict catches up and decides again by the conflict
 * policy, then answers 409 `conflict`.
 *
 * @example
 * await runCommand(store, `account-${id}`, accountDecider, { type: 'EnableAccount', accountId: id, now }, ctx);
 */
export function runCommand<S, C, E extends RosterEvent>(
  store: EventStore, stream: string, decider: Decider<S, C, E>, command: C, ctx: CommandContext, known?: Known<S>,
): Promise<Handled<S, E>> {
  const type = (command as { type?: string }).type ?? 'command';
  return inSpan(`command ${type}`, ctx.traceparent, { 'roster.stream': stream }, (traceparent) => {
    let view = known;
    const attempt = Effect.tryPromise({
      try: async (): Promise<Handled<S, E>> => {
        view ??= await catchUp(store, stream, decider);
        const { state, revision } = view;
        const result = decider.decide(command, state);
        if (result instanceof DomainError) throw result;
        if (result.length === 0) return { events: [], state, revision };
        try {
          const appended = await appendDecided(store, stream, [{ events: result, ctx: { ...ctx, traceparent } }], revision);
          return { events: result, state: result.reduce(decider.evolve, state), revision: appended.nextRevision, position: appended.position };
        } catch (error) {
          if (error instanceof WrongExpectedRevision) view = await catchUp(store, stream, decider, view);
          throw error;
        }
      },
      catch: (error) => error,
    });
    return run(attempt.pipe(
      Effect.retry({ schedule: conflictSchedule, while: (error) => error instanceof WrongExpectedRevision }),
      Effect.mapError((error) => (error instanceof WrongExpectedRevision ? new DomainError('conflict', error.message) : error)),
    ));
  });
}
