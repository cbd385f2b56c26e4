import type pg from 'pg';

/** The scheduler's advisory-lock key: one leader among all nodes. */
const LEADER_LOCK = 7_260_002;

/**
 * Runs the background chores on one node at a time (DESIGN.md, Workers): the node that
 * holds an advisory lock on its own connection is the leader and runs every task each
 * round; the others try to take the lock at the same pace. A leader whose
 * connection dies loses the lock with it.
 *
 * @example
 * const scheduler = new Scheduler(pool, [() => refresher.scan()], onError);
 * await scheduler.tick(); // every interval, by the service
 */
export class Scheduler {
  private leader: pg.PoolClient | null = null;
  private stopped = false;

  constructor(
    private readonly db: pg.Pool,
    private readonly tasks: Array<() => unknown>,
    private readonly onError: (e: unknown) => void,
  ) {}

  get isLeader(): boolean {
    return this.leader !== null;
  }

  private async lead(): Promise<boolean> {
    if (this.leader) return true;
    if (this.stopped) return false;
    const client = await this.db.connect();
    const ok = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]).then((r) => r.rows[0]!.ok, (error: unknown) => {
      client.release(true);
      throw error;
    });
    // Stopped while connecting: a round still under way must not keep a connection (the pool could never end).
    if (!ok || this.stopped) {
      client.release(this.stopped);
      return false;
    }
    // A lost connection loses the lock: the client goes back to the pool, destroyed (a
    // client never released would keep the pool from ever ending).
    client.on('error', () => {
      if (this.leader !== client) return;
      this.leader = null;
      client.release(true);
    });
    this.leader = client;
    return true;
  }

  /** One round: takes the lead if it can, and as the leader runs every task once (the service repeats it on a Schedule). */
  async tick(): Promise<void> {
    if (!(await this.lead())) return;
    for (const task of this.tasks) {
      try {
        await task();
      } catch (e) {
        this.onError(e);
      }
    }
  }

  /** Gives up the lead (its connection goes, and the lock with it). */
  stop(): void {
    this.stopped = true;
    this.leader?.release(true);
    this.leader = null;
  }
}
