/**
 * What commands ask of the background workers on this node: the ports the workers
 * implement, so that commands (and HTTP through them) never import a worker.
 */
import type { JobConfig, JobControl } from '../domain/job.ts';
import type { Position } from '../store/port.ts';
import type { CommandContext } from './context.ts';

export type RefreshOutcome = 'refreshed' | 'revoked' | 'failed' | 'skipped';

export interface RefreshResult {
  accountId: string;
  outcome: RefreshOutcome;
  detail?: string;
}

/** Refreshes credentials now: one account, or every account of a pool. */
export interface RefreshWork {
  request(poolId: string, options: { accountId?: string; force: boolean }, ctx: CommandContext): Promise<RefreshResult[]>;
}

export interface Replenishment {
  poolId: string;
  /** Accounts asked for: the shortfall, or the count given. */
  requested: number;
  /** Accounts a started job will register (bounded by the maximum and by unregistered identities). */
  registering: number;
  jobId: string | null;
  detail: string;
}

/** Starts registration for a pool's shortfall, or for `count` accounts. */
export interface ReplenishWork {
  replenish(poolId: string, count?: number, ctx?: CommandContext): Promise<Replenishment>;
}

/** How the flows on this node are doing, for operators (`GET /v1/flows`). */
export interface FlowsStatus {
  /** Flows running now. */
  active: number;
  /** Registration threads started. */
  threads: number;
  /** Registration flows waiting for a thread. */
  queued: number;
  /** Registration's upstream calls a second while paced (null: unpaced), and the calls waiting for their turn. */
  pacing: { callsPerSecond: number | null; waiting: number };
}

/** Checks an account's health and credits with its provider. */
export interface ProbeWork {
  probe(accountId: string): Promise<void>;
  /** Soon, once: several reports in a row ask once. */
  probeSoon(accountId: string): void;
}

export interface StartJob {
  poolId: string;
  jobId?: string;
  concurrency: number;
  retries: number;
  backoffMs?: number;
  continuous?: boolean;
  pollIntervalMs?: number;
  limit?: number | null;
  stallAfterMs?: number;
  source?: JobConfig['source'];
}

/** What commands need to know of a provider. */
export interface ProviderFacts {
  can: { register: boolean };
  limits: { maxConcurrency: number };
}

/** The providers configured on this node, by id. */
export interface ProviderCatalog {
  get(id: string): ProviderFacts | undefined;
}

/** A control command's outcome: the events it wrote and the job's status after. */
export interface JobControlled {
  events: string[];
  status: string;
}

/** The registration jobs this node supervises. */
export interface JobWork {
  /** Records a checked job's start and supervises it here. */
  start(jobId: string, config: JobConfig, ctx: CommandContext): Promise<{ position?: Position }>;
  /** Applies a control command to a job supervised here (so that its supervisor acts at once); undefined when none is. */
  controlHere(jobId: string, command: JobControl, ctx: CommandContext): Promise<JobControlled | undefined>;
}
