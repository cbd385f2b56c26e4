import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageMeter } from '../../src/commands/gateway.ts';
import type { UsageRow } from '../../src/domain/gateway.ts';
import { rosterCodec } from '../../src/store/codec.ts';
import { MemoryEventStore } from '../../src/store/memory.ts';

const row = (model: string, requests: number): UsageRow => ({
  keyId: 'k', userId: 'u', accountId: 'a', poolId: 'p', model, day: '2026-12-06', requests, failures: 0, inputTokens: 1, outputTokens: 2, estimated: 0, spend: 0,
});

describe('usage meter', () => {
  it('a flush asked for while another is under way writes what was counted since, once that one ends', async () => {
    const store = new MemoryEventStore(rosterCodec);
    const meter = new UsageMeter(store, 'node-1');
    meter.add(row('small', 2));
    const first = meter.flush();
    // Counted while the first flush appends: a later flush (as at shutdown) must write it too.
    meter.add(row('large', 3));
    const second = meter.flush();
    await second;
    const written = (await store.readStream('gatewayusage-node-1')).flatMap((e) => (e.data as { rows: UsageRow[] }).rows.map((r) => [r.model, r.requests]));
    assert.deepEqual(written.sort(), [['large', 3], ['small', 2]], 'both written when the later flush ends');
    assert.equal(await first, 2 - (await second), 'each row written once');
    assert.equal(await meter.flush(), 0, 'nothing left');
  });
});
