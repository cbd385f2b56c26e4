/**
 * What commands ask of the background workers on this node: the ports the workers
 * implement, so that commands (and HTTP through them) never import a worker.
 */
import type { JobConfig } from '../domain/job.ts';
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

export type JobAction = 'pause' | 'resume' | 'stop';

/** The registration jobs of this node: started here, controlled on whichever node runs them. */
export interface JobWork {
  start(input: StartJob, ctx: CommandContext): Promise<{ jobId: string; position?: Position; config: JobConfig }>;
  control(jobId: string, action: JobAction, ctx: CommandContext): Promise<{ events: string[]; status: string }>;
}
