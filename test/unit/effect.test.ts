/**
 * The Effect helpers that run Roster's background work from promise code.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as Schedule from 'effect/Schedule';
import { every, fork, keepRunningUntil, pauses, recent, Turns } from '../../src/effect.ts';

describe('background work on Effect', () => {
  it('keepRunning starts a failed task again after the pause, reports each failure, and ends when the signal aborts', async () => {
    const abort = new AbortController();
    const errors: unknown[] = [];
    let runs = 0;
    let lastSignal: AbortSignal | undefined;
    const running = keepRunningUntil(abort.signal, async (signal) => {
      runs++;
      lastSignal = signal;
      if (runs < 3) throw new Error(`run ${runs} failed`);
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    }, (e) => errors.push(e), Schedule.spaced('10 millis'));
    while (runs < 3) await sleep(5);
    assert.deepEqual(errors.map((e) => (e as Error).message), ['run 1 failed', 'run 2 failed']);
    abort.abort();
    await running;
    assert.equal(lastSignal?.aborted, true, "aborting interrupts the task's own signal");
    assert.equal(runs, 3);
  });

  it('every runs a task now and then after each run ends, never overlapping, until the fiber stops', async () => {
    let running = 0;
    let overlapped = false;
    let runs = 0;
    const loop = fork(every(5, async () => {
      overlapped ||= running > 0;
      running++;
      runs++;
      await sleep(15);
      running--;
      if (runs === 2) throw new Error('reported, and the loop goes on');
    }, () => undefined));
    while (runs < 4) await sleep(5);
    await loop.stop();
    const stoppedAt = runs;
    await sleep(40);
    assert.equal(overlapped, false);
    assert.equal(runs, stoppedAt, 'no run after stop');
  });

  it('pauses() waits by the schedule: doubling delays, back to the first after reset', async () => {
    const backoff = pauses(Schedule.exponential('30 millis'));
    const timed = async () => {
      const started = performance.now();
      await backoff.wait();
      return performance.now() - started;
    };
    const [first, second, third] = [await timed(), await timed(), await timed()];
    assert.ok(first >= 25 && second >= 55 && third >= 115, `${first}, ${second}, ${third}`);
    backoff.reset();
    assert.ok((await timed()) < third);
  });

  it('recent shares one read among the callers meanwhile, and reads again once its time is up', async () => {
    let reads = 0;
    const value = recent(150, async () => {
      reads++;
      await sleep(20);
      return reads;
    });
    assert.deepEqual(await Promise.all(Array.from({ length: 50 }, () => value())), Array(50).fill(1), 'callers during the read wait for it');
    assert.equal(await value(), 1);
    assert.equal(reads, 1);
    await sleep(200);
    assert.equal(await value(), 2);
    assert.equal(reads, 2);
  });

  it('Turns runs work for one key one at a time in arrival order, other keys at once, and forgets a key no one holds', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const step = (key: string, name: string, ms: number, fail = false) => turns.run(key, async () => {
      log.push(`${name} start`);
      await sleep(ms);
      log.push(`${name} end`);
      if (fail) throw new Error(`${name} failed`);
      return name;
    });
    const a1 = step('a', 'a1', 30, true);
    const a2 = step('a', 'a2', 5);
    const b1 = step('b', 'b1', 5);
    assert.equal(turns.size, 2);
    await assert.rejects(a1, /a1 failed/);
    assert.deepEqual(await Promise.all([a2, b1]), ['a2', 'b1']);
    // b1 ran beside a1; a2 waited for a1 to end, though a1 failed.
    assert.deepEqual(log, ['a1 start', 'b1 start', 'b1 end', 'a1 end', 'a2 start', 'a2 end']);
    assert.equal(turns.size, 0);
  });
});
