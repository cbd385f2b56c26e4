import { randomUUID } from 'node:crypto';
import * as Effect from 'effect/Effect';
import { every, fork } from '../effect.ts';
import type pg from 'pg';
import { changeAccount, type AccountDeps } from '../commands/accounts.ts';
import type { CommandContext } from '../commands/context.ts';
import type { JobControlled, JobWork } from '../commands/work.ts';
import { catchUp, runCommand } from '../commands/runner.ts';
import { DomainError } from '../domain/errors.ts';
import { jobDecider, type JobCommand, type JobConfig, type JobControl, type JobEvent, type JobState } from '../domain/job.ts';
import type { ReadModelWaits } from '../projections/waits.ts';
import { identityEmail, liveJobIds, unregisteredIdentities } from '../projections/registration-queries.ts';
import type { Position } from '../store/port.ts';
import type { Allocators } from '../commands/allocators.ts';
import type { FlowResult } from './flow.ts';
import type { FlowPool } from './flows.ts';
import { Gate } from '../effect.ts';
import type { Registered } from './providers/provider.ts';
import type { Providers } from './providers/registry.ts';
import type { Credentials } from '../store/secrets.ts';

export const ownersSchema = /* sql */ `
CREATE TABLE IF NOT EXISTS registration_owners (
  job_id text PRIMARY KEY,
  node_id text NOT NULL,
  heartbeat_at timestamptz NOT NULL
);
`;

export interface RegistrationDeps extends AccountDeps {
  db: pg.Pool;
  allocators: Allocators;
  flows: FlowPool;
  providers: Providers;
  /** Waits for the read models before a job reads its pool's unregistered identities. */
  readModels: ReadModelWaits;
  /** `fetchBatch`: identities a job takes per read of the unregistered ones. */
  settings: { heartbeatMs: number; flowTimeoutMs: number; fetchBatch: number };
  onError: (error: unknown) => void;
}

/**
 * Records this node as the supervisor of `jobIds`: unconditionally, or (with
 * `orphanAfterMs`) only those whose node has not heartbeated for that long. Returns the
 * ids taken.
 */
async function claimJobs(db: pg.Pool, nodeId: string, jobIds: string[], orphanAfterMs?: number): Promise<string[]> {
  if (jobIds.length === 0) return [];
  const { rows } = await db.query<{ job_id: string }>(
    `INSERT INTO registration_owners (job_id, node_id, heartbeat_at)
     SELECT job_id, $2, now() FROM unnest($1::text[]) AS job_id
     ON CONFLICT (job_id) DO UPDATE SET node_id = EXCLUDED.node_id, heartbeat_at = now()
       WHERE $3::double precision IS NULL OR registration_owners.heartbeat_at < now() - make_interval(secs => $3::double precision / 1000)
     RETURNING job_id`, [jobIds, nodeId, orphanAfterMs ?? null],
  );
  return rows.map((r) => r.job_id);
}

type Command = JobCommand extends infer C ? (C extends unknown ? Omit<C, 'jobId' | 'now'> : never) : never;

interface Queued {
  identityId: string;
  email: string;
  notBefore: number;
}

/**
 * Runs one registration job on this node: takes unregistered identities, runs their
 * register flows at the job's concurrency, records every attempt (the decider decides
 * its outcome), requeues retries after their backoff, heartbeats, and marks the job
 * stalled when nothing moves for its `stallAfterMs`.
 */
class JobSupervisor {
  private state: JobState = jobDecider.initial();
  private revision = -1;
  private readonly queue: Queued[] = [];
  private readonly inFlight = new Map<string, AbortController>();
  private readonly writes = new Gate(1);
  private readonly closing = new AbortController();
  private fetchedAt = 0;
  private exhausted = false;
  private lastProgress = Date.now();
  private wake: () => void = () => undefined;

  constructor(readonly jobId: string, private readonly deps: RegistrationDeps, private readonly claimed: Set<string>, private readonly ctx: CommandContext) {}

  get stream(): string {
    return `registration-${this.jobId}`;
  }

