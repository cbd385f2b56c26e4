import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { FeedHub, type FeedMessage } from '../../src/projections/feed.ts';
import { rosterCodec } from '../../src/store/codec.ts';
import { MemoryEventStore } from '../../src/store/memory.ts';
import type { NewEvent } from '../../src/store/port.ts';
import { AccountIndex } from '../../src/projections/account-index.ts';
import { ReadModelWaits } from '../../src/projections/waits.ts';
import { until } from '../support/sandbox.ts';

const event = (type: 'SessionReleased' | 'SessionExpired'): NewEvent => ({
  id: randomUUID(), type, data: { sessionId: 's', accountIds: [], at: new Date().toISOString() }, metadata: { actor: 't', correlationId: 'c' },
});

describe('feed hub', () => {
  const start = () => {
    const store = new MemoryEventStore(rosterCodec);
    const hub = new FeedHub({ store, db: undefined as never, accounts: new AccountIndex(), readModels: new ReadModelWaits(0) }, (e) => { throw e; });
    const client = () => {
      const got: FeedMessage[] = [];
      return { got, offer: (m: FeedMessage) => void got.push(m) };
    };
    return { store, hub, client };
  };

  it('offers every appended event to every client, prepared once, from one subscription', async () => {
    const { store, hub, client } = start();
    const [a, b] = [client(), client()];
    await hub.join(a);
    await hub.join(b);
    await store.append('pool-p', [event('SessionReleased')], 'any');
    await until('both clients got it', async () => a.got.length === 1 && b.got.length === 1);
    assert.equal(a.got[0], b.got[0], 'the same prepared message');
    assert.equal(a.got[0]!.pool, 'p');
    assert.equal(a.got[0]!.text(), a.got[0]!.text());
    assert.equal(hub.counts.subscriptions, 1);
    hub.close();
  });

  it('keeps serving a client that joins while the last one leaves', async () => {
    const { store, hub, client } = start();
    const [a, b] = [client(), client()];
    await hub.join(a);
    const joining = hub.join(b);
    hub.leave(a); // the hub stops: b's join must start it again
    await joining;
    await store.append('pool-p', [event('SessionExpired')], 'any');
    await until('b got the event', async () => b.got.length === 1);
    assert.equal(hub.counts.subscriptions, 2);
    hub.close();
  });
});
