/**
 * The live feed: `GET /ws` upgraded to a WebSocket (authenticated like the rest of the API).
 *
 * Query: `topics` (comma list of `events`, `health`, `jobs`), `pool`, `account`, `types`
 * (comma list of event types), `job`, `from` (an event-store position: resume after it;
 * absent: from now), `healthIntervalMs`.
 *
 * Every message is JSON with `topic` and `position`. A client that reconnects with the last
 * position it saw first gets every message it missed, read from the store, then live ones,
 * with no gap and no duplicate. One store subscription per node serves every client
 * (`feed-hub.ts`); several server processes each serve their own clients.
 *
 * Backpressure: a socket's messages of one turn go out in one write; health messages are
 * coalesced (the latest per pool waits while the client is behind); a client whose unsent
 * backlog passes `ROSTER_FEED_MAX_BACKLOG_BYTES` is closed with code 4008 (`backlog limit`).
 * One caller but an admin holds at most `ROSTER_FEED_MAX_PER_CALLER` connections on a node;
 * one more is refused 429 before the upgrade.
 */
import type { WebSocket } from 'ws';
import * as Effect from 'effect/Effect';
import { every, fork, type Background } from '../effect.ts';
import { Type, type Static } from 'typebox';
import { instruments, startSpan, tracesRecorded } from '../telemetry.ts';
import { FeedHub, type FeedClient, type FeedMessage } from '../projections/feed.ts';
import type { FastifyRequest } from 'fastify';
import type { App, Services } from './app.ts';
import { PositionText } from './schemas.ts';
import { DomainError, invalid } from '../domain/errors.ts';

/** Close code for a client whose backlog passed the limit. */
export const BACKLOG_CLOSE_CODE = 4008;

const List = Type.String({ pattern: '^[A-Za-z0-9_.,-]*$', maxLength: 2000 });
const FeedQuery = Type.Object({
  topics: Type.String({ pattern: '^(events|health|jobs)(,(events|health|jobs))*$', default: 'events,health,jobs' }),
  pool: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  account: Type.Optional(Type.String({ format: 'uuid' })),
  job: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  types: Type.Optional(List),
  from: Type.Optional(PositionText),
  healthIntervalMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
  hello: Type.Optional(Type.Boolean({ description: 'first send { topic: "hello", position }: where the feed starts (a read at that position, then the feed, miss nothing)' })),
}, { additionalProperties: false });
type FeedQuery = Static<typeof FeedQuery>;

/** What the feed has done, for operators and tests. */
export interface FeedStats {
  open: number;
  closedForBacklog: number;
  /** The largest unsent backlog any connection reached, in bytes. */
  maxBacklog: number;
  /** The node's one store subscription: how often it was opened, and log pages read for clients catching up. */
  hub: { subscriptions: number; pageReads: number };
}

export const newFeedStats = (): FeedStats => ({ open: 0, closedForBacklog: 0, maxBacklog: 0, hub: { subscriptions: 0, pageReads: 0 } });

/** Live events a client catching up may hold before it is closed as too slow. */
const PENDING_LIMIT = 100_000;

