/**
 * The live feed: `GET /ws` upgraded to a WebSocket (authenticated like the rest of the API).
 *
 * Query: `topics` (comma list of `events`, `health`, `jobs`), `pool`, `account`, `types`
 * (comma list of event types), `job`, `from` (an event-store position: resume after it;
 * absent: from now), `healthIntervalMs`.
 *
 * Every message is JSON with `topic` and `position`. A client that reconnects with the last
 * position it saw first gets every message it missed, read from the store, then live ones:
 * each connection tails the store itself (one subscription per connection), so there is no
 * gap and no duplicate, and several server processes each serve their own clients.
 *
 * Backpressure: health messages are coalesced (the latest per pool waits while the client is
 * behind); a client whose unsent backlog passes `ROSTER_FEED_MAX_BACKLOG_BYTES` is closed
 * with code 4008 (`backlog limit`).
 */
import type { WebSocket } from 'ws';
import { Type, type Static } from 'typebox';
import { ledgerAccounts } from '../domain/history.ts';
import { poolStatuses, waitForPosition } from '../projections/queries.ts';
import type { RecordedEvent } from '../store/port.ts';
import { instruments, startSpan, tracesRecorded } from '../telemetry.ts';
import type { App, Services } from './app.ts';
import { PositionText } from './schemas.ts';

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
}, { additionalProperties: false });
type FeedQuery = Static<typeof FeedQuery>;

/** What the feed has done, for operators and tests. */
export interface FeedStats {
  open: number;
  closedForBacklog: number;
  /** The largest unsent backlog any connection reached, in bytes. */
  maxBacklog: number;
}

export const newFeedStats = (): FeedStats => ({ open: 0, closedForBacklog: 0, maxBacklog: 0 });

/** The pool and accounts an event concerns, as far as the feed filters by them. */
function subjectOf(e: RecordedEvent, s: Services): { pool?: string; accounts: string[] } {
  const [kind] = e.stream.split('-', 1);
  const rest = e.stream.slice(kind!.length + 1);
  const d = e.data as { accountId?: string; poolId?: string };
  if (kind === 'account') return { pool: d.poolId ?? s.accounts.find(rest)?.state.poolId, accounts: [rest] };
  const accounts = [...ledgerAccounts(e.data), ...(d.accountId ? [d.accountId] : [])];
  if (kind === 'pool' || kind === 'identities' || kind === 'operations') return { pool: rest, accounts };
  return { pool: d.poolId, accounts };
}

class FeedConnection {
  private readonly topics: Set<string>;
  private readonly types?: Set<string>;
  private readonly abort = new AbortController();
  /** Pools whose health may have changed since it was last sent. */
  private readonly dirty = new Set<string>();
  private readonly sentHealth = new Map<string, string>();
  private readonly jobPools = new Map<string, string | undefined>();

  constructor(
    private readonly socket: WebSocket,
    private readonly s: Services,
    private readonly q: FeedQuery,
    private readonly stats: FeedStats,
    /** The position to start after; then the last one delivered. */
    private position: string,
  ) {
    this.topics = new Set(q.topics.split(','));
    if (q.types) this.types = new Set(q.types.split(',').filter(Boolean));
    socket.on('close', () => this.abort.abort());
  }

  /** Sends one message; closes the connection when its backlog passes the limit. */
  private send(message: object): boolean {
    if (this.abort.signal.aborted) return false;
    this.socket.send(JSON.stringify(message));
    const backlog = this.socket.bufferedAmount;
    if (backlog > this.stats.maxBacklog) this.stats.maxBacklog = backlog;
    if (backlog > this.s.settings.feedMaxBacklogBytes) {
      this.stats.closedForBacklog++;
      instruments.feedClosed.add(1, { reason: 'backlog' });
      this.abort.abort();
      this.socket.close(BACKLOG_CLOSE_CODE, 'backlog limit');
      // A client that reads nothing would never finish the closing handshake.
      setTimeout(() => this.socket.terminate(), 1000).unref();
      return false;
    }
    return true;
  }

