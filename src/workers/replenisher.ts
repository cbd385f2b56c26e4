import type pg from 'pg';
import { systemContext, type CommandContext } from '../commands/context.ts';
import { poolStatus, poolStatuses } from '../projections/queries.ts';
import type { ReadModelWaits } from '../projections/waits.ts';
import { countUnregistered, jobsRegistering } from '../projections/registration-queries.ts';
import { holdingLock } from '../store/advisory-lock.ts';
import type { Replenishment, ReplenishWork } from '../commands/work.ts';
import { startJob, type JobDeps } from '../commands/jobs.ts';

/**
 * Keeps each pool at its minimum: available accounts plus those being registered, never
 * past the maximum (disabled and retired accounts do not count), by starting registration
 * jobs over the pool's unregistered identities. A pool's replenishments take turns (the
 * scheduler's, the API's, on this node and on every other: `holdingLock`, a queue here,
 * then an advisory lock): each counts what the jobs of every node, the one before it included, have left.
 * The locks held at once take a bounded share of the node's connections (`holdingLock`),
 * so that replenishing many pools at once leaves their queries connections to run on.
 *
 * @example
 * await replenisher.replenish('default'); // → { requested: 3, registering: 3, jobId: 'job-…', … }
 */
export class Replenisher implements ReplenishWork {
  constructor(private readonly deps: JobDeps & { db: pg.Pool; readModels: ReadModelWaits }) {}

  replenish(poolId: string, count?: number, ctx: CommandContext = systemContext('replenisher')): Promise<Replenishment> {
    return holdingLock(this.deps.db, `roster:replenish:${poolId}`, () => this.replenishNow(poolId, count, ctx));
  }

  private async replenishNow(poolId: string, count: number | undefined, ctx: CommandContext): Promise<Replenishment> {
    const { db, store, providers } = this.deps;
    await this.deps.readModels.reach(db, await store.headPosition());
    // The jobs read before the pool: an account a job no longer counts was appended before,
    // so the pool's counts read next include it (read after, a job that ended meanwhile
    // would be counted by neither, and another started).
    const jobs = await jobsRegistering(db, poolId);
    const status = await poolStatus(db, poolId);
    const unregistered = await countUnregistered(db, poolId);
    const spec = providers.get(status.config.providerId);
    // A job without a limit registers every identity left.
    const registering = jobs.unlimited ? Math.max(jobs.left, unregistered) : jobs.left;
    const requested = count ?? Math.max(0, status.config.minSize - status.counts.available - registering);
    const answer = (n: number, jobId: string | null, detail: string): Replenishment => ({ poolId, requested, registering: n, jobId, detail });
    if (requested === 0) return answer(0, null, 'the pool is at its minimum');
    if (!spec?.can.register) return answer(0, null, `provider ${status.config.providerId} cannot register accounts`);
    const counted = status.counts.total - status.counts.disabled;
    const room = status.config.maxSize - counted - registering;
    const free = unregistered - registering;
    const n = Math.min(requested, room, free);
    if (n <= 0) return answer(0, null, room <= 0 ? 'the pool is at its maximum' : 'no unregistered identities left; import more');
    const { jobId } = await startJob(this.deps, {
      poolId, concurrency: Math.min(n, spec.limits.maxConcurrency, 8), retries: 3, limit: n, source: 'replenish',
    }, ctx);
    return answer(n, jobId, `registering ${n} account(s)`);
  }

  /** Replenishes every pool below its minimum (the scheduler calls this). */
  async tick(): Promise<Replenishment[]> {
    const out: Replenishment[] = [];
    for (const pool of await poolStatuses(this.deps.db)) {
      if (pool.config.minSize > 0 && pool.counts.available < pool.config.minSize) out.push(await this.replenish(pool.poolId));
    }
    return out;
  }
}
