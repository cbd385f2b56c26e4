/**
 * The event store contract: every adapter runs this same suite.
 */
import type { DomainEvent } from '../../src/domain/events.ts';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DuplicateEventIds, WrongExpectedRevision, type EventStore, type NewEvent, type Position, type RecordedEvent,
} from '../../src/store/port.ts';

export interface ContractSubject {
  store: EventStore<DomainEvent>;
  /** Appends inside a transaction that stays open for `ms` before committing, where the adapter has one. */
  appendHeldOpen?: (stream: string, events: NewEvent<DomainEvent>[], ms: number) => Promise<void>;
  teardown(): Promise<void>;
}

function event(type = 'Thing', data: Record<string, unknown> = {}): NewEvent<DomainEvent> {
  return { id: randomUUID(), type, data, metadata: { actor: 'test', correlationId: randomUUID() } };
}

function events(n: number, type = 'Thing'): NewEvent<DomainEvent>[] {
  return Array.from({ length: n }, (_, i) => event(type, { i }));
}

/** Collects events from a subscription until `until` says stop or the time runs out. */
async function collect(
  store: EventStore<DomainEvent>, from: Position | undefined, prefix: string,
  until: (seen: RecordedEvent<DomainEvent>[]) => boolean, ms = 15000,
): Promise<RecordedEvent<DomainEvent>[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const seen: RecordedEvent<DomainEvent>[] = [];
  try {
    for await (const e of store.subscribe({ from, filter: { streamPrefixes: [prefix] }, signal: ac.signal })) {
      seen.push(e);
      if (until(seen)) break;
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return seen;
}

export function storeContract(name: string, make: () => Promise<ContractSubject>): void {
  describe(`event store contract: ${name}`, () => {
    let subject: ContractSubject;
    let store: EventStore<DomainEvent>;
    const stream = (label: string) => `${label}-${randomUUID()}`;

    before(async () => {
      subject = await make();
      store = subject.store;
    });
    after(async () => subject.teardown());

    it('no_stream succeeds once, then conflicts', async () => {
      const s = stream('c');
      const first = await store.append(s, events(2), 'no_stream');
      assert.equal(first.nextRevision, 1);
      await assert.rejects(store.append(s, events(1), 'no_stream'), (e: unknown) => {
        assert.ok(e instanceof WrongExpectedRevision);
        assert.equal(e.actual, 1);
        return true;
      });
      assert.equal((await store.readStream(s)).length, 2);
    });

    it('an exact revision must match the stream, and a missing stream has none', async () => {
      const s = stream('c');
      await assert.rejects(store.append(s, events(1), 0), WrongExpectedRevision);
      await store.append(s, events(1), 'no_stream');
      const r = await store.append(s, events(3), 0);
      assert.equal(r.nextRevision, 3);
      await assert.rejects(store.append(s, events(1), 2), (e: unknown) => e instanceof WrongExpectedRevision && e.actual === 3);
      assert.deepEqual((await store.readStream(s)).map((e) => e.revision), [0, 1, 2, 3]);
    });

    it('any appends whatever the revision', async () => {
      const s = stream('c');
      await store.append(s, events(1), 'any');
      const r = await store.append(s, events(2), 'any');
      assert.equal(r.nextRevision, 2);
    });

    it('re-appending the same event ids writes nothing twice', async () => {
      const s = stream('c');
      const batch = events(3);
      const first = await store.append(s, batch, 'no_stream');
      const again = await store.append(s, batch, 'no_stream').catch((e) => e);
      if (!(again instanceof Error)) assert.equal(again.nextRevision, first.nextRevision);
      const stored = await store.readStream(s);
      assert.deepEqual(stored.map((e) => e.id), batch.map((e) => e.id));
    });

    it('appends to several streams at once, in order, and (where the store can) writes nothing when one check fails', async (t) => {
      const [a, b, c] = [stream('many'), stream('many'), stream('many')];
      await store.append(c, events(1), 'no_stream');
      const results = await store.appendMany([{ stream: a, events: events(2), expected: 'no_stream' }, { stream: b, events: events(1), expected: 'no_stream' }]);
      assert.deepEqual(results.map((r) => r.nextRevision), [1, 0]);
      assert.ok(results[0]!.position < results[1]!.position);
      const d = stream('many');
      await assert.rejects(store.appendMany([{ stream: d, events: events(1), expected: 'no_stream' }, { stream: c, events: events(1), expected: 'no_stream' }]), WrongExpectedRevision);
      if (name === 'eventstoredb') return t.skip('EventStoreDB appends one stream after another');
      assert.equal((await store.readStream(d)).length, 0, 'the first part was not written either');
    });

    it('appends many new streams again with the same event ids as a no-op answering as the first time', async () => {
      const batch = Array.from({ length: 3 }, (_, i) => ({ stream: stream('again'), events: events(i + 1), expected: 'no_stream' as const }));
      const first = await store.appendMany(batch);
      const again = await store.appendMany(batch);
      assert.deepEqual(again.map((r) => r.nextRevision), [0, 1, 2]);
      assert.deepEqual(again.map((r) => r.nextRevision), first.map((r) => r.nextRevision));
      for (const b of batch) assert.equal((await store.readStream(b.stream)).length, b.events.length);
    });

    it('refuses new streams whose events reuse an id another stream holds, and writes none of them', async (t) => {
      if (name === 'eventstoredb') return t.skip('EventStoreDB keeps event ids unique per stream only');
      const held = event();
      await store.append(stream('reuse'), [held], 'no_stream');
      const [a, b] = [stream('reuse'), stream('reuse')];
      await assert.rejects(
        store.appendMany([{ stream: a, events: events(2), expected: 'no_stream' }, { stream: b, events: [event(), held], expected: 'no_stream' }]),
        DuplicateEventIds,
      );
      assert.equal((await store.readStream(a)).length, 0);
      assert.equal((await store.readStream(b)).length, 0);
    });

    it('keeps per-stream order, global order, data and metadata', async () => {
      const a = stream('order');
      const b = stream('order');
      await store.append(a, events(2, 'A'), 'no_stream');
      await store.append(b, events(2, 'B'), 'no_stream');
      await store.append(a, [event('A', { last: true })], 1);
      const stored = await store.readStream(a);
      assert.deepEqual(stored.map((e) => e.revision), [0, 1, 2]);
      assert.deepEqual(stored[2]!.data, { last: true });
      assert.equal(stored[0]!.metadata.actor, 'test');
      // Readers of $all may see new events a moment late (PostgreSQL holds them back while
      // older transactions are open): wait, bounded, for all five.
      let all: RecordedEvent<DomainEvent>[] = [];
      for (let i = 0; i < 200 && all.length < 5; i++, await sleep(25)) {
        all = (await store.readAll({ limit: 100000 })).filter((e) => e.stream === a || e.stream === b);
      }
      assert.deepEqual(all.map((e) => `${e.stream === a ? 'a' : 'b'}${e.revision}`), ['a0', 'a1', 'b0', 'b1', 'a2']);
      for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.position < all[i]!.position);
    });

    it('resumes a subscription from a checkpoint with no gap and no duplicate', async () => {
      const prefix = `resume${randomUUID().slice(0, 8)}-`;
      const written = [...events(5), ...events(5)];
      await store.append(`${prefix}1`, written.slice(0, 5), 'no_stream');
      const start = await collect(store, undefined, prefix, (seen) => seen.length === 3);
      assert.equal(start.length, 3);
      await store.append(`${prefix}1`, written.slice(5), 4);
      const rest = await collect(store, start.at(-1)!.position, prefix, (seen) => seen.length === 7);
      assert.deepEqual([...start, ...rest].map((e) => e.id), written.map((e) => e.id));
    });

    it('loses no event with 8 concurrent writers while transactions are held open', async () => {
      const prefix = `load${randomUUID().slice(0, 8)}-`;
      const expected = new Set<string>();
      const perWriter = 40;
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          const batch = events(1 + (i % 3));
          batch.forEach((e) => expected.add(e.id));
          const target = i % 4 === 0 ? `${prefix}shared` : `${prefix}w${w}`;
          if (subject.appendHeldOpen && i % 10 === 5) await subject.appendHeldOpen(target, batch, 150);
          else await store.append(target, batch, 'any');
        }
      });
      const total = Array.from({ length: 8 }, (_, w) => w).reduce(
        (sum) => sum + Array.from({ length: perWriter }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0), 0,
      );
      const reader = collect(store, undefined, prefix, (seen) => seen.length >= total, 60000);
      await Promise.all(writers);
      const seen = await reader;
      assert.equal(seen.length, total);
      assert.equal(new Set(seen.map((e) => e.id)).size, total, 'no duplicate');
      for (const e of seen) assert.ok(expected.has(e.id));
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1]!.position < seen[i]!.position, 'ordered');
      await sleep(10);
    });
  });
}
