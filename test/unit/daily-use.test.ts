/**
 * Daily use for gateway limits: the read of every node's use answers its position in the
 * log; usage heard from the log after that position is added to it, what was heard up to
 * it is not counted twice (the log tail can be behind the read model), and this node's own
 * requests count once whether the read, the log or neither has them yet.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { DailyUse } from '../../src/commands/daily-use.ts';
import type { AccountUse } from '../../src/projections/gateway-usage.ts';
import type { UsageRow } from '../../src/domain/gateway.ts';

const DAY = '2026-12-06';
const row = (requests: number, failures = 0, day = DAY): UsageRow => ({
  keyId: 'k', userId: 'u', accountId: 'a', poolId: 'p', model: 'm', day, requests, failures, inputTokens: 0, outputTokens: 0, estimated: 0, spend: 0,
});
const use = (requests: number, position: string): AccountUse => ({ rows: requests ? [{ accountId: 'a', model: 'm', requests }] : [], position });

/** A DailyUse whose reads answer the given use in turn; every `ready` reads again. */
function dailyUse(reads: AccountUse[]) {
  const changed: string[] = [];
  const daily = new DailyUse(async () => reads.shift()!, (id: string) => changed.push(id), -1);
  /** Reads again, and waits for the read. */
  const reread = async () => {
    await daily.ready(DAY);
    await tick();
  };
  return { daily, changed, reread };
}

describe('daily use over nodes', () => {
  it('adds what another node appended after the read\'s position, and not what the read already had', async () => {
    // The second read has taken in the usage at 06, not the one at 07; the third has both.
    const { daily, changed, reread } = dailyUse([use(3, '05'), use(5, '06'), use(9, '08')]);
    await daily.ready(DAY);
    assert.equal(daily.used('a', 'm'), 3);
    changed.length = 0;
    daily.hear('04', [row(2)], false);
    assert.equal(daily.used('a', 'm'), 3, 'already in the read');
    daily.hear('06', [row(2)], false);
    daily.hear('07', [row(5, 1)], false);
    assert.equal(daily.used('a', 'm'), 3 + 2 + 4, 'heard after the read, failures left out');
    assert.deepEqual(changed, ['a', 'a']);
    await reread();
    assert.equal(daily.used('a', 'm'), 5 + 4, 'the read has 06, the heard 07 is added');
    await reread();
    assert.equal(daily.used('a', 'm'), 9, 'the read has both');
  });

  it('counts this node\'s requests once: served, appended, read', async () => {
    const { daily, reread } = dailyUse([use(0, '01'), use(0, '02'), use(2, '05'), use(2, '05')]);
    await daily.ready(DAY);
    daily.add('a', 'm', DAY);
    daily.add('a', 'm', DAY);
    assert.equal(daily.used('a', 'm'), 2);
    // A read before they were appended still counts them (they are pending).
    await reread();
    assert.equal(daily.used('a', 'm'), 2);
    // Appended at 04 and read (at 05) before the tail heard them: not counted twice once heard.
    await reread();
    assert.equal(daily.used('a', 'm'), 4, 'read and pending: twice until heard');
    daily.hear('04', [row(2)], true);
    assert.equal(daily.used('a', 'm'), 2);
    await reread();
    assert.equal(daily.used('a', 'm'), 2);
  });

  it('counts this node\'s requests heard before a read that does not have them yet', async () => {
    const { daily, reread } = dailyUse([use(0, '01'), use(0, '02'), use(1, '03')]);
    await daily.ready(DAY);
    daily.add('a', 'm', DAY);
    daily.hear('03', [row(1)], true);
    assert.equal(daily.used('a', 'm'), 1);
    await reread();
    assert.equal(daily.used('a', 'm'), 1, 'the read (at 02) lacks it: the heard row adds it');
    await reread();
    assert.equal(daily.used('a', 'm'), 1, 'the read (at 03) has it');
  });

  it('counts what was heard before the first read, when that read lacks it', async () => {
    const { daily } = dailyUse([use(2, '03')]);
    daily.hear('02', [row(2)], false);
    daily.hear('04', [row(1)], false);
    await daily.ready(DAY);
    assert.equal(daily.used('a', 'm'), 3, 'the read has 02, not 04');
  });

  it('counts another day\'s usage for that day only', async () => {
    const { daily } = dailyUse([use(0, '01')]);
    await daily.ready(DAY);
    daily.hear('02', [row(4, 0, '2026-12-05')], false);
    daily.hear('03', [row(1, 0, '2026-12-05')], true);
    assert.equal(daily.used('a', 'm'), 0);
    assert.equal(daily.add('a', 'm', '2026-12-05'), false);
  });
});