  private async poolOfJob(jobId: string, e: RecordedEvent): Promise<string | undefined> {
    const config = (e.data as { config?: { poolId?: string } }).config;
    if (config?.poolId) this.jobPools.set(jobId, config.poolId);
    if (!this.jobPools.has(jobId)) {
      const { rows } = await this.s.db.query<{ pool_id: string }>('SELECT pool_id FROM rm_jobs WHERE job_id = $1', [jobId]);
      this.jobPools.set(jobId, rows[0]?.pool_id);
    }
    return this.jobPools.get(jobId);
  }

  private async deliver(e: RecordedEvent): Promise<void> {
    const { q } = this;
    const event = { id: e.id, stream: e.stream, revision: e.revision, type: e.type, data: e.data, metadata: e.metadata, recordedAt: e.recordedAt };
    if (e.stream.startsWith('registration-')) {
      const jobId = e.stream.slice('registration-'.length);
      if (!this.topics.has('jobs') || (q.job && q.job !== jobId)) return;
      if (q.pool && (await this.poolOfJob(jobId, e)) !== q.pool) return;
      if (this.types && !this.types.has(e.type)) return;
      this.send({ topic: 'jobs', position: e.position, jobId, event });
      return;
    }
    const subject = subjectOf(e, this.s);
    if (subject.pool && this.topics.has('health') && (!q.pool || q.pool === subject.pool)) this.dirty.add(subject.pool);
    if (!this.topics.has('events')) return;
    if (q.pool && subject.pool !== q.pool) return;
    if (q.account && !subject.accounts.includes(q.account)) return;
    if (this.types && !this.types.has(e.type)) return;
    const span = tracesRecorded ? startSpan('feed push', e.metadata?.traceparent, { 'roster.position': e.position }) : undefined;
    this.send({ topic: 'events', position: e.position, event });
    span?.end();
  }

  /** Sends the health of dirty pools whose counts changed, unless the client is behind (then it waits, coalesced). */
  private async flushHealth(initial = false): Promise<void> {
    if (!initial && this.dirty.size === 0) return;
    if (this.socket.bufferedAmount > this.s.settings.feedMaxBacklogBytes / 2) return;
    const position = this.position;
    this.dirty.clear();
    await waitForPosition(this.s.db, position || undefined, this.s.settings.consistencyWaitMs).catch(() => undefined);
    for (const p of await poolStatuses(this.s.db, this.q.pool)) {
      const body = { pool: p.poolId, health: p.health, counts: p.counts, activeSessions: p.activeSessions };
      const text = JSON.stringify(body);
      if (this.sentHealth.get(p.poolId) === text) continue;
      this.sentHealth.set(p.poolId, text);
      if (!this.send({ topic: 'health', position, ...body })) return;
    }
  }

  async run(onError: (e: unknown) => void): Promise<void> {
    const { s, q } = this;
    const signal = this.abort.signal;
    let timer: NodeJS.Timeout | undefined;
    if (this.topics.has('health')) {
      await this.flushHealth(true);
      const every = q.healthIntervalMs ?? s.settings.feedHealthIntervalMs;
      let flushing = false;
      timer = setInterval(() => {
        if (flushing) return;
        flushing = true;
        void this.flushHealth().catch(onError).finally(() => (flushing = false));
      }, every);
    }
    try {
      for await (const e of s.store.subscribe({ from: this.position, signal, batchSize: 200 })) {
        this.position = e.position;
        await this.deliver(e);
      }
    } finally {
      clearInterval(timer);
    }
  }
}

/** Registers `GET /ws`. */
export default function feedRoutes(app: App, s: Services): void {
  /** Where each connection starts. "Now" is fixed before the upgrade is answered, so a client
   * gets every event appended after its socket opened. */
  const startAt = new WeakMap<object, string>();
  const preHandler = async (request: { query: unknown }) => {
    startAt.set(request, (request.query as FeedQuery).from ?? (await s.store.headPosition()));
  };
  app.get('/ws', { websocket: true, preHandler, schema: { tags: ['feed'], querystring: FeedQuery } }, (socket, request) => {
    const stats = s.feed;
    stats.open++;
    socket.on('close', () => stats.open--);
    const connection = new FeedConnection(socket, s, request.query as FeedQuery, stats, startAt.get(request)!);
    void connection.run((e) => request.log.error({ err: e }, 'feed failed')).catch((e) => {
      request.log.error({ err: e }, 'feed failed');
      socket.close(1011, 'feed failed');
    });
  });
}
