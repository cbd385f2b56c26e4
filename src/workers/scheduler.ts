import type pg from 'pg';

/** The scheduler's advisory-lock key: one leader among all nodes. */
const LEADER_LOCK = 7_260_002;

/**
 * Runs the background chores on one node at a time (DESIGN.md, Workers): the node that
 * holds an advisory lock on its own connection is the leader and runs every task each
 * `intervalMs`; the others try to take the lock at the same pace. A leader whose
 * connection dies loses the lock with it.
 *
 * @example
 * new Scheduler(pool, 5000, [() => refresher.scan()], onError).run(signal);
 */
export class Scheduler {
  private leader: pg.PoolClient | null = null;

  constructor(
    private readonly db: pg.Pool,
    private readonly intervalMs: number,
    private readonly tasks: Array<() => unknown>,
    private readonly onError: (e: unknown) => void,
  ) {}

  get isLeader(): boolean {
    return this.leader !== null;
  }

  private async lead(): Promise<boolean> {
    if (this.leader) return true;
    const client = await this.db.connect();
    const ok = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK]).then((r) => r.rows[0]!.ok, (error: unknown) => {
      client.release(true);
      throw error;
    });
    if (!ok) {
      client.release();
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

  run(signal: AbortSignal): void {
    let busy = false;
    const tick = async () => {
      if (busy || !(await this.lead())) return;
      busy = true;
      for (const task of this.tasks) {
        try {
          await task();
        } catch (e) {
          this.onError(e);
        }
      }
      busy = false;
    };
    const timer = setInterval(() => void tick().catch(this.onError), this.intervalMs);
    void tick().catch(this.onError);
    signal.addEventListener('abort', () => {
      clearInterval(timer);
      this.leader?.release(true);
      this.leader = null;
    }, { once: true });
  }
}
