import { jobEvents } from '../domain/job.ts';
import type { RowProjection } from './projection.ts';

/** `rm_identities`: one row per identity of a pool (whether it is registered is a join with `rm_accounts`). */
export const identitiesProjection: RowProjection = {
  name: 'identities',
  table: 'rm_identities',
  key: 'identity_id',
  keyType: 'uuid',
  columns: ['identity_id', 'pool_id', 'email', 'fields', 'imported_at'],
  streamPrefixes: ['identities-'],
  keysOf: (e) => (e.type === 'IdentitiesImported' ? e.data.identities.map((i) => i.identityId) : []),
  apply(row, e, identityId) {
    if (e.type !== 'IdentitiesImported') return row;
    const d = e.data;
    const i = d.identities.find((x) => x.identityId === identityId)!;
    return { identity_id: identityId, pool_id: d.poolId, email: i.email, fields: i.fields, imported_at: d.at };
  },
};

/** `rm_jobs`: one row per registration job with its status and counters. */
export const jobsProjection: RowProjection = {
  name: 'jobs',
  table: 'rm_jobs',
  key: 'job_id',
  columns: [
    'job_id', 'pool_id', 'provider_id', 'status', 'config', 'stalled', 'succeeded', 'failed', 'retrying', 'attempts',
    'started_at', 'updated_at', 'ended_at',
  ],
  streamPrefixes: ['registration-'],
  keysOf: (e) => (jobEvents.has(e) ? [e.data.jobId] : []),
  apply(row, e) {
    if (!jobEvents.has(e)) return row;
    const at = e.data.at;
    if (e.type === 'JobStarted') {
      const c = e.data.config;
      return {
        job_id: e.data.jobId, pool_id: c.poolId, provider_id: c.providerId, status: 'running', config: c, stalled: false,
        succeeded: 0, failed: 0, retrying: 0, attempts: 0, started_at: at, updated_at: at, ended_at: null,
      };
    }
    if (!row) return row;
    const next = { ...row, updated_at: at };
    switch (e.type) {
      case 'JobPaused':
        return { ...next, status: 'paused' };
      case 'JobResumed':
        return { ...next, status: 'running', stalled: false };
      case 'JobStopped':
      case 'JobCompleted':
        return { ...next, status: e.type === 'JobStopped' ? 'stopped' : 'completed', ended_at: at };
      case 'JobStalled':
        return { ...next, stalled: true };
      case 'RegistrationAttempted': {
        const { outcome, attempt } = e.data;
        const n = (k: string) => row[k] as number;
        return {
          ...next, stalled: false, attempts: n('attempts') + 1,
          succeeded: n('succeeded') + (outcome === 'succeeded' ? 1 : 0), failed: n('failed') + (outcome === 'failed' ? 1 : 0),
          retrying: n('retrying') + (outcome === 'retrying' ? 1 : 0) - (attempt > 1 ? 1 : 0),
        };
      }
    }
  },
};

/** `rm_job_attempts`: the run log, one row per attempt. */
export const attemptsProjection: RowProjection = {
  name: 'job_attempts',
  table: 'rm_job_attempts',
  key: 'attempt_key',
  columns: ['attempt_key', 'job_id', 'seq', 'identity_id', 'email', 'attempt', 'outcome', 'step', 'duration_ms', 'error', 'retry_at', 'at'],
  streamPrefixes: ['registration-'],
  keysOf: (e) => (e.type === 'RegistrationAttempted' ? [`${e.stream}:${e.revision}`] : []),
  apply(row, e, key) {
    if (e.type !== 'RegistrationAttempted') return row;
    const d = e.data;
    return {
      attempt_key: key, job_id: d.jobId, seq: e.revision, identity_id: d.identityId, email: d.email, attempt: d.attempt,
      outcome: d.outcome, step: d.step, duration_ms: d.durationMs, error: d.error ?? null, retry_at: d.retryAt ?? null, at: d.at,
    };
  },
};
