/**
 * One store subscription per node for every feed client (the WebSocket feed, `http/feed.ts`).
 *
 * The hub follows the log from the head (from the moment its first client joins until its
 * last one leaves) and hands each event, prepared once (its subject, and its JSON message
 * serialized once per topic), to every client. A client resuming from an older position
 * first reads the log from there in pages (a page is read once for every client that asks
 * for it from the same position) while the hub keeps the live events for it; once its pages
 * reach the position where it joined, it takes those and goes live. Pool health is read
 * once for all clients, at most every `HEALTH_REUSE_MS` while pools change.
 */
import type pg from 'pg';
import { accountsOf, ledgerEvents } from '../domain/ledger.ts';
import { START, type EventStore, type Position, type RecordedEvent } from '../store/port.ts';
import { categoryOf } from '../store/subscription.ts';
import type { AccountIndex } from './account-index.ts';
import { poolStatuses, type PoolStatus } from './queries.ts';
import type { ReadModelWaits } from './waits.ts';
import { poolOfJob } from './registration-queries.ts';
import { keepRunningUntil } from '../effect.ts';

/** An event as the feed sends it: what it concerns, and its messages serialized once. */
export interface FeedMessage {
  event: RecordedEvent;
  position: Position;
  /** Set for events of a registration job's stream. */
  jobId?: string;
  /** The pool an event concerns (for job events, the job's pool), and its accounts. */
  pool?: string;
  accounts: string[];
  /** The message's JSON text for its topic (`events` or `jobs`), made on first use. */
  text(): string;
}

/** A feed client as the hub sees it. */
export interface FeedClient {
  /** A live event, in log order. */
  offer(message: FeedMessage): void;
}

/** Events read per page when a client catches up. */
const PAGE = 500;
/** Pool health read for one client is good for the others this long. */
const HEALTH_REUSE_MS = 100;

/** What the hub reads: the log, the read models, the account index (an account's pool). */
export interface FeedSources {
  store: EventStore;
  db: pg.Pool;
  accounts: AccountIndex;
  readModels: ReadModelWaits;
}

export class FeedHub {
  private readonly clients = new Set<FeedClient>();
  /** The last position handed to clients (the head when the hub started). */
  private position: Position = START;
  private abort?: AbortController;
  private starting?: Promise<void>;
  private readonly pages = new Map<Position, Promise<RecordedEvent[]>>();
  private readonly prepared = new WeakMap<RecordedEvent, Promise<FeedMessage>>();
  private readonly jobPools = new Map<string, string | undefined>();
  private health?: { at: number; value: Promise<PoolStatus[]> };
  /** Store subscriptions opened, and log pages read for clients catching up (for operators and tests). */
  readonly counts = { subscriptions: 0, pageReads: 0 };

  constructor(private readonly s: FeedSources, private readonly onError: (e: unknown) => void) {}

  /** Adds a client; returns the position after which the hub will offer it every event. */
  async join(client: FeedClient): Promise<Position> {
    // The last client may leave (stopping the hub) while this one waits for the start: then start again.
    for (;;) {
      const starting = (this.starting ??= this.start());
      await starting;
      if (this.starting === starting) break;
    }
    this.clients.add(client);
    return this.position;
  }

  leave(client: FeedClient): void {
    this.clients.delete(client);
    if (this.clients.size > 0 || !this.abort) return;
    this.abort.abort();
    this.abort = undefined;
    this.starting = undefined;
  }

  /** Stops following the log (the server is closing). */
  close(): void {
    this.clients.clear();
    this.abort?.abort();
  }

  private async start(): Promise<void> {
    this.position = await this.s.store.headPosition();
    const abort = new AbortController();
    this.abort = abort;
    this.counts.subscriptions++;
    void keepRunningUntil(abort.signal, (signal) => this.follow(signal), this.onError);
  }

  /** Hands every event after the hub's position to the clients (restarted from there after a failure). */
  private async follow(signal: AbortSignal): Promise<void> {
    for await (const event of this.s.store.subscribe({ from: this.position, signal, batchSize: PAGE })) {
      const message = await this.prepare(event);
      if (signal.aborted) return;
      // Handing out and moving the position happen together, so a client that joins
      // in between gets this event either from the hub or from its own pages, never both.
      for (const client of this.clients) client.offer(message);
      this.position = event.position;
    }
  }

  /**
   * The events after `from`, one page, read once for every client that asks while it is
   * being read. (Not kept after: a page read before older transactions committed may be
   * short.)
   */
  page(from: Position): Promise<RecordedEvent[]> {
    let pending = this.pages.get(from);
    if (!pending) {
      this.counts.pageReads++;
      pending = this.s.store.readAll({ from, limit: PAGE });
      this.pages.set(from, pending);
      const forget = () => this.pages.delete(from);
      pending.then(forget, forget);
    }
    return pending;
  }

  /** The event as the feed sends it, prepared once. */
  prepare(event: RecordedEvent): Promise<FeedMessage> {
    let prepared = this.prepared.get(event);
    if (!prepared) {
      prepared = this.subjectOf(event).then((subject) => {
        let text: string | undefined;
        const body = { id: event.id, stream: event.stream, revision: event.revision, type: event.type, data: event.data, metadata: event.metadata, recordedAt: event.recordedAt };
        return {
          event, position: event.position, ...subject,
          text: () => (text ??= JSON.stringify(subject.jobId
            ? { topic: 'jobs', position: event.position, jobId: subject.jobId, event: body }
            : { topic: 'events', position: event.position, event: body })),
        };
      });
      this.prepared.set(event, prepared);
    }
    return prepared;
  }

  /** The pool and accounts an event concerns, as far as the feed filters by them. */
  private async subjectOf(e: RecordedEvent): Promise<{ jobId?: string; pool?: string; accounts: string[] }> {
    const kind = categoryOf(e.stream);
    const rest = e.stream.slice(kind.length + 1);
    if (kind === 'registration') return { jobId: rest, pool: await this.poolOfJob(rest, e.type === 'JobStarted' ? e.data.config.poolId : undefined), accounts: [] };
    if (kind === 'account') return { pool: 'poolId' in e.data ? e.data.poolId : this.s.accounts.find(rest)?.state.poolId, accounts: [rest] };
    return { pool: rest, accounts: ledgerEvents.has(e) ? accountsOf(e) : [] };
  }

  private async poolOfJob(jobId: string, fromEvent: string | undefined): Promise<string | undefined> {
    if (fromEvent) this.jobPools.set(jobId, fromEvent);
    if (!this.jobPools.has(jobId)) {
      this.jobPools.set(jobId, await poolOfJob(this.s.db, jobId));
    }
    return this.jobPools.get(jobId);
  }

  /** Every pool's health as the read models hold it once they reach the hub's position; shared by all clients. */
  pools(): Promise<PoolStatus[]> {
    const now = performance.now();
    if (this.health && now - this.health.at < HEALTH_REUSE_MS) return this.health.value;
    const position = this.position;
    const value = this.s.readModels.reach(this.s.db, position || undefined)
      .catch(() => undefined)
      .then(() => poolStatuses(this.s.db));
    this.health = { at: now, value };
    value.catch(() => {
      if (this.health?.value === value) this.health = undefined;
    });
    return value;
  }
}
