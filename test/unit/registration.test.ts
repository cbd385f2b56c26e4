import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideJob, evolveJob, initialJob, retryDelay, type JobCommand, type JobConfig, type JobEvent, type JobState } from '../../src/domain/job.ts';
import { decider } from '../support/gwt.ts';

const now = Date.parse('2026-11-21T10:00:00Z');
const at = new Date(now).toISOString();
const spec = decider<JobState, JobCommand, JobEvent>(decideJob, evolveJob, initialJob);
const config: JobConfig = {
  poolId: 'p', providerId: 'sandbox', concurrency: 2, retries: 2, backoffMs: 100, continuous: false, pollIntervalMs: 1000,
  limit: null, stallAfterMs: 60_000, source: 'operator',
};
const started: JobEvent = { type: 'JobStarted', data: { jobId: 'j', config, at } };
const attempt = (ok: boolean, retryable = true): JobCommand =>
  ({ type: 'RecordAttempt', jobId: 'j', identityId: 'i', email: 'i@example.test', ok, retryable, step: 'login', durationMs: 5, random: 0, now });
const recorded = (n: number, outcome: 'succeeded' | 'retrying' | 'failed'): JobEvent =>
  ({ type: 'RegistrationAttempted', data: { jobId: 'j', identityId: 'i', email: 'i@example.test', attempt: n, outcome, step: 'login', durationMs: 5, at } });
const outcomeOf = (events: JobEvent[]) => (events[0] as Extract<JobEvent, { type: 'RegistrationAttempted' }>).data;

describe('registration job', () => {
  it('refuses a configuration out of bounds, naming each field', () => {
    spec.given([]).when({ type: 'StartJob', jobId: 'j', config: { ...config, retries: 0, concurrency: 0 }, now }).thenError('invalid_input', 'retries');
    spec.given([]).when({ type: 'StartJob', jobId: 'j', config: { ...config, retries: 6 }, now }).thenError('invalid_input', 'retries');
    spec.given([started]).when({ type: 'StartJob', jobId: 'j', config, now }).thenError('job_exists');
  });
  it('retries a retryable failure while attempts remain (1 + retries), with exponential backoff, then fails', () => {
    spec.given([started]).when(attempt(false)).then((e) => {
      assert.deepEqual([outcomeOf(e).attempt, outcomeOf(e).outcome], [1, 'retrying']);
      assert.equal(outcomeOf(e).retryAt, new Date(now + 100).toISOString());
    });
    spec.given([started, recorded(1, 'retrying')]).when(attempt(false)).then((e) => {
      assert.deepEqual([outcomeOf(e).attempt, outcomeOf(e).outcome], [2, 'retrying']);
      assert.equal(outcomeOf(e).retryAt, new Date(now + 200).toISOString());
    });
    spec.given([started, recorded(1, 'retrying'), recorded(2, 'retrying')]).when(attempt(false)).then((e) => {
      assert.deepEqual([outcomeOf(e).attempt, outcomeOf(e).outcome], [3, 'failed']);
    });
    assert.equal(retryDelay(config, 3, 1), 480, 'backoff × 4, plus at most 20% jitter');
  });
  it('fails a permanent error at once, and succeeds on success; an ended identity takes no more attempts', () => {
    spec.given([started]).when(attempt(false, false)).then((e) => assert.equal(outcomeOf(e).outcome, 'failed'));
    spec.given([started, recorded(1, 'retrying')]).when(attempt(true)).then((e) => assert.equal(outcomeOf(e).outcome, 'succeeded'));
    spec.given([started, recorded(1, 'succeeded')]).when(attempt(true)).thenError('invalid_input', 'identityId');
  });
  it('a stopped job retries nothing; pause and resume only while it runs', () => {
    const stopped: JobEvent = { type: 'JobStopped', data: { jobId: 'j', reason: 'x', at } };
    spec.given([started, stopped]).when(attempt(false)).then((e) => assert.equal(outcomeOf(e).outcome, 'failed'));
    spec.given([started, stopped]).when({ type: 'ResumeJob', jobId: 'j', now }).thenError('job_ended');
    spec.given([started]).when({ type: 'PauseJob', jobId: 'j', now }).then([{ type: 'JobPaused', data: { jobId: 'j', at } }]);
    spec.given([started]).when({ type: 'ResumeJob', jobId: 'j', now }).then([]);
  });
  it('is marked stalled once, and moving again clears it', () => {
    const stalled: JobEvent = { type: 'JobStalled', data: { jobId: 'j', idleMs: 70_000, at } };
    spec.given([started]).when({ type: 'MarkStalled', jobId: 'j', idleMs: 70_000, now }).then([stalled]);
    spec.given([started, stalled]).when({ type: 'MarkStalled', jobId: 'j', idleMs: 80_000, now }).then([]);
    assert.equal(spec.given([started, stalled, recorded(1, 'retrying')]).state.stalled, false);
  });
});
