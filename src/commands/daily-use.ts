/**
 * Requests each account served well per model on the current usage day, over every node,
 * for the gateway's daily limits.
 */
import type { UsageRow } from '../domain/gateway.ts';
import type { AccountUse } from '../projections/gateway-usage.ts';
import { START, type Position } from '../store/port.ts';

/** Usage heard from the log is kept this long at most for the next read to add. */
const HEARD_KEPT_MS = 60_000;

/**
 * The day's use, put together from three sources so that nothing is counted twice or
 * missed:
 * - the usage read model, read when the day begins and every `syncMs`, which answers its
 *   position in the log (every usage event up to it is in it, none after);
 * - usage events heard from the log tail (`hear`), this node's and the others', each at
 *   its position: those after the last read's position are added to it;
 * - this node's requests counted as they end (`add`) and not yet heard back from the log.
 *
 * @example
 * await daily.ready(day);
 * if (daily.used(accountId, model) >= limit) skip();
 */
export class DailyUse {
  private day = '';
  private counts = new Map<string, number>();
  /** This node's requests counted today and not yet heard back from the log. */
  private pending = new Map<string, number>();
  /** Requests being served now (so that concurrent requests cannot pass a limit together). */
  private readonly held = new Map<string, number>();
  private reading: { day: string; done: Promise<void> } | undefined;
  private first: Promise<void> = Promise.resolve();
  private readAt = 0;
  /** The usage read model's position as of the last read: every usage event up to it is in `counts`. */
  private readPosition: Position = START;
  /** Rows heard after `readPosition`, oldest first, for the next read to add. */
  private heard: Array<{ position: Position; key: string; day: string; n: number; at: number }> = [];

  /**
   * `read(day)`: every node's use on a day and the read model's position. `changed(accountId)`:
   * an account's count changed other than by this node's `add` (its caller knows of those).
   */
  constructor(private readonly read: (day: string) => Promise<AccountUse>, private readonly changed: (accountId: string) => void, private readonly syncMs = 10_000) {}

  /**
   * Resolves once `day` has been read (or the read failed: then what this node counted and
   * heard binds until the next read); reads again in the background every `syncMs`.
   */
  async ready(day: string): Promise<void> {
    if (day !== this.day) {
      this.day = day;
      this.counts = new Map();
      this.pending = new Map();
      this.readAt = 0;
      this.first = this.sync(day);
    }
    if (!this.readAt) await this.first;
    else if (Date.now() - this.readAt > this.syncMs) void this.sync(day);
  }

  /** Requests counted today, and those being served now. */
  used(accountId: string, model: string): number {
    const key = `${accountId}|${model}`;
    return (this.counts.get(key) ?? 0) + (this.held.get(key) ?? 0);
  }

  /** Counts a request being served until the answer's count replaces it; answers the release. */
  hold(accountId: string, model: string): () => void {
    const key = `${accountId}|${model}`;
    bump(this.held, key, 1);
    return () => bump(this.held, key, -1);
  }

  /** Counts a request of this node served well on `day`; answers whether it counted (it is the current day). */
  add(accountId: string, model: string, day: string): boolean {
    if (day !== this.day) return false;
    const key = `${accountId}|${model}`;
    bump(this.counts, key, 1);
    bump(this.pending, key, 1);
    return true;
  }

  /**
   * Usage appended at `position` (by this node when `own`), heard from the log tail.
   * Another node's is counted at once unless the last read already had it (the tail can
   * be behind the read model); this node's was counted when served, and is no longer
   * pending (counted twice until now when the last read had it too). What is heard is
   * kept for a minute at most, for the next read to add what it lacks.
   *
   * @example
   * daily.hear(event.position, event.data.rows, event.stream === ownStream);
   */
  hear(position: Position, rows: UsageRow[], own: boolean, now = Date.now()): void {
    // Before the first read (no day yet) rows are only kept, for that read to add.
    let old = 0;
    while (old < this.heard.length && now - this.heard[old]!.at > HEARD_KEPT_MS) old++;
    if (old) this.heard.splice(0, old);
    const inRead = position <= this.readPosition;
    for (const r of rows) {
      const n = r.requests - r.failures;
      if (n <= 0) continue;
      const key = `${r.accountId}|${r.model}`;
      const today = r.day === this.day;
      if (own && today) bump(this.pending, key, -n);
      if (!inRead) this.heard.push({ position, key, day: r.day, n, at: now });
      if (today && own === inRead) {
        bump(this.counts, key, own ? -n : n);
        this.changed(r.accountId);
      }
    }
  }

  private sync(day: string): Promise<void> {
    if (this.reading?.day === day) return this.reading.done;
    const done = this.read(day).then(({ rows, position }) => {
      if (day !== this.day) return;
      const counts = new Map(rows.map((r) => [`${r.accountId}|${r.model}`, r.requests]));
      for (const [key, n] of this.pending) bump(counts, key, n);
      this.heard = this.heard.filter((h) => h.position > position);
      for (const h of this.heard) if (h.day === day) bump(counts, h.key, h.n);
      if (position > this.readPosition) this.readPosition = position;
      const before = this.counts;
      this.counts = counts;
      for (const [key, n] of counts) if (before.get(key) !== n) this.changed(key.slice(0, key.lastIndexOf('|')));
      for (const key of before.keys()) if (!counts.has(key)) this.changed(key.slice(0, key.lastIndexOf('|')));
    }).catch(() => undefined).finally(() => {
      if (day === this.day) this.readAt = Date.now();
      if (this.reading?.done === done) this.reading = undefined;
    });
    this.reading = { day, done };
    return done;
  }
}

/** Adds `n` to a count, dropping it at zero or below. */
function bump(counts: Map<string, number>, key: string, n: number): void {
  const next = (counts.get(key) ?? 0) + n;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
