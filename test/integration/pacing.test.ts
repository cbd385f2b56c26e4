/**
 * Registration flows paced from the main thread, in real worker threads against the
 * sandbox: their calls wait for their turn, and that wait does not count against the
 * flow's timeout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FlowPool } from '../../src/workers/flows.ts';
import { Pacer } from '../../src/workers/pacer.ts';
import { Providers } from '../../src/workers/providers/registry.ts';
import { startSandbox, type TestSandbox } from '../support/sandbox.ts';

describe('paced registration flows', { timeout: 60_000 }, () => {
  let sandbox: TestSandbox;
  let providers: Providers;
  before(async () => {
    sandbox = await startSandbox();
    providers = await Providers.load({ sandbox: { use: 'sandbox', options: { baseUrl: sandbox.url } } });
  });
  after(() => sandbox.close());

  it('wait for their turn without timing out, while probes go unpaced', async () => {
    // A main thread that always waits: the pace stays at its floor of 2 calls a second.
    let wait = 0;
    const pacer = new Pacer({ targetWait: 0.1, intervalMs: 100, minRate: 2, readWaitNs: () => (wait += 1e9) });
    pacer.adjust(1, 0);
    const flows = new FlowPool({ threads: 3, pacer });
    try {
      const spec = providers.get('sandbox')!;
      const started = performance.now();
      const results = await Promise.all([1, 2, 3].map((i) =>
        flows.run(spec, 'register', { email: `paced${i}@example.test`, password: `password-${i}`, extra: {} }, { timeoutMs: 1500 })));
      const seconds = (performance.now() - started) / 1000;
      assert.deepEqual(results.map((r) => r.ok), [true, true, true], JSON.stringify(results));
      const calls = Object.values(sandbox.stats().calls).flatMap((byOutcome) => Object.values(byOutcome)).reduce((n, c) => n + c, 0);
      // Each call waited for a token at 2 a second, so the three flows took far longer than their 1.5 s timeout.
      assert.ok(calls >= 9 && seconds >= (calls - 1) / 2, `${calls} calls in ${seconds} s`);
      assert.equal(sandbox.stats().users, 3);
      // A probe is upkeep, not registration: it does not queue behind the pace.
      const credentials = (results[0] as { value: { credentials: unknown } }).value.credentials;
      const blocker = Promise.all([pacer.acquire(), pacer.acquire(), pacer.acquire()]);
      const probe = await flows.run(spec, 'probe', credentials as never, { timeoutMs: 1000 });
      assert.equal(probe.ok, true, JSON.stringify(probe));
      assert.equal(pacer.queued > 0, true, 'the probe went while registration calls still waited');
      await blocker;
    } finally {
      await flows.close();
    }
  });
});