  /** The job's configuration; null until the supervisor has read the job's stream. */
  get config(): JobConfig {
    return this.state.config!;
  }

  get loaded(): boolean {
    return this.state.config !== null;
  }

  get status(): JobState['status'] {
    return this.state.status;
  }

  get ended(): boolean {
    return this.state.status === 'stopped' || this.state.status === 'completed';
  }

  async catchUp(): Promise<void> {
    ({ state: this.state, revision: this.revision } = await catchUp(this.deps.store, this.stream, jobDecider, { state: this.state, revision: this.revision }));
    this.wake();
  }

  /** Runs a command as the job's only writer here, from what it knows; on a conflict (another node paused it) the runner catches up and decides again. */
  apply(command: Command): Promise<JobEvent[]> {
    return this.writes.run(async () => {
      const known = { state: this.state, revision: this.revision };
      const r = await runCommand(this.deps.store, this.stream, jobDecider, { ...command, jobId: this.jobId, now: Date.now() } as JobCommand, this.ctx, known);
      ({ state: this.state, revision: this.revision } = r);
      if (r.events.length) this.wake();
      return r.events;
    });
  }

  /** Cancels every running flow (they stop cooperatively). */
  cancelFlows(): void {
    for (const c of this.inFlight.values()) c.abort();
  }

  /** Stops supervising on this node without ending the job (shutdown); another start adopts it. */
  close(): void {
    this.closing.abort();
    this.cancelFlows();
    this.wake();
  }

  /**
   * Takes the next unregistered identities of the pool not yet tried by this job nor held by
   * another job here: at most `fetchBatch` at a time, and for a job that is not continuous
   * only those imported before it started; it is exhausted once a read returns no more than it takes.
   */
  private async fetch(): Promise<void> {
    this.fetchedAt = Date.now();
    const { db, store, settings, readModels } = this.deps;
    const { limit, continuous, poolId } = this.config;
    await readModels.reach(db, await store.headPosition()).catch(() => undefined);
    const room = Math.min(settings.fetchBatch, limit === null ? Infinity : limit - this.state.succeeded - this.state.failed - this.queue.length - this.inFlight.size);
    if (room <= 0) {
      this.exhausted = !continuous;
      return;
    }
    const tried = [...this.state.identities.keys()];
    const asked = room + this.claimed.size;
    const rows = await unregisteredIdentities(db, poolId, { tried, limit: asked, importedBy: continuous ? null : this.state.startedAt });
    const free = rows.filter((r) => !this.claimed.has(r.identity_id));
    for (const r of free.slice(0, room)) {
      this.claimed.add(r.identity_id);
      this.enqueue({ identityId: r.identity_id, email: r.email, notBefore: 0 });
    }
    // A short read returned every identity left; held ones (claimed) may be among them.
    if (!continuous && rows.length < asked && free.length <= room) this.exhausted = true;
  }

  /** The supervisor's loop: fill free slots, wait for work or time, complete when nothing remains. */
  async run(): Promise<void> {
    await this.writes.run(() => this.catchUp());
    const heartbeat = fork(Effect.delay(every(this.deps.settings.heartbeatMs, () => this.beat(), this.deps.onError), this.deps.settings.heartbeatMs));
    try {
      while (!this.ended && !this.closing.signal.aborted) {
        const now = Date.now();
        if (this.state.status === 'running') {
          const due = this.config.continuous ? now - this.fetchedAt >= this.config.pollIntervalMs : !this.exhausted;
          if (due && this.queue.length === 0) await this.fetch();
          if (this.queue.length === 0 && this.inFlight.size === 0) this.requeueRetries(now);
          this.fill(now);
          if (this.queue.length === 0 && this.inFlight.size === 0 && this.exhausted) {
            await this.apply({ type: 'CompleteJob' });
            break;
          }
        }
        // A queued identity coming due is a reason to wake only when it can start: with
        // every slot taken a finishing flow wakes the loop, and a resume wakes a paused job.
        const canStart = this.state.status === 'running' && this.inFlight.size < this.config.concurrency;
        const next = Math.min(canStart ? this.queue[0]?.notBefore ?? Infinity : Infinity, now + 1000);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(5, next - now));
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    } finally {
      await heartbeat.stop();
      for (const q of this.queue) this.claimed.delete(q.identityId);
    }
  }

