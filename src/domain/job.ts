/**
 * A registration job (stream `registration-{jobId}`): registers accounts for a pool from
 * its unregistered identities, at a concurrency, retrying each identity by policy. Every
 * attempt is an event; the decider decides its outcome, so the run log is the policy's
 * own record.
 */
import { Type, type Static } from 'typebox';
import { DomainError, invalid, type FieldError } from './errors.ts';
import { defineEvent, eventSet, Instant, Nullable, type Decider, type EventOf, type EventsIn } from './events.ts';

const JobConfig = Type.Object({
  poolId: Type.String(),
  providerId: Type.String(),
  /** Flows of this job running at once. */
  concurrency: Type.Integer(),
  /** Attempts after the first one that failed with a retryable error (1–5). */
  retries: Type.Integer(),
  /** Wait before retry n: backoffMs × 2^(n−1), with jitter. */
  backoffMs: Type.Number(),
  /** Keep polling for new identities instead of completing when none remain. */
  continuous: Type.Boolean(),
  pollIntervalMs: Type.Number(),
  /** Identities to take at most; null for all. */
  limit: Nullable(Type.Integer()),
  /** No progress for this long marks the job stalled. */
  stallAfterMs: Type.Number(),
  /** Who asked: an operator, or the replenisher. */
  source: Type.Enum(['operator', 'replenish']),
});
export type JobConfig = Static<typeof JobConfig>;

export type JobStatus = 'running' | 'paused' | 'stopped' | 'completed';
export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed';

export interface JobState {
  exists: boolean;
  status: JobStatus;
  config: JobConfig | null;
  stalled: boolean;
  /** identityId → its last attempt number and outcome. */
  identities: Map<string, { attempt: number; outcome: AttemptOutcome }>;
  succeeded: number;
  failed: number;
  /** When the job started: a job that is not continuous takes the identities imported by then. */
  startedAt: string | null;
}

export const initialJob = (): JobState => ({
  exists: false, status: 'running', config: null, stalled: false, identities: new Map(), succeeded: 0, failed: 0, startedAt: null,
});

const jobAt = { jobId: Type.String(), at: Instant };
export const JobStarted = defineEvent('JobStarted', Type.Object({ ...jobAt, config: JobConfig }));
export const JobPaused = defineEvent('JobPaused', Type.Object(jobAt));
export const JobResumed = defineEvent('JobResumed', Type.Object(jobAt));
export const JobStopped = defineEvent('JobStopped', Type.Object({ ...jobAt, reason: Type.String() }));
export const JobCompleted = defineEvent('JobCompleted', Type.Object(jobAt));
export const JobStalled = defineEvent('JobStalled', Type.Object({ ...jobAt, idleMs: Type.Number() }));
export const RegistrationAttempted = defineEvent('RegistrationAttempted', Type.Object({
  ...jobAt, identityId: Type.String(), email: Type.String(), attempt: Type.Integer({ minimum: 1 }),
  outcome: Type.Enum(['succeeded', 'retrying', 'failed']), step: Type.String(), durationMs: Type.Number(),
  error: Type.Optional(Type.String()), retryAt: Type.Optional(Instant),
}));
export type RegistrationAttempted = EventOf<typeof RegistrationAttempted>;
/** The events of a registration job's stream. */
export const jobEvents = eventSet(JobStarted, JobPaused, JobResumed, JobStopped, JobCompleted, JobStalled, RegistrationAttempted);
export type JobEvent = EventsIn<typeof jobEvents>;

export type JobCommand =
  | { type: 'StartJob'; jobId: string; config: JobConfig; now: number }
  | { type: 'PauseJob' | 'ResumeJob' | 'CompleteJob'; jobId: string; now: number }
  | { type: 'StopJob'; jobId: string; reason: string; now: number }
  | { type: 'MarkStalled'; jobId: string; idleMs: number; now: number }
  | {
    type: 'RecordAttempt'; jobId: string; identityId: string; email: string; ok: boolean; retryable: boolean;
    step: string; durationMs: number; error?: string; random: number; now: number;
  };

/** What an operator may do to a running job. */
export type JobAction = 'pause' | 'resume' | 'stop';
/** The command of an operator's action, without the job and the time. */
export type JobControl = { type: 'PauseJob' } | { type: 'ResumeJob' } | { type: 'StopJob'; reason: string };

/**
 * The command an operator's action on a job means.
 *
 * @example
 * jobControl('stop', 'admin:1a2b3c4d') // → { type: 'StopJob', reason: 'stopped by admin:1a2b3c4d' }
 */
export function jobControl(action: JobAction, actor: string): JobControl {
  if (action === 'pause') return { type: 'PauseJob' };
  if (action === 'resume') return { type: 'ResumeJob' };
  return { type: 'StopJob', reason: `stopped by ${actor}` };
}

