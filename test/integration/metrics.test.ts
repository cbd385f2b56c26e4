/**
 * `/metrics` and `/health/ready` read in the process that serves them: gauges that reflect
 * what the process went through, and readiness that follows the read models' lag.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { until } from '../support/sandbox.ts';

/** The value of a metric's sample with the given labels, from Prometheus text. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  assert.ok(line, `${name}{${labels}} in ${text.slice(0, 200)}…`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics, in process', () => {
  let t: TestRoster;
  before(async () => { t = await startTestRoster({ ROSTER_READY_MAX_LAG_MS: '100' }); });
  after(async () => t.stop());

  it('reports the event loop blocked since the last scrape, and only since then', async () => {
    await t.call('GET', '/metrics'); // starts a period
    const until = performance.now() + 150;
    while (performance.now() < until); // the loop blocked for 150 ms
    const blocked = String((await t.call('GET', '/metrics')).body);
    const longest = sample(blocked, 'roster_event_loop_delay_seconds', 'quantile="1"');
    assert.ok(longest >= 0.13 && longest < 10, `longest delay ${longest} s`);
    assert.ok(sample(blocked, 'roster_event_loop_delay_seconds', 'quantile="0.5"') <= longest);
    const next = String((await t.call('GET', '/metrics')).body);
    assert.ok(sample(next, 'roster_event_loop_delay_seconds', 'quantile="1"') < longest, 'a new period after each scrape');
  });

  it('answers not ready (503 lagging) while an open transaction holds the log back from the read models past ROSTER_READY_MAX_LAG_MS, and ready once they catch up', async () => {
    const ready = async () => {
      const r = await fetch(`${t.roster.url}/health/ready`);
      return { status: r.status, body: await r.json() as { status: string; projectionLagSeconds?: number; boundSeconds?: number } };
    };
    await until('ready', async () => (await ready()).status === 200, 10_000);
    // A transaction left open with a transaction id (here it has nothing else) holds back
    // every event appended after it began from the log's readers: the read models fall
    // behind. (It holds back every database of the cluster: kept short, about a second.)
    const holder = await t.db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_current_xact_id()');
      assert.equal((await t.call('POST', '/v1/pools', { poolId: 'lagging', name: 'Lagging', providerId: 'manual' })).status, 201);
      const lagging = await until('not ready', async () => {
        const r = await ready();
        return r.status === 503 && r.body;
      }, 5000);
      assert.equal(lagging.status, 'lagging');
      assert.equal(lagging.boundSeconds, 0.1);
      assert.ok(lagging.projectionLagSeconds! > 0.1, `lag ${lagging.projectionLagSeconds} s`);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const back = await until('ready again', async () => {
      const r = await ready();
      return r.status === 200 && r.body;
    }, 10_000);
    assert.equal(back.status, 'ready');
  });
});
