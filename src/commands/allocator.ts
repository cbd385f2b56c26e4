import { DomainError } from '../domain/errors.ts';
import { coolingUntil, exhaustedModels, isAllocatable } from '../domain/account.ts';
import { usageDay } from '../domain/usage-day.ts';
import { accountsOf, decideLedger, ledgerEvents, matches, type AllocationFilter, type Candidate, type LedgerCommand, type LedgerEvent, type LedgerState } from '../domain/ledger.ts';
import { inSpan, instruments } from '../telemetry.ts';
import { decidePool, evolvePool, initialPoolState, poolEvents, type PoolCommand, type PoolEvent, type PoolState } from '../domain/pool.ts';
import { WrongExpectedRevision, type EventStore, type Position, type RecordedEvent } from '../store/port.ts';
import type { CommandContext } from './context.ts';
import { appendDecided, conflictPolicy } from './runner.ts';
import { isUnavailable } from '../store/unavailable.ts';
import type { AccountIndex } from '../projections/account-index.ts';
import { accountTags, DueAccounts, filterTags, firstOf, FreeAccounts } from './free-accounts.ts';

/** An allocation parked until accounts are free: how many it wants, and which it could take. */
export interface WaitingLease {
  count: number;
  /** Whether the allocation could take the account were it free (its filter; the account allocatable). */
  takes(accountId: string): boolean;
}

/** The gateway's use of the pool's accounts on this node, as the allocator sees it. */
export interface SharedUse {
  /** Whether an account is serving gateway requests on this node: it is not leased then. */
  inUse(accountId: string): boolean;
  /** Allocations of the pool wait for accounts: the gateway may give back some they could take. */
  waiting(leases: WaitingLease[]): void;
}

const unshared: SharedUse = { inUse: () => false, waiting: () => undefined };

/** Where usage days begin (see `usageDay`). */
export interface UsageDays {
  timeZone: string;
  rollover: string;
}

/** What the allocator is asked to do: a ledger command (candidates are filled in here) or a configuration change. */
export type AllocatorCommand =
  | (Omit<Extract<LedgerCommand, { type: 'Allocate' }>, 'candidates' | 'now' | 'random'> & {
    waitMs?: number;
    /** Only these accounts, in this order (the gateway leasing the account it is about to use). */
    accountIds?: string[];
  })
  | Omit<Extract<LedgerCommand, { type: 'Renew' | 'Release' }>, 'now'>
  | { type: 'ExpireOverdue' }
  | Omit<Extract<PoolCommand, { type: 'ConfigurePool' }>, 'now'>;

export interface AllocatorResult {
  events: LedgerEvent[] | PoolEvent[];
  /** Global position of the append that carried them; absent when nothing was written. */
  position?: Position;
  /** The pool's state right after this command (read-only view). */
  state: PoolState;
}

interface Job {
  command: AllocatorCommand;
  ctx: CommandContext;
  deadline: number;
  resolve(result: AllocatorResult): void;
  reject(error: unknown): void;
  timer?: NodeJS.Timeout;
}

/** Remembers the ledger entries an event will change, so a failed append can be undone. */
function journal(state: LedgerState, event: LedgerEvent): () => void {
  const ids = accountsOf(event);
  const { sessionId } = event.data;
  const maps = [state.leasedTo, state.fences, state.lastUsed, state.useCount] as Map<string, unknown>[];
  const saved = ids.flatMap((id) => maps.map((m) => [m, id, m.get(id)] as const));
  const session = state.sessions.get(sessionId);
  const savedSession = session && { ...session };
  const cursor = state.cursor;
  return () => {
    for (const [m, id, v] of saved) if (v === undefined) m.delete(id); else m.set(id, v);
    if (savedSession) state.sessions.set(sessionId, savedSession); else state.sessions.delete(sessionId);
    state.cursor = cursor;
  };
}

