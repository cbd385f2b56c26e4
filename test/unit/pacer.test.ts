import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mainThreadWaitNs, Pacer } from '../../src/workers/pacer.ts';

/** A pacer whose ticker never reads a wait: only `adjust` moves it. */
const manual = () => new Pacer({ targetWait: 0.1, readWaitNs: () => undefined });

describe('pacer', () => {
  it('lets every call go at once while unpaced', async () => {
    const pacer = manual();
    await Promise.all(Array.from({ length: 100 }, () => pacer.acquire()));
    assert.equal(pacer.rate, Infinity);
    assert.equal(pacer.queued, 0);
  });

  it('falls to half of what went through when the main thread waits past its target, never under the floor', () => {
    const pacer = manual();
    pacer.adjust(0.5, 20);
    assert.equal(pacer.rate, 10);
    pacer.adjust(0.5, 100); // the pace, not what went through, when the pace is lower
    assert.equal(pacer.rate, 5);
    pacer.adjust(0.9, 0);
    assert.equal(pacer.rate, 2);
    pacer.close();
  });

  it('spaces paced calls and grants them lowest rank first', async () => {
    const pacer = manual();
    pacer.adjust(0.5, 40); // 20 calls a second
    const order: number[] = [];
    const started = performance.now();
    await Promise.all([3, 1, 2, 1, 0].map((rank) => pacer.acquire(undefined, rank).then(() => order.push(rank))));
    // Five calls at 20 a second from an empty bucket: the last goes no sooner than 250 ms in.
    assert.ok(performance.now() - started >= 240, `took ${performance.now() - started} ms`);
    assert.deepEqual(order, [0, 1, 1, 2, 3]);
    pacer.close();
  });

  it('rises while calls wait and the wait is low, and goes unpaced once none wait', async () => {
    const pacer = manual();
    pacer.adjust(0.5, 20);
    const pending = Promise.all([pacer.acquire(), pacer.acquire()]);
    pacer.adjust(0.05, 10);
    assert.equal(pacer.rate, 10 * 1.1 + 1);
    await pending;
    pacer.adjust(0.05, 10);
    assert.equal(pacer.rate, Infinity);
  });

  it('drops a call whose signal aborts, and close lets the rest go', async () => {
    const pacer = manual();
    pacer.adjust(0.9, 0); // 2 a second
    await pacer.acquire(); // takes the first token's wait
    const abort = new AbortController();
    const dropped = pacer.acquire(abort.signal);
    const kept = pacer.acquire();
    assert.equal(pacer.queued, 2);
    abort.abort(new Error('stopped'));
    await assert.rejects(dropped, /stopped/);
    assert.equal(pacer.queued, 1);
    pacer.close();
    await kept;
    assert.equal(pacer.queued, 0);
  });

  /** Acquires from `pacer` until `done()` holds (or 20 rounds pass), keeping calls coming as a running job would. */
  const drive = async (pacer: Pacer, done: () => boolean) => {
    for (let i = 0; i < 20 && !done(); i++) {
      await pacer.acquire();
      await sleep(10);
    }
  };
  let wait = 0;
  const starved = () => (wait += 1e9); // a second of waiting at every reading

  it('paces by itself once the main thread waits past its target', async () => {
    const pacer = new Pacer({ targetWait: 0.1, intervalMs: 20, readWaitNs: starved });
    assert.equal(pacer.rate, Infinity);
    await drive(pacer, () => pacer.rate !== Infinity);
    assert.notEqual(pacer.rate, Infinity);
    pacer.close();
  });

  it('starts at its floor while clients are being served, and climbs while the main thread gets its CPU', async () => {
    const pacer = new Pacer({ targetWait: 0.1, intervalMs: 20, minRate: 50, readWaitNs: () => 0, lastServed: () => performance.now() });
    const first = pacer.acquire();
    assert.equal(pacer.rate, 50);
    const waiting = Array.from({ length: 10 }, () => pacer.acquire());
    await sleep(100);
    assert.ok(pacer.rate > 50, `rate ${pacer.rate}`);
    await Promise.all([first, ...waiting]);
    pacer.close();
  });

  it('goes unpaced with no client served for its quiet time, and never paces with a target of 0', async () => {
    const quiet = new Pacer({ targetWait: 0.1, intervalMs: 20, quietMs: 50, readWaitNs: starved, lastServed: () => performance.now() - 60 });
    const never = new Pacer({ targetWait: 0, intervalMs: 20, readWaitNs: starved, lastServed: () => performance.now() });
    await Promise.all([drive(quiet, () => false), drive(never, () => false)]);
    assert.equal(quiet.rate, Infinity);
    assert.equal(never.rate, Infinity);
  });

  it('reads the main thread\'s wait for a CPU on Linux', { skip: process.platform !== 'linux' }, () => {
    const wait = mainThreadWaitNs();
    assert.ok(typeof wait === 'number' && wait >= 0);
  });
});
