/**
 * Requests waiting for a place (commands/fair-waiters.ts), and the gateway's choice that
 * uses them: a place that frees goes to each key in turn.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventEmitter } from 'node:events';
import { setImmediate as turn } from 'node:timers/promises';
import { FairWaiters } from '../../src/commands/fair-waiters.ts';

describe('waiting for a place', () => {
  it('wakes each caller in turn, oldest request first within a caller', async () => {
    const waiters = new FairWaiters();
    const woken: string[] = [];
    const wait = (who: string, label: string) => void waiters.wait(who, 10_000).then((ok) => ok && woken.push(label));
    for (let i = 1; i <= 4; i++) wait('a', `a${i}`);
    wait('b', 'b1');
    wait('c', 'c1');
    wait('b', 'b2');
    assert.equal(waiters.size, 7);
    for (let i = 0; i < 7; i++) waiters.wakeOne();
    await turn();
    assert.deepEqual(woken, ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
    assert.equal(waiters.size, 0);
    waiters.wakeOne(); // none waiting: nothing happens
  });

  it('gives up when the time runs out, leaving the others waiting', async () => {
    const waiters = new FairWaiters();
    const late = waiters.wait('a', 20);
    const patient = waiters.wait('a', 10_000);
    assert.equal(await late, false);
    assert.equal(waiters.size, 1);
    waiters.wakeOne();
    assert.equal(await patient, true);
  });

  it('puts a request woken in vain back first: first in its caller\'s queue, its caller first in turn', async () => {
    const waiters = new FairWaiters();
    const woken: string[] = [];
    const wait = (who: string, label: string, again = false) => void waiters.wait(who, 10_000, again).then((ok) => ok && woken.push(label));
    wait('a', 'a2');
    wait('b', 'b1');
    wait('a', 'a1', true);
    waiters.wakeOne();
    waiters.wakeOne();
    waiters.wakeOne();
    await turn();
    assert.deepEqual(woken, ['a1', 'b1', 'a2']);
  });

  it('lets a request whose client went away leave the line at once, and takes none whose client had gone', async () => {
    const waiters = new FairWaiters();
    const gone = Object.assign(new EventEmitter(), { aborted: false });
    const leaving = waiters.wait('a', 10_000, false, gone);
    const staying = waiters.wait('a', 10_000);
    assert.equal(waiters.size, 2);
    gone.aborted = true;
    gone.emit('abort');
    assert.equal(await leaving, false);
    assert.equal(waiters.size, 1);
    assert.equal(gone.listenerCount('abort'), 0, 'no listener left behind');
    assert.equal(await waiters.wait('b', 10_000, false, gone), false, 'already gone: not queued');
    assert.equal(waiters.size, 1);
    waiters.wakeOne();
    assert.equal(await staying, true);
    const timedOut = Object.assign(new EventEmitter(), { aborted: false });
    assert.equal(await waiters.wait('c', 5, false, timedOut), false);
    assert.equal(timedOut.listenerCount('abort'), 0, 'nor after the time ran out');
  });
});