/**
 * The allocator of one pool (DESIGN.md, Allocation): the only writer of the pool's ledger
 * on this node. Requests queue in its mailbox; each turn takes every pending request,
 * decides them in order against the ledger and appends all their events in one append
 * with the ledger's expected revision (group commit). On a conflict it catches up from
 * the stream and decides again. An allocation that finds nothing free waits, first come
 * first served, until its deadline.
 *
 * @example
 * const { events } = await allocator.submit({ type: 'Release', sessionId, secretHash: null }, ctx);
 */
export class PoolAllocator {
  private state: PoolState = initialPoolState();
  private revision = -1;
  private mailbox: Job[] = [];
  private waiting: Job[] = [];
  private busy = false;
  private again = false;
  /** The highest revision of the stream an append was heard to reach (`noticed`). */
  private heard = -1;
  /** The free accounts in strategy order (built once the pool is loaded). */
  private free?: FreeAccounts;
  /** Active accounts kept out of the free order by a cooldown for every model, by when it ends. */
  private readonly cooling = new DueAccounts();

  constructor(
    readonly poolId: string,
    private readonly store: EventStore,
    private readonly accounts: AccountIndex,
    private readonly days: UsageDays = { timeZone: 'UTC', rollover: '00:00' },
    /** Called for each lease command (allocate, renew, release) a client submits. */
    private readonly onLeaseCommand?: () => void,
    private readonly shared: SharedUse = unshared,
  ) {}

  get stream(): string {
    return `pool-${this.poolId}`;
  }

  /** The current state (read-only). */
  get current(): PoolState {
    return this.state;
  }

  /**
   * The accounts this pool would lease next, best first, at most `count`; none for the
   * random strategy, which draws its start at each allocation.
   */
  upcoming(count: number): string[] {
    const strategy = this.state.config?.strategy;
    if (!this.free || !strategy || strategy === 'random') return [];
    this.free.reorder(strategy, this.state.ledger);
    return firstOf(this.free.walk(this.state.ledger, 0), count);
  }

  /** Reads the pool's stream; returns false when the pool does not exist. */
  async load(): Promise<boolean> {
    await this.catchUp();
    if (!this.state.config) return false;
    const free = new FreeAccounts(this.state.config.strategy, (id) => {
      const entry = this.accounts.find(id);
      return entry ? accountTags(entry.candidate) : [];
    });
    free.seed(this.state.ledger);
    for (const id of this.accounts.pool(this.poolId).keys()) free.place(id, this.allocatable(id), this.state.ledger);
    this.free = free;
    return true;
  }

  private apply(event: RecordedEvent): void {
    if (event.revision !== this.revision + 1) return;
    if (poolEvents.has(event)) {
      this.state = evolvePool(this.state, event);
      if (this.free && ledgerEvents.has(event)) this.free.follow(event, this.state.ledger, this.allocatable);
    }
    this.revision = event.revision;
  }

  /**
   * Whether the account may be allocated now (the ledger decides whether it is free). An
   * active account cooling down for every model is noted, to come back when that ends.
   */
  private readonly allocatable = (accountId: string): boolean => {
    const entry = this.accounts.find(accountId);
    if (!entry || entry.state.poolId !== this.poolId) return false;
    const now = Date.now();
    if (isAllocatable(entry.state, now)) {
      this.cooling.delete(accountId);
      return true;
    }
    const until = entry.state.status === 'active' ? Math.max(0, ...entry.state.cooldowns.filter((c) => !c.model).map((c) => c.until)) : 0;
    if (until > now) this.cooling.set(accountId, until);
    else this.cooling.delete(accountId);
    return false;
  };

  /** An account of the pool changed (imported, disabled, cooled down, …): its place in the free order follows. */
  accountChanged(accountId: string): void {
    this.free?.place(accountId, this.allocatable(accountId), this.state.ledger);
  }

