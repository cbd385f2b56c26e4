import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backlog } from '../../src/workers/limits.ts';

/** A backlog whose tasks finish when the test says so. */
function backlog(limit: number) {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const b = new Backlog(limit, (key) => {
    started.push(key);
    return new Promise<void>((resolve) => finish.set(key, resolve));
  });
  const settle = () => new Promise((r) => setImmediate(r));
  return { b, started, done: async (key: string) => { finish.get(key)!(); await settle(); } };
}

describe('Backlog', () => {
  it('runs at most `limit` tasks; each that finishes starts the next, in order', async () => {
    const { b, started, done } = backlog(2);
    b.replace(['a', 'b', 'c', 'd']);
    assert.deepEqual(started, ['a', 'b']);
    assert.deepEqual([b.size, b.waiting], [2, 2]);
    await done('b');
    assert.deepEqual(started, ['a', 'b', 'c']);
    await done('a');
    await done('c');
    await done('d');
    assert.deepEqual(started, ['a', 'b', 'c', 'd']);
    assert.deepEqual([b.size, b.waiting], [0, 0]);
  });

  it('a new list replaces what waits of the last; tasks under way go on and count against the limit', async () => {
    const { b, started, done } = backlog(2);
    b.replace(['a', 'b', 'c', 'd']);
    b.replace(['x', 'y']);
    assert.deepEqual(started, ['a', 'b'], 'nothing starts while both places are taken');
    await done('a');
    assert.deepEqual(started, ['a', 'b', 'x']);
    await done('b');
    await done('x');
    assert.deepEqual(started, ['a', 'b', 'x', 'y'], 'c and d were dropped');
  });

  it('a task that fails frees its place like one that succeeds', async () => {
    const started: string[] = [];
    const b = new Backlog(1, async (key) => {
      started.push(key);
      throw new Error(key);
    });
    b.replace(['a', 'b', 'c']);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, ['a', 'b', 'c']);
    assert.equal(b.size, 0);
  });
});
