/**
 * The gateway's request log against PostgreSQL: a write that fails keeps its rows for the
 * next, rows refused as data go, and no more than its bound wait in memory.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RequestLog, type RequestRecord } from '../../src/store/request-log.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { until } from '../support/sandbox.ts';

/** A minute ago: rows the scheduler's pruning (two days kept) leaves alone. */
const base = Date.now() - 60_000;
const record = (n: number, path = `/v1/chat/completions/${n}`): RequestRecord => ({
  requestId: `req-${n}`, at: new Date(base + n * 1000).toISOString(), userId: 'u1', keyId: 'k1', method: 'POST', path,
  model: 'small', poolId: 'p', accountId: 'a', status: 200, outcome: '200', tries: 1, inputTokens: n, outputTokens: 2 * n, estimated: false,
  spend: n / 10, durationMs: n, upstreamRequestId: null,
});

describe('gateway request log', () => {
  let t: TestRoster;
  before(async () => {
    t = await startTestRoster({ ROSTER_SCHEDULER_INTERVAL_MS: '200', ROSTER_GATEWAY_REQUEST_LOG_DAYS: '2' });
  });
  after(async () => t?.stop());
  const logged = async () => (await t.db.pool.query<{ request_id: string }>('SELECT request_id FROM gateway_requests ORDER BY seq')).rows.map((r) => r.request_id);

  it('keeps the rows of a failed write for the next, and lists them newest first with their figures', async () => {
    const log = new RequestLog(t.db.pool);
    for (let n = 1; n <= 3; n++) log.add(record(n));
    await t.db.pool.query('ALTER TABLE gateway_requests RENAME TO gateway_requests_away');
    try {
      await assert.rejects(log.flush(), /gateway_requests/);
      log.add(record(4));
    } finally {
      await t.db.pool.query('ALTER TABLE gateway_requests_away RENAME TO gateway_requests');
    }
    assert.equal(await log.flush(), 4);
    assert.deepEqual(await logged(), ['req-1', 'req-2', 'req-3', 'req-4']);
    const { items, next } = await log.list({ userId: 'u1', limit: 3 });
    assert.deepEqual(items.map((r) => r.requestId), ['req-4', 'req-3', 'req-2']);
    const { seq: _, ...fourth } = items[0]!;
    assert.deepEqual(fourth, record(4));
    assert.deepEqual((await log.list({ userId: 'u1', limit: 3, before: next })).items.map((r) => r.requestId), ['req-1']);
    assert.equal(await log.prune(1, base + 86_400_000 + 3500, 2), 2, 'at most two at once');
    assert.equal(await log.prune(1, base + 86_400_000 + 3500), 1, 'the third of the three older than a day at that time');
    assert.deepEqual(await logged(), ['req-4']);
  });

  it('drops rows PostgreSQL refuses as data, and the oldest beyond its bound', async () => {
    await t.db.pool.query('TRUNCATE gateway_requests');
    const log = new RequestLog(t.db.pool, 10);
    log.add(record(1, 'a NUL \u0000 in text'));
    await assert.rejects(log.flush(), (e: { code?: string }) => e.code === '22021');
    assert.equal(log.dropped, 1);
    assert.equal(await log.flush(), 0, 'not tried again');
    for (let n = 1; n <= 25; n++) log.add(record(n));
    assert.equal(log.dropped, 1 + 15, 'a tenth of the bound at a time, the oldest first');
    assert.equal(await log.flush(), 10);
    assert.deepEqual(await logged(), Array.from({ length: 10 }, (_, i) => `req-${16 + i}`));
  });

  it('loses the rows older than ROSTER_GATEWAY_REQUEST_LOG_DAYS at the scheduler\'s rounds, and no younger one', async () => {
    await t.db.pool.query('TRUNCATE gateway_requests');
    const log = new RequestLog(t.db.pool);
    const day = 86_400_000;
    log.add({ ...record(1), at: new Date(Date.now() - 3 * day).toISOString() });
    log.add({ ...record(2), at: new Date(Date.now() - day).toISOString() });
    await log.flush();
    await until('the old row gone', async () => (await logged()).length === 1);
    assert.deepEqual(await logged(), ['req-2']);
  });
});