class FeedConnection implements FeedClient {
  private readonly topics: Set<string>;
  private readonly types?: Set<string>;
  private readonly abort = new AbortController();
  /** Pools whose health may have changed since it was last sent. */
  private readonly dirty = new Set<string>();
  private readonly sentHealth = new Map<string, string>();
  /** While catching up from an older position: the live events the hub offered meanwhile. */
  private pending: FeedMessage[] | null = [];
  /** Messages waiting to be written, in one corked write per turn of the event loop. */
  private out: string[] = [];
  private flushing = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly s: Services,
    private readonly hub: FeedHub,
    private readonly q: FeedQuery,
    private readonly stats: FeedStats,
    /** The position to start after; then the last one delivered (or skipped by the filters). */
    private position: string,
  ) {
    this.topics = new Set(q.topics.split(','));
    if (q.types) this.types = new Set(q.types.split(',').filter(Boolean));
    socket.on('close', () => this.abort.abort());
  }

  offer(message: FeedMessage): void {
    if (this.pending) {
      this.pending.push(message);
      // A client that cannot catch up holds live events without bound: close it as a slow one.
      if (this.pending.length > PENDING_LIMIT) this.closeForBacklog();
    } else if (message.position > this.position) {
      this.deliver(message);
    }
  }

  /** Queues one message; it is written with the others of this turn. */
  private send(text: string): void {
    if (this.abort.signal.aborted) return;
    this.out.push(text);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the queued messages at once; closes the connection when its backlog passes the limit. */
  private flush(): boolean {
    this.flushing = false;
    if (this.abort.signal.aborted) return false;
    const raw = (this.socket as WebSocket & { _socket?: { cork(): void; uncork(): void } })._socket;
    const out = this.out;
    this.out = [];
    let over = false;
    raw?.cork();
    for (const text of out) {
      this.socket.send(text);
      const backlog = this.socket.bufferedAmount;
      if (backlog > this.stats.maxBacklog) this.stats.maxBacklog = backlog;
      if ((over = backlog > this.s.settings.feedMaxBacklogBytes)) break;
    }
    raw?.uncork();
    if (over) this.closeForBacklog();
    return !over;
  }

  private closeForBacklog(): void {
    if (this.abort.signal.aborted) return;
    this.stats.closedForBacklog++;
    instruments.feedClosed.add(1, { reason: 'backlog' });
    this.abort.abort();
    this.socket.close(BACKLOG_CLOSE_CODE, 'backlog limit');
    // A client that reads nothing would never finish the closing handshake.
    setTimeout(() => this.socket.terminate(), 1000).unref();
  }

  private deliver(m: FeedMessage): void {
    const { q } = this;
    this.position = m.position;
    if (m.jobId) {
      if (!this.topics.has('jobs') || (q.job && q.job !== m.jobId)) return;
      if (q.pool && m.pool !== q.pool) return;
      if (this.types && !this.types.has(m.event.type)) return;
      this.send(m.text());
      return;
    }
    if (m.pool && this.topics.has('health') && (!q.pool || q.pool === m.pool)) this.dirty.add(m.pool);
    if (!this.topics.has('events')) return;
    if (q.pool && m.pool !== q.pool) return;
    if (q.account && !m.accounts.includes(q.account)) return;
    if (this.types && !this.types.has(m.event.type)) return;
    const span = tracesRecorded ? startSpan('feed push', m.event.metadata?.traceparent, { 'roster.position': m.position }) : undefined;
    this.send(m.text());
    span?.end();
  }

  /** Sends the health of dirty pools whose counts changed, unless the client is behind (then it waits, coalesced). */
  private async flushHealth(initial = false): Promise<void> {
    if (!initial && this.dirty.size === 0) return;
    if (this.socket.bufferedAmount > this.s.settings.feedMaxBacklogBytes / 2) return;
    const position = this.position;
    this.dirty.clear();
    for (const p of await this.hub.pools()) {
      if (this.q.pool && p.poolId !== this.q.pool) continue;
      const body = { pool: p.poolId, health: p.health, counts: p.counts, activeSessions: p.activeSessions };
      const text = JSON.stringify(body);
      if (this.sentHealth.get(p.poolId) === text) continue;
      this.sentHealth.set(p.poolId, text);
      this.send(JSON.stringify({ topic: 'health', position, ...body }));
    }
  }

  /** Reads the log from the client's position up to where it joined the hub, then goes live. */
  private async catchUp(joinedAt: string): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted && this.position < joinedAt) {
      const page = await this.hub.page(this.position);
      if (page.length === 0) {
        // Events up to where it joined are committed, but an older transaction still holds
        // some back from readers: they come shortly.
        await this.s.store.waitForAppend(100, signal);
        continue;
      }
      for (const event of page) {
        if (event.position > this.position) this.deliver(await this.hub.prepare(event));
      }
      // Backpressure while catching up: write this page before reading the next.
      if (!this.flush()) return;
    }
    const live = this.pending ?? [];
    this.pending = null;
    for (const m of live) if (m.position > this.position) this.deliver(m);
  }

  async run(onError: (e: unknown) => void): Promise<void> {
    const { s, q } = this;
    const signal = this.abort.signal;
    let health: Background | undefined;
    if (q.hello) this.send(JSON.stringify({ topic: 'hello', position: this.position }));
    const joinedAt = await this.hub.join(this);
    try {
      if (this.topics.has('health')) {
        await this.flushHealth(true);
        const interval = q.healthIntervalMs ?? s.settings.feedHealthIntervalMs;
        health = fork(Effect.delay(every(interval, () => this.flushHealth(), onError), interval));
      }
      await this.catchUp(joinedAt);
      await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    } finally {
      await health?.stop();
      this.hub.leave(this);
    }
  }
}

/** Registers `GET /ws`. */
export default function feedRoutes(app: App, s: Services): void {
  /** Where each connection starts. "Now" is fixed before the upgrade is answered, so a client
   * gets every event appended after its socket opened. */
  const startAt = new WeakMap<object, string>();
  const held = new Map<string, number>();
  const preHandler = async (request: FastifyRequest) => {
    const { from } = request.query as FeedQuery;
    const head = await s.store.headPosition();
    // A client's position came from this log (a message, a command's answer): one past its end never will.
    if (from !== undefined && from > head) throw invalid([{ field: 'from', message: 'is past the end of the log' }]);
    startAt.set(request, from ?? head);
    if (request.role !== 'admin') hold(request);
  };
  /** Counts the caller's connection until its socket closes (upgraded or not), or refuses one past the limit. */
  const hold = (request: FastifyRequest) => {
    const caller = request.ctx.actor;
    const open = held.get(caller) ?? 0;
    const max = s.settings.feedMaxPerCaller;
    if (open >= max) throw new DomainError('rate_limited', `at most ${max} feed connections at once per caller`, [], 1);
    held.set(caller, open + 1);
    request.raw.socket.once('close', () => {
      const left = (held.get(caller) ?? 1) - 1;
      if (left > 0) held.set(caller, left);
      else held.delete(caller);
    });
  };
  const hub = new FeedHub(s, (e) => app.log.error({ err: e }, 'feed subscription failed; resubscribing'));
  s.feed.hub = hub.counts;
  app.addHook('onClose', async () => hub.close());
  app.get('/ws', { websocket: true, preHandler, schema: { tags: ['feed'], querystring: FeedQuery } }, (socket, request) => {
    const stats = s.feed;
    stats.open++;
    socket.on('close', () => stats.open--);
    const connection = new FeedConnection(socket, s, hub, request.query as FeedQuery, stats, startAt.get(request)!);
    void connection.run((e) => request.log.error({ err: e }, 'feed failed')).catch((e) => {
      request.log.error({ err: e }, 'feed failed');
      socket.close(1011, 'feed failed');
    });
  });
}
