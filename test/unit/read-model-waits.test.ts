/**
 * The projection runner's pause between batches: a reader waiting for a position the runner
 * has not reached ends it; a reader of a position it holds already does not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { ReadModelWaits } from '../../src/projections/waits.ts';

/** A database whose read models are always behind: a reader polls (and wakes the runner) until its wait ends. */
const behind = { query: async () => ({ rows: [{ behind: '1' }] }) } as unknown as pg.Pool;

/** What came first: the pause's end, or `ms`. */
const first = (pause: Promise<void>, ms: number) => Promise.race([pause.then(() => 'pause ended'), sleep(ms).then(() => 'still pausing')]);

describe('the runner\'s pause', () => {
  it('ends for a reader of a later position, not for one of a position already reached', async () => {
    const waits = new ReadModelWaits(150);
    const abort = new AbortController();
    const pause = waits.pause(5000, abort.signal, performance.now(), '0005');
    // A reader that asked for 0003 before the batch that reached 0005 was in: it keeps polling for 150 ms.
    const early = waits.reach(behind, '0003').catch(() => undefined);
    assert.equal(await first(pause, 300), 'still pausing');
    await early;
    // A reader of 0007, past what the runner holds: the pause ends.
    const later = waits.reach(behind, '0007').catch(() => undefined);
    assert.equal(await first(pause, 1000), 'pause ended');
    await later;
    abort.abort();
  });

  it('ends at its time, and on abort', async () => {
    const waits = new ReadModelWaits(100);
    assert.equal(await first(waits.pause(20, undefined, performance.now(), '0005'), 1000), 'pause ended');
    const abort = new AbortController();
    const pause = waits.pause(5000, abort.signal, performance.now(), '0005');
    abort.abort();
    assert.equal(await first(pause, 1000), 'pause ended');
  });
});
