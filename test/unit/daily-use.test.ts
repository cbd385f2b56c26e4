/**
 * Daily use for gateway limits: the read of every node's use answers its position in the
 * log; other nodes' usage heard from the log after that position is added to it, and what
 * was heard up to it is not counted twice (the log tail can be behind the read model).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { DailyUse } from '../../src/commands/gateway.ts';
import type { AccountUse } from '../../src/projections/gateway-usage.ts';
import type { UsageRow } from '../../src/domain/gateway.ts';

const DAY = '2026-12-06';
const row = (requests: number, failures = 0, day = DAY): UsageRow => ({
  keyId: 'k', userId: 'u', accountId: 'a', poolId: 'p', model: 'm', day, requests, failures, inputTokens: 0, outputTokens: 0, estimated: 0, spend: 0,
});

/** A DailyUse whose reads answer the given use in turn, reading again on every `ready`. */
function dailyUse(reads: AccountUse[]) {
  const changed: string[] = [];
  const daily = new DailyUse(async () => reads.shift()!, (id) => changed.push(id), -1);
  return { daily, changed };
}

describe('daily use over nodes', () => {
  it('adds what was heard after the read\'s position, and not what the read already had', async () => {
    const { daily, changed } = dailyUse([
      { rows: [{ accountId: 'a', model: 'm', requests: 3 }], position: '05' },
      // The read model has since taken in the usage at 06, not the one at 07.
      { rows: [{ accountId: 'a', model: 'm', requests: 5 }], position: '06' },
      { rows: [{ accountId: 'a', model: 'm', requests: 9 }], position: '08' },
    ]);
    await daily.ready(DAY);
    assert.equal(daily.used('a', 'm'), 3);
    changed.length = 0;
    daily.hear('04', [row(2)]);
    assert.equal(daily.used('a', 'm'), 3, 'already in the read');
    daily.hear('06', [row(2)]);
    daily.hear('07', [row(5, 1)]);
    assert.equal(daily.used('a', 'm'), 3 + 2 + 4, 'heard after the read, failures left out');
    assert.deepEqual(changed, ['a', 'a']);

    await daily.ready(DAY);
    await tick();
    assert.equal(daily.used('a', 'm'), 5 + 4, 'the read has 06, the heard 07 is added');
    await daily.ready(DAY);
    await tick();
    assert.equal(daily.used('a', 'm'), 9, 'the read has both');
  });

  it('counts another day\'s usage for that day only, and this node\'s own requests once', async () => {
    const { daily } = dailyUse([{ rows: [], position: '01' }, { rows: [{ accountId: 'a', model: 'm', requests: 1 }], position: '03' }]);
    await daily.ready(DAY);
    daily.hear('02', [row(4, 0, '2026-12-05')]);
    assert.equal(daily.used('a', 'm'), 0);
    assert.equal(daily.add('a', 'm', DAY), true);
    assert.equal(daily.used('a', 'm'), 1);
    // The next read began after this node's request was counted and has it (at 03): counted once.
    await daily.ready(DAY);
    await tick();
    assert.equal(daily.used('a', 'm'), 1);
  });
});
