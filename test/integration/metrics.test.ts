/** `/metrics` read in the process that serves it: gauges that reflect what the process went through. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

/** The value of a metric's sample with the given labels, from Prometheus text. */
function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  assert.ok(line, `${name}{${labels}} in ${text.slice(0, 200)}…`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics, in process', () => {
  let t: TestRoster;
  before(async () => { t = await startTestRoster(); });
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
});