  /** Puts back in the free order the accounts whose cooldown for every model has ended. */
  private returnCooled(now: number): void {
    for (const id of this.cooling.takeDue(now)) this.accountChanged(id);
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const events = await this.store.readStream(this.stream, { from: this.revision + 1, limit: 5000 });
      for (const e of events) this.apply(e);
      if (events.length < 5000) return;
    }
  }

  /**
   * An append brought the pool's stream to `revision` (heard through the store): when this
   * allocator is behind, that was another node's write, so it catches up at once (its
   * parked allocations may now be served, and the gateway here sees the leases).
   */
  noticed(revision: number): void {
    if (revision <= this.heard) return;
    this.heard = revision;
    if (revision > this.revision) this.kick();
  }

  /** Asks the allocator to look again (accounts changed, time passed). */
  kick(): void {
    if (this.busy) this.again = true;
    else void this.drain();
  }

  /** Queues a command; resolves once its events are stored (or at once when there are none). */
  submit(command: AllocatorCommand, ctx: CommandContext): Promise<AllocatorResult> {
    if (command.type === 'Allocate' || command.type === 'Renew' || command.type === 'Release') this.onLeaseCommand?.();
    return inSpan(`command ${command.type}`, ctx.traceparent, { 'roster.pool': this.poolId }, (traceparent) => new Promise((resolve, reject) => {
      const waitMs = command.type === 'Allocate' ? command.waitMs ?? 0 : 0;
      this.mailbox.push({ command, ctx: { ...ctx, traceparent }, deadline: Date.now() + waitMs, resolve, reject });
      this.kick();
    }));
  }

  /** Records how long each session that ended held its accounts. */
  private measureLeases(events: PoolEvent[]): void {
    for (const e of events) {
      if (e.type !== 'SessionReleased' && e.type !== 'SessionExpired') continue;
      const { sessionId, at } = e.data;
      const session = this.state.ledger.sessions.get(sessionId);
      if (session) instruments.leaseDuration.record((Date.parse(at) - session.allocatedAt) / 1000, { pool: this.poolId, end: e.type === 'SessionReleased' ? 'released' : 'expired' });
    }
  }

  /** The candidate an account is now, with the models whose daily limit it reached on `day` ('' when no limit is set). */
  private candidateOf(accountId: string, now: number, day: string): Candidate | undefined {
    return this.shared.inUse(accountId) ? undefined : this.candidateAside(accountId, now, day);
  }

  /** The candidate an account would be were the gateway here not using it. */
  private candidateAside(accountId: string, now: number, day: string): Candidate | undefined {
    const entry = this.accounts.find(accountId);
    if (!entry || !isAllocatable(entry.state, now)) return undefined;
    const spent = day ? exhaustedModels(entry.state, day, this.state.config!.dailyLimits) : [];
    return spent.length ? { ...entry.candidate, coolingModels: [...entry.candidate.coolingModels, ...spent] } : entry.candidate;
  }

  /**
   * The free accounts in the pool's strategy order that the filter can take, read lazily:
   * O(log n) for each one taken. An account found cooling down for the filter's model, over
   * its daily limit or out of credits leaves the view of the free order for that model (for
   * today and its limit) or for credits, so that later walks do not pass it.
   */
  private *walk(now: number, day: string, random: number, filter: AllocationFilter | undefined): Generator<Candidate> {
    const free = this.free!;
    free.reorder(this.state.config!.strategy, this.state.ledger);
    const model = filter?.model;
    const modelView = model === undefined ? undefined : `model:${model}@${day}:${this.state.config!.dailyLimits[model] ?? ''}`;
    const views = [...(modelView ? [modelView] : []), ...(filter?.needsCredits ? ['credits'] : [])];
    for (const id of free.walk(this.state.ledger, random, { tags: filterTags(filter), views, now })) {
      const candidate = this.candidateOf(id, now, day);
      if (!candidate) continue;
      if (modelView && candidate.coolingModels.includes(model!)) {
        const until = this.blockedUntil(id, model!, now, day);
        if (until !== undefined) {
          free.leaveOut(modelView, id, until);
          continue;
        }
      }
      if (filter?.needsCredits && candidate.credits !== null && candidate.credits <= 0) {
        free.leaveOut('credits', id, Infinity);
        continue;
      }
      yield candidate;
    }
  }

  /**
   * Until when an account cannot serve `model`: the end of its cooldown for it, or
   * Infinity when it is over its daily limit (the view is today's); undefined when its
   * candidate is out of date (a cooldown that has ended, until the reaper refreshes it).
   */
  private blockedUntil(accountId: string, model: string, now: number, day: string): number | undefined {
    const state = this.accounts.find(accountId)!.state;
    return coolingUntil(state.cooldowns, model, now) ?? (exhaustedModels(state, day, this.state.config!.dailyLimits).includes(model) ? Infinity : undefined);
  }

  /** Every allocatable account, unordered: for the rare allocation that replaces an overdue session of the same id. */
  private everyCandidate(now: number, day: string): Candidate[] {
    return [...this.accounts.pool(this.poolId).keys()].map((id) => this.candidateOf(id, now, day)).filter((c): c is Candidate => c !== undefined);
  }

  private decide(job: Job, now: number, day: string): PoolEvent[] | DomainError {
    const config = this.state.config;
    if (!config) return new DomainError('pool_not_found', `pool ${this.poolId} does not exist`);
    const c = job.command;
    if (c.type === 'ConfigurePool') return decidePool({ ...c, now }, this.state);
    if (c.type === 'Allocate') {
      const random = Math.random();
      if (c.accountIds) {
        const named = c.accountIds.filter((id) => this.accounts.find(id)?.state.poolId === this.poolId)
          .map((id) => this.candidateOf(id, now, day)).filter((x): x is Candidate => x !== undefined);
        return decideLedger({ ...c, now, random, candidates: named, ranked: true }, this.state.ledger, config);
      }
      // The accounts of an overdue session being replaced are free for it, though still leased: rank them all.
      const previous = this.state.ledger.sessions.get(c.sessionId);
      if (previous?.status === 'live' && previous.expiresAt <= now) {
        return decideLedger({ ...c, now, random, candidates: this.everyCandidate(now, day) }, this.state.ledger, config);
      }
      return decideLedger({ ...c, now, random, candidates: this.walk(now, day, random, c.filter), ranked: true }, this.state.ledger, config);
    }
    return decideLedger({ ...c, now } as LedgerCommand, this.state.ledger, config);
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      do {
        this.again = false;
        await this.turn();
      } while (this.again || this.mailbox.length > 0 || this.heard > this.revision);
    } finally {
      this.busy = false;
    }
  }

  /** One group commit: decide every pending job, append once, answer each job. */
  private async turn(): Promise<void> {
    if (this.heard > this.revision) {
      // What cannot be read now is not waited for: the next conflict catches up.
      await this.catchUp().catch(() => undefined);
      this.heard = this.revision;
    }
    const fresh = this.mailbox.splice(0);
    const parked = this.waiting.splice(0);
    const jobs = [
      ...fresh.filter((j) => j.command.type !== 'Allocate'),
      ...parked,
      ...fresh.filter((j) => j.command.type === 'Allocate'),
    ];
    if (jobs.length === 0) return;
    const failure = await this.commit(jobs);
    if (failure === undefined) return;
    // The append failed for a reason of its own (not a conflict): one job's events may be
    // what the store refused. Each job is decided and appended alone, so that only the job
    // that causes the failure gets it. When the store cannot be reached, all fail at once.
    if (jobs.length === 1 || isUnavailable(failure)) {
      for (const job of jobs) this.answer(job, failure);
      return;
    }
    for (const job of jobs) {
      const alone = await this.commit([job]);
      if (alone !== undefined) this.answer(job, alone);
    }
  }

  private answer(job: Job, error: unknown): void {
    clearTimeout(job.timer);
    job.reject(error);
  }

  /**
   * Decides the jobs in order and appends their events at once, deciding again after
   * conflicts. Answers every job, unless the append fails for another reason: then nothing
   * is answered and the error is returned.
   */
  private async commit(jobs: Job[]): Promise<unknown> {
    let caughtUp = false;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      const now = Date.now();
      this.returnCooled(now);
      const day = this.dayOf(now);
      const undo: Array<() => void> = [];
      /** Accounts whose place in the free order this attempt's events changed. */
      const touched: string[] = [];
      const decided: Array<{ job: Job; events: PoolEvent[] }> = [];
      const failed: Array<{ job: Job; error: DomainError }> = [];
      const queued: Job[] = [];
      const configBefore = this.state.config;
      const rollback = () => {
        for (const u of undo.reverse()) u();
        this.state = { ...this.state, config: configBefore };
        for (const id of touched) this.accountChanged(id);
      };
      for (const job of jobs) {
        // First come, first served: once one allocation waits, later ones queue behind it.
        if (job.command.type === 'Allocate' && queued.length > 0 && job.deadline > now) {
          queued.push(job);
          continue;
        }
        const result = this.decide(job, now, day);
        if (result instanceof DomainError) {
          if (result.code === 'no_account_available' && job.deadline > now) queued.push(job);
          else failed.push({ job, error: result.code === 'no_account_available' ? new DomainError(result.code, result.detail, [], 1) : result });
          continue;
        }
        for (const event of result) {
          if (ledgerEvents.has(event)) undo.push(journal(this.state.ledger, event));
          this.state = evolvePool(this.state, event);
          if (this.free && ledgerEvents.has(event)) touched.push(...this.free.follow(event, this.state.ledger, this.allocatable, undo));
        }
        decided.push({ job, events: result });
      }
      if ((failed.length || queued.length) && !caughtUp) {
        // Never refuse or park from stale state: another node may have written since.
        rollback();
        await this.catchUp();
        caughtUp = true;
        continue;
      }
      try {
        const appended = decided.some(({ events }) => events.length)
          ? await appendDecided(this.store, this.stream, decided.map(({ job, events }) => ({ events, ctx: job.ctx })), this.revision)
          : undefined;
        if (appended) this.revision = appended.nextRevision;
        for (const { job, events: e } of decided) {
          this.measureLeases(e);
          clearTimeout(job.timer);
          job.resolve({ events: e as LedgerEvent[], position: appended?.position, state: this.state });
        }
        for (const { job, error } of failed) this.answer(job, error);
        this.park(queued);
        return undefined;
      } catch (error) {
        rollback();
        caughtUp = true;
        if (!(error instanceof WrongExpectedRevision)) return error;
        if (Date.now() - started >= conflictPolicy.budgetMs) {
          for (const job of jobs) this.answer(job, new DomainError('conflict', error.message));
          return undefined;
        }
        const pause = conflictPolicy.pauseMs(attempt);
        if (pause) await new Promise((r) => setTimeout(r, pause));
        await this.catchUp();
      }
    }
  }

  /** The usage day of `now`, for daily limits ('' when the pool sets none). */
  private dayOf(now: number): string {
    return Object.keys(this.state.config?.dailyLimits ?? {}).length ? usageDay(now, this.days.timeZone, this.days.rollover) : '';
  }

  /** The parked allocations, for the gateway to give back accounts they could take. */
  private waitingLeases(): WaitingLease[] {
    return this.waiting.flatMap(({ command: c }) => {
      if (c.type !== 'Allocate') return [];
      const { count, filter } = c;
      return [{
        count,
        takes: (accountId: string) => {
          const now = Date.now();
          const candidate = this.candidateAside(accountId, now, this.dayOf(now));
          return candidate !== undefined && matches(candidate, filter);
        },
      }];
    });
  }

  /** Parks allocations that found nothing free until their deadline. */
  private park(jobs: Job[]): void {
    for (const job of jobs) {
      // Only a job still parked is refused here; one inside a turn is answered by the turn.
      job.timer ??= setTimeout(() => {
        const i = this.waiting.indexOf(job);
        if (i < 0) return;
        this.waiting.splice(i, 1);
        job.reject(new DomainError('no_account_available', 'no account became free in time', [], 1));
      }, Math.max(0, job.deadline - Date.now()));
    }
    this.waiting.push(...jobs);
    if (jobs.length) this.shared.waiting(this.waitingLeases());
  }
}