/** The limits a job's configuration must keep (the provider's concurrency is checked by the handler). */
export function checkJobConfig(c: JobConfig): FieldError[] {
  const bad: FieldError[] = [];
  if (!Number.isInteger(c.retries) || c.retries < 1 || c.retries > 5) bad.push({ field: 'retries', message: 'must be from 1 to 5' });
  if (!Number.isInteger(c.concurrency) || c.concurrency < 1) bad.push({ field: 'concurrency', message: 'must be at least 1' });
  if (c.backoffMs < 0) bad.push({ field: 'backoffMs', message: 'must not be negative' });
  if (c.limit !== null && c.limit < 1) bad.push({ field: 'limit', message: 'must be at least 1' });
  return bad;
}

/** When retry `attempt + 1` may start: exponential backoff from `backoffMs`, with up to 20% jitter. */
export function retryDelay(config: JobConfig, attempt: number, random: number): number {
  const delay = config.backoffMs * 2 ** (attempt - 1);
  return Math.round(delay * (1 + 0.2 * random));
}

/**
 * Decides a job command. An attempt's outcome follows the policy: success, else a retry
 * while a retryable error leaves attempts (1 + retries in all) and the job was not stopped,
 * else failure.
 *
 * @example
 * decideJob({ type: 'PauseJob', jobId, now }, running) // → [{ type: 'JobPaused', data: { jobId, at } }]
 */
export function decideJob(command: JobCommand, state: JobState): JobEvent[] | DomainError {
  const at = new Date(command.now).toISOString();
  const { jobId } = command;
  if (command.type === 'StartJob') {
    if (state.exists) return new DomainError('job_exists', `job ${jobId} exists`);
    const bad = checkJobConfig(command.config);
    return bad.length ? invalid(bad) : [{ type: 'JobStarted', data: { jobId, config: command.config, at } }];
  }
  if (!state.exists) return new DomainError('job_not_found', `job ${jobId} does not exist`);
  const ended = state.status === 'stopped' || state.status === 'completed';
  switch (command.type) {
    case 'PauseJob':
      if (ended) return new DomainError('job_ended', `job ${jobId} has ${state.status === 'stopped' ? 'been stopped' : 'completed'}`);
      return state.status === 'paused' ? [] : [{ type: 'JobPaused', data: { jobId, at } }];
    case 'ResumeJob':
      if (ended) return new DomainError('job_ended', `job ${jobId} has ${state.status === 'stopped' ? 'been stopped' : 'completed'}`);
      return state.status === 'running' ? [] : [{ type: 'JobResumed', data: { jobId, at } }];
    case 'StopJob':
      return ended ? [] : [{ type: 'JobStopped', data: { jobId, reason: command.reason, at } }];
    case 'CompleteJob':
      return ended ? [] : [{ type: 'JobCompleted', data: { jobId, at } }];
    case 'MarkStalled':
      return state.stalled || state.status !== 'running' ? [] : [{ type: 'JobStalled', data: { jobId, idleMs: command.idleMs, at } }];
    case 'RecordAttempt': {
      const { identityId, email, ok, retryable, step, durationMs, error } = command;
      const last = state.identities.get(identityId);
      if (last && last.outcome !== 'retrying') return invalid([{ field: 'identityId', message: `already ${last.outcome} in job ${jobId}` }]);
      const attempt = (last?.attempt ?? 0) + 1;
      const config = state.config!;
      const outcome: AttemptOutcome = ok ? 'succeeded'
        : retryable && attempt <= config.retries && state.status !== 'stopped' ? 'retrying' : 'failed';
      const retryAt = outcome === 'retrying' ? new Date(command.now + retryDelay(config, attempt, command.random)).toISOString() : undefined;
      return [{
        type: 'RegistrationAttempted',
        data: { jobId, identityId, email, attempt, outcome, step, durationMs, ...(error ? { error } : {}), ...(retryAt ? { retryAt } : {}), at },
      }];
    }
  }
}

/** Folds one job event (the identities map is updated in place). */
export function evolveJob(state: JobState, event: JobEvent): JobState {
  switch (event.type) {
    case 'JobStarted':
      return { ...state, exists: true, status: 'running', config: event.data.config, startedAt: event.data.at };
    case 'JobPaused':
      return { ...state, status: 'paused' };
    case 'JobResumed':
      return { ...state, status: 'running', stalled: false };
    case 'JobStopped':
      return { ...state, status: 'stopped' };
    case 'JobCompleted':
      return { ...state, status: 'completed' };
    case 'JobStalled':
      return { ...state, stalled: true };
    case 'RegistrationAttempted': {
      const { identityId, attempt, outcome } = event.data;
      // In place, like the ledger: a long job folds many attempts.
      state.identities.set(identityId, { attempt, outcome });
      return {
        ...state, stalled: false,
        succeeded: state.succeeded + (outcome === 'succeeded' ? 1 : 0), failed: state.failed + (outcome === 'failed' ? 1 : 0),
      };
    }
  }
}

/** The registration job stream's decider. */
export const jobDecider: Decider<JobState, JobCommand, JobEvent> = {
  initial: initialJob, decide: decideJob, evolve: evolveJob, events: jobEvents,
};
