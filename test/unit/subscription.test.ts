import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wakeSignal } from '../../src/store/subscription.ts';

/** Whether `wake` resolved within a few milliseconds (rather than at its 1 s timeout). */
const wokeSoon = (p: Promise<void>) => Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 30))]);

describe('wake signal', () => {
  it('wakes a filtered waiter only for appends to its categories, or of unknown category', async () => {
    const { wake, notify } = wakeSignal();
    const accounts = { streamPrefixes: ['account-'] };
    const waiting = wake(1000, undefined, undefined, accounts);
    notify(['pool']);
    assert.equal(await wokeSoon(waiting), false, 'an append to pool-… does not wake an account- waiter');
    notify(['pool', 'account']);
    assert.equal(await wokeSoon(waiting), true);
    const again = wake(1000, undefined, undefined, accounts);
    notify(undefined);
    assert.equal(await wokeSoon(again), true, 'an append of unknown category wakes everyone');
  });

  it('wakes an unfiltered waiter, or one whose prefix names no category, for any append', async () => {
    const { wake, notify } = wakeSignal();
    const all = wake(1000);
    const loose = wake(1000, undefined, undefined, { streamPrefixes: ['acc'] });
    notify(['pool']);
    assert.deepEqual([await wokeSoon(all), await wokeSoon(loose)], [true, true]);
  });

  it('returns at once when an append of its categories came after `since`, and not for others', async () => {
    const { wake, notify } = wakeSignal();
    const since = performance.now();
    notify(['pool']);
    assert.equal(await wokeSoon(wake(1000, undefined, since, { streamPrefixes: ['account-'] })), false);
    assert.equal(await wokeSoon(wake(1000, undefined, since)), true);
    notify(['account']);
    assert.equal(await wokeSoon(wake(1000, undefined, since, { streamPrefixes: ['account-'] })), true);
  });
});