  /** Queues every identity whose last attempt asked for a retry (after a restart, or an attempt that broke after recording); called when nothing is queued or running. */
  private requeueRetries(now: number): void {
    for (const [identityId, last] of this.state.identities) {
      if (last.outcome !== 'retrying') continue;
      this.claimed.add(identityId);
      this.enqueue({ identityId, email: '', notBefore: now });
    }
  }

  /** Queues an identity, keeping the queue in `notBefore` order (after those due at the same time). */
  private enqueue(item: Queued): void {
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1]!.notBefore > item.notBefore) i--;
    this.queue.splice(i, 0, item);
  }

  private fill(now: number): void {
    while (this.inFlight.size < this.config.concurrency && this.queue[0] && this.queue[0].notBefore <= now) {
      const item = this.queue.shift()!;
      const cancel = new AbortController();
      this.inFlight.set(item.identityId, cancel);
      void this.attempt(item, cancel.signal)
        .catch(this.deps.onError)
        .finally(() => {
          this.inFlight.delete(item.identityId);
          if (!this.queue.some((q) => q.identityId === item.identityId)) this.claimed.delete(item.identityId);
          this.wake();
        });
    }
  }

  /** Runs the register flow, unless the account exists already (imported meanwhile, or registered by another job). */
  private async register(identityId: string, email: string, secrets: Credentials | null, signal: AbortSignal): Promise<FlowResult> {
    const { flows, providers, settings, accounts } = this.deps;
    if (accounts.find(identityId)) return { ok: true, value: null, step: 'already registered' };
    const spec = providers.get(this.config.providerId);
    if (!spec) return { ok: false, error: { kind: 'permanent', message: `provider ${this.config.providerId} is not configured` }, step: 'start' };
    return flows.run(spec, 'register', { email, password: secrets?.password, extra: secrets?.extra ?? {} }, {
      timeoutMs: settings.flowTimeoutMs, signal, onStep: () => (this.lastProgress = Date.now()),
    });
  }

  private async attempt(item: Queued, signal: AbortSignal): Promise<void> {
    const secrets = await this.deps.vault.get(item.identityId);
    const email = item.email || this.deps.accounts.find(item.identityId)?.state.login || (await this.emailOf(item.identityId));
    const started = Date.now();
    const result = await this.register(item.identityId, email, secrets, signal);
    if (this.closing.signal.aborted) return; // shutting down: the next owner tries again
    let outcome = result.ok ? { ok: true, retryable: false } : { ok: false, retryable: result.error.kind === 'retryable', error: result.error.message };
    if (result.ok && result.value) {
      outcome = await this.record(item.identityId, email, { ...secrets, ...(result.value as Registered).credentials }, result.value as Registered)
        .then(() => ({ ok: true, retryable: false }), (e: Error) => ({ ok: false, retryable: true, error: `recording the account failed: ${e.message}` }));
    }
    this.lastProgress = Date.now();
    const [event] = await this.apply({
      type: 'RecordAttempt', identityId: item.identityId, email, ...outcome, step: result.step,
      durationMs: Date.now() - started, random: Math.random(),
    });
    if (event?.type === 'RegistrationAttempted' && event.data.outcome === 'retrying') this.enqueue({ ...item, email, notBefore: Date.parse(event.data.retryAt!) });
  }

  private async emailOf(identityId: string): Promise<string> {
    return (await identityEmail(this.deps.db, identityId)) ?? '';
  }

  /** Stores the new account's secrets, then its `AccountRegistered` event (an account that exists already is no duplicate: it is kept). */
  private async record(accountId: string, login: string, credentials: Registered['credentials'], registered: Registered): Promise<void> {
    const { vault } = this.deps;
    await vault.put(accountId, credentials);
    await changeAccount(this.deps, {
      type: 'RegisterAccount', accountId, poolId: this.config.poolId, login, capabilities: registered.capabilities,
      region: registered.region ?? null, credentials: { fingerprint: vault.fingerprint(credentials), expiresAt: registered.expiresAt },
      providerId: this.config.providerId, jobId: this.jobId,
    }, this.ctx).catch((e) => {
      if (!(e instanceof DomainError && e.code === 'account_exists')) throw e;
    });
  }

  /** Heartbeat: renews this node's hold on the job, learns changes made elsewhere, marks a stall. */
  private async beat(): Promise<void> {
    await this.deps.db.query('UPDATE registration_owners SET heartbeat_at = now() WHERE job_id = $1', [this.jobId]);
    await this.writes.run(() => this.catchUp()); // not while an append of ours is in flight
    if (this.state.status === 'stopped') this.cancelFlows();
    const idle = Date.now() - this.lastProgress;
    const busy = this.inFlight.size > 0 || this.queue.length > 0;
    if (this.state.status === 'running' && busy && idle > this.config.stallAfterMs) await this.apply({ type: 'MarkStalled', idleMs: idle });
    if (!busy) this.lastProgress = Date.now();
  }
}


