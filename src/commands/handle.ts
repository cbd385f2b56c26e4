import { DomainError, type DomainEvent } from '../domain/errors.ts';
import { WrongExpectedRevision, type EventStore, type Position } from '../store/port.ts';
import { inSpan } from '../telemetry.ts';
import { toNewEvents, type CommandContext } from './context.ts';

export interface Decider<S, C, E extends DomainEvent> {
  initial: () => S;
  decide: (command: C, state: S) => E[] | DomainError;
  evolve: (state: S, event: E) => S;
}

export interface Handled<S, E> {
  events: E[];
  state: S;
  revision: number;
  /** Absent when the command changed nothing. */
  position?: Position;
}

/**
 * Reads the stream, decides, appends with the expected revision; on a conflict reads
 * again and decides again, a bounded number of times.
 *
 * @example
 * await handle(store, `account-${id}`, accountDecider, { type: 'EnableAccount', accountId: id, now }, ctx);
 */
export function handle<S, C, E extends DomainEvent>(
  store: EventStore, stream: string, decider: Decider<S, C, E>, command: C, ctx: CommandContext, retries = 3,
): Promise<Handled<S, E>> {
  const type = (command as { type?: string }).type ?? 'command';
  return inSpan(`command ${type}`, ctx.traceparent, { 'roster.stream': stream }, (traceparent) => decideAndAppend(store, stream, decider, command, { ...ctx, traceparent }, retries));
}

async function decideAndAppend<S, C, E extends DomainEvent>(
  store: EventStore, stream: string, decider: Decider<S, C, E>, command: C, ctx: CommandContext, retries: number,
): Promise<Handled<S, E>> {
  for (let attempt = 0; ; attempt++) {
    const past = await store.readStream(stream);
    let state = past.reduce((s, e) => decider.evolve(s, e as unknown as E), decider.initial());
    const revision = past.length - 1;
    const result = decider.decide(command, state);
    if (result instanceof DomainError) throw result;
    if (result.length === 0) return { events: [], state, revision };
    try {
      const appended = await store.append(stream, toNewEvents(result, ctx), revision < 0 ? 'no_stream' : revision);
      state = result.reduce(decider.evolve, state);
      return { events: result, state, revision: appended.nextRevision, position: appended.position };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision) || attempt >= retries) {
        throw error instanceof WrongExpectedRevision ? new DomainError('conflict', error.message) : error;
      }
    }
  }
}
