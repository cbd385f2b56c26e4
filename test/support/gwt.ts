import assert from 'node:assert/strict';
import { DomainError, type ErrorCode } from '../../src/domain/errors.ts';

/**
 * Given/when/then over a decider: given past events, when a command, then these events
 * (or this error).
 */
export function decider<S, C, E>(
  decide: (command: C, state: S) => E[] | DomainError,
  evolve: (state: S, event: E) => S,
  initial: () => S,
) {
  return {
    given(events: E[]) {
      const state = events.reduce(evolve, initial());
      return {
        state,
        when(command: C) {
          const result = decide(command, state);
          return {
            result,
            then(expected: E[] | ((events: E[]) => void)) {
              assert.ok(!(result instanceof DomainError), `unexpected error: ${(result as DomainError).message}`);
              if (typeof expected === 'function') expected(result as E[]);
              else assert.deepEqual(result, expected);
            },
            thenError(code: ErrorCode, field?: string) {
              assert.ok(result instanceof DomainError, `expected ${code}, got events`);
              assert.equal(result.code, code);
              if (field) assert.ok(result.fields.some((f) => f.field === field), `field ${field} named`);
            },
          };
        },
      };
    },
  };
}