/**
 * The registration jobs this node supervises: starts them (`commands/jobs.ts` checks them
 * first), pauses, resumes and stops those running here, and adopts jobs whose node stopped
 * heartbeating.
 *
 * @example
 * await registrations.start(jobId, config, ctx); // config from jobConfigOf
 */
export class Registrations implements JobWork {
  readonly nodeId = randomUUID();
  private readonly supervisors = new Map<string, JobSupervisor>();
  private readonly claimed = new Set<string>();

  constructor(private readonly deps: RegistrationDeps) {}

  /** Records a checked job's start (`commands/jobs.ts` checks it) and supervises it here. */
  async start(jobId: string, config: JobConfig, ctx: CommandContext): Promise<{ position?: Position }> {
    const supervisor = new JobSupervisor(jobId, this.deps, this.claimed, ctx);
    await supervisor.apply({ type: 'StartJob', config });
    await claimJobs(this.deps.db, this.nodeId, [jobId]);
    this.supervise(supervisor);
    return { position: await this.deps.store.headPosition() };
  }

  private supervise(supervisor: JobSupervisor): void {
    this.supervisors.set(supervisor.jobId, supervisor);
    void supervisor.run().catch(this.deps.onError).finally(() => {
      this.supervisors.delete(supervisor.jobId);
      if (supervisor.ended) void this.deps.db.query('DELETE FROM registration_owners WHERE job_id = $1', [supervisor.jobId]).catch(() => undefined);
    });
  }

  /** Applies a control command to a job supervised here; undefined when none is. */
  async controlHere(jobId: string, command: JobControl, _ctx: CommandContext): Promise<JobControlled | undefined> {
    const local = this.supervisors.get(jobId);
    if (!local) return undefined;
    const events = await local.apply(command);
    if (command.type === 'StopJob') local.cancelFlows();
    return { events: events.map((e) => e.type), status: local.ended ? 'stopped' : local.status };
  }

  /** Adopts running or paused jobs that no node heartbeats for (their node stopped); the service repeats it every `heartbeatMs`. */
  async adopt(): Promise<void> {
    const live = await liveJobIds(this.deps.db);
    const rows = await claimJobs(this.deps.db, this.nodeId, live, this.deps.settings.heartbeatMs * 3);
    for (const jobId of rows) {
      if (!this.supervisors.has(jobId)) this.supervise(new JobSupervisor(jobId, this.deps, this.claimed, { actor: 'system:registration', correlationId: jobId }));
    }
  }

  /** Stops supervising (jobs stay running in the log; a later start adopts them). */
  async close(): Promise<void> {
    for (const s of this.supervisors.values()) s.close();
    await this.deps.db.query('UPDATE registration_owners SET heartbeat_at = now() - interval \'1 hour\' WHERE node_id = $1', [this.nodeId]).catch(() => undefined);
  }
}
