/**
 * Registration jobs as an operator (or the replenisher) starts and controls them: the
 * request is checked against the pool and its provider here, then the job is recorded and
 * supervised by this node's worker; pause, resume and stop go to the node that runs the job
 * (through the log when it is not this one).
 */
import { randomUUID } from 'node:crypto';
import { DomainError, invalid, type FieldError } from '../domain/errors.ts';
import { checkJobConfig, jobControl, jobDecider, type JobAction, type JobConfig } from '../domain/job.ts';
import type { EventStore } from '../store/port.ts';
import type { Allocators } from './allocators.ts';
import type { CommandContext } from './context.ts';
import { runCommand } from './runner.ts';
import type { JobControlled, JobWork, ProviderCatalog, StartJob } from './work.ts';

export interface JobDeps {
  store: EventStore;
  allocators: Allocators;
  providers: ProviderCatalog;
  registrations: JobWork;
  /** `jobStallAfterMs`: a job's default for `stallAfterMs`. */
  settings: { jobStallAfterMs: number };
}

/**
 * A job's configuration from a request, with its defaults; a 400 names every field that is
 * missing or out of bounds (the pool must exist and its provider be able to register).
 *
 * @example
 * const config = await jobConfigOf(deps, { poolId: 'p', concurrency: 4, retries: 3 });
 */
export async function jobConfigOf(deps: JobDeps, input: StartJob): Promise<JobConfig> {
  const bad: FieldError[] = [];
  const pool = await deps.allocators.get(input.poolId).catch((e) => {
    if (e instanceof DomainError && e.code === 'pool_not_found') bad.push({ field: 'poolId', message: `pool ${input.poolId} does not exist` });
    else throw e;
  });
  const providerId = pool?.current.config?.providerId ?? '';
  const provider = deps.providers.get(providerId);
  if (pool && !provider) bad.push({ field: 'providerId', message: `the pool's provider ${providerId} is not configured (ROSTER_PROVIDERS)` });
  else if (provider && !provider.can.register) bad.push({ field: 'providerId', message: `provider ${providerId} cannot register accounts` });
  if (provider && input.concurrency > provider.limits.maxConcurrency) {
    bad.push({ field: 'concurrency', message: `must not exceed the provider's maximum concurrency ${provider.limits.maxConcurrency}` });
  }
  const config: JobConfig = {
    poolId: input.poolId, providerId, concurrency: input.concurrency, retries: input.retries, backoffMs: input.backoffMs ?? 1000,
    continuous: input.continuous ?? false, pollIntervalMs: input.pollIntervalMs ?? 10_000, limit: input.limit ?? null,
    stallAfterMs: input.stallAfterMs ?? deps.settings.jobStallAfterMs, source: input.source ?? 'operator',
  };
  bad.push(...checkJobConfig(config));
  if (bad.length) throw invalid(bad);
  return config;
}

/**
 * Starts a registration job for a pool, supervised on this node.
 *
 * @example
 * const { jobId } = await startJob(deps, { poolId: 'p', concurrency: 4, retries: 3 }, ctx);
 */
export async function startJob(deps: JobDeps, input: StartJob, ctx: CommandContext) {
  const config = await jobConfigOf(deps, input);
  const jobId = input.jobId ?? `job-${randomUUID().slice(0, 13)}`;
  const { position } = await deps.registrations.start(jobId, config, ctx);
  return { jobId, config, position };
}

/**
 * Pauses, resumes or stops a job, on whichever node runs it: through its supervisor when
 * it runs here, else on its stream (its node learns of it from the log).
 *
 * @example
 * await controlJob(deps, jobId, 'pause', ctx);
 */
export async function controlJob(deps: JobDeps, jobId: string, action: JobAction, ctx: CommandContext): Promise<JobControlled> {
  const command = jobControl(action, ctx.actor);
  const here = await deps.registrations.controlHere(jobId, command, ctx);
  if (here) return here;
  const r = await runCommand(deps.store, `registration-${jobId}`, jobDecider, { ...command, jobId, now: Date.now() }, ctx);
  return { events: r.events.map((e) => e.type), status: r.state.status };
}
