import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as Effect from 'effect/Effect';
import { refusal } from '../../src/commands/errors.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { run } from '../../src/effect.ts';
import { toProblem } from '../../src/http/problem.ts';
import { InvalidEvent } from '../../src/store/codec.ts';
import { DuplicateEventIds, WrongExpectedRevision } from '../../src/store/port.ts';

describe('errors', () => {
  it('are tagged: an Effect program fails with a DomainError by yielding it, and run() rethrows that same error', async () => {
    const refused = new DomainError('pool_exists', 'pool a exists');
    const program = Effect.gen(function* () {
      yield* refused;
      return 1;
    });
    const caught = await run(program).catch((e: unknown) => e);
    assert.equal(caught, refused);
    assert.equal(refused._tag, 'DomainError');
    assert.equal(refused.message, 'pool a exists');
    assert.ok(refused instanceof Error);
  });

  it('a store conflict means 409 conflict to a client', () => {
    for (const error of [new WrongExpectedRevision('pool-a', 3, 4), new DuplicateEventIds('pool-a')]) {
      assert.equal(refusal(error)?.code, 'conflict');
      assert.equal(toProblem(error).status, 409);
    }
  });

  it('an unreachable database means 503 unavailable with a wait, however deep the cause', () => {
    const dropped = new Error('query failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    const refused = refusal(dropped);
    assert.equal(refused?.code, 'unavailable');
    assert.equal(refused?.retryAfterSeconds, 2);
    assert.equal(toProblem(dropped).status, 503);
  });

  it('an event that does not fit its schema, or any other failure, is a fault: 500 and no detail', () => {
    for (const fault of [new InvalidEvent('PoolCreated', 'poolId: required'), new TypeError('x is undefined')]) {
      assert.equal(refusal(fault), undefined);
      const problem = toProblem(fault);
      assert.equal(problem.status, 500);
      assert.doesNotMatch(problem.detail, /poolId|undefined/);
    }
  });
});
