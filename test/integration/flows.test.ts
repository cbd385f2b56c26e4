/**
 * Several flows per worker thread, in real Piscina threads: what one flow does to its
 * thread (throw, ignore its timeout, block the event loop, crash) fails only itself, or
 * only the flows on that thread, never the others.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requestSlotsOn } from '../../src/store/request-slots.ts';
import { FlowPool } from '../../src/workers/flows.ts';
import type { FlowResult } from '../../src/workers/flow.ts';
import { Providers } from '../../src/workers/providers/registry.ts';
import { testDatabase } from '../support/db.ts';

/** A provider whose flow does what the identity's email says: `ok-<ms>`, `throw`, `hang`, `spin`, `crash`. */
const provider = `
import { threadId } from 'node:worker_threads';
export function createProvider() {
  return { limits: {}, async register(identity, ctx) {
    const [what, ms] = identity.email.split('@')[0].split('-');
    ctx.step(what);
    if (what === 'throw') throw new Error('the flow threw');
    if (what === 'hang') return new Promise(() => {});
    if (what === 'spin') for (;;);
    if (what === 'crash') setTimeout(() => { throw new Error('uncaught in the thread'); }, Number(ms ?? 0));
    await new Promise((r) => setTimeout(r, Number(ms ?? 0)));
    return { credentials: { thread: String(threadId) }, expiresAt: null, capabilities: [] };
  } };
}`;

describe('flows sharing worker threads', { timeout: 60_000 }, () => {
  let dir: string;
  let providers: Providers;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roster-flows-'));
    await writeFile(join(dir, 'provider.mjs'), provider);
    providers = await Providers.load({ test: { use: join(dir, 'provider.mjs'), limits: { maxConcurrency: 100 } } });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const run = (flows: FlowPool, email: string, timeoutMs = 5000): Promise<FlowResult> =>
    flows.run(providers.get('test')!, 'register', { email: `${email}@example.test`, extra: {} }, { timeoutMs });
  const threadOf = (r: FlowResult) => (r.ok ? Number((r.value as { credentials: { thread: string } }).credentials.thread) : undefined);

  it('run many at once on few threads', async () => {
    const flows = new FlowPool({ threads: 2, flowsPerThread: 20 });
    try {
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: 40 }, () => run(flows, 'ok-500')));
      const ms = performance.now() - started;
      assert.ok(results.every((r) => r.ok), JSON.stringify(results.find((r) => !r.ok)));
      assert.equal(new Set(results.map(threadOf)).size, 2, 'two threads ran them');
      // One flow at a time per thread would take 20 × 500 ms.
      assert.ok(ms < 5000, `40 flows of 500 ms on 2 threads took ${Math.round(ms)} ms`);
    } finally {
      await flows.close();
    }
  });

  it('a flow that throws or ignores its timeout fails alone; its thread keeps running the others', async () => {
    const flows = new FlowPool({ threads: 1, flowsPerThread: 10, graceMs: 200 });
    try {
      const [threw, hung, ...oks] = await Promise.all([run(flows, 'throw'), run(flows, 'hang', 500), run(flows, 'ok-100'), run(flows, 'ok-1200')]);
      assert.equal(threw.ok, false);
      assert.match(!threw.ok ? threw.error.message : '', /the flow threw/);
      assert.equal(hung.ok, false);
      assert.match(!hung.ok ? hung.error.message : '', /timed out or cancelled at hang/);
      assert.ok(oks.every((r) => r.ok), JSON.stringify(oks));
      // The flow that finished after the hung one was given up ran on the same thread: it was not terminated.
      const after = await run(flows, 'ok-0');
      assert.equal(threadOf(after), threadOf(oks[1]!));
      assert.equal(flows.threads.length, 1);
    } finally {
      await flows.close();
    }
  });

  it('a flow that blocks its thread past its timeout gets the thread terminated: only the flows on it fail, and a new thread takes the next', async () => {
    const flows = new FlowPool({ threads: 2, flowsPerThread: 2, graceMs: 200 });
    try {
      // Two long flows fill one thread's two places before the blocking one is placed (Piscina places a task on the least busy thread).
      const first = run(flows, 'ok-3000');
      const other = run(flows, 'ok-3000');
      await new Promise((r) => setTimeout(r, 200));
      const spinning = run(flows, 'spin', 500);
      const results = await Promise.all([first, other, spinning]);
      const [a, b, spun] = results;
      assert.equal(spun!.ok, false);
      assert.match(!spun!.ok ? spun!.error.message : '', /timed out after 500 ms; thread terminated/);
      // The thread shared with the spinning flow failed that flow's neighbour, retryably; the other thread's flow finished.
      const failed = [a!, b!].filter((r) => !r.ok);
      assert.equal(failed.length, 1, JSON.stringify(results));
      assert.equal(!failed[0]!.ok && failed[0]!.error.kind, 'retryable');
      assert.match(!failed[0]!.ok ? failed[0]!.error.message : '', /worker thread failed/);
      const next = await run(flows, 'ok-0');
      assert.ok(next.ok, 'a new thread runs the next flow');
    } finally {
      await flows.close();
    }
  });

  it('a thread that crashes fails only the flows it ran', async () => {
    const flows = new FlowPool({ threads: 2, flowsPerThread: 2 });
    try {
      const first = run(flows, 'ok-1500');
      const other = run(flows, 'ok-1500');
      await new Promise((r) => setTimeout(r, 200));
      const results = await Promise.all([first, other, run(flows, 'crash-300')]);
      const failed = results.filter((r) => !r.ok);
      assert.equal(failed.length, 2, JSON.stringify(results));
      assert.ok(failed.every((r) => !r.ok && r.error.kind === 'retryable' && /worker thread failed/.test(r.error.message)), JSON.stringify(failed));
      assert.ok((await run(flows, 'ok-0')).ok);
    } finally {
      await flows.close();
    }
  });

  it('hold a provider\'s maxConcurrency across nodes when the pools share their places', async () => {
    const db = await testDatabase();
    const capped = await Providers.load({ capped: { use: join(dir, 'provider.mjs'), limits: { maxConcurrency: 2 } } });
    const [a, b] = [new FlowPool({ threads: 1, flowsPerThread: 10, slots: requestSlotsOn({ kind: 'postgres', pool: db.pool }) }), new FlowPool({ threads: 1, flowsPerThread: 10, slots: requestSlotsOn({ kind: 'postgres', pool: db.pool }) })];
    try {
      const flow = (flows: FlowPool) => flows.run(capped.get('capped')!, 'register', { email: 'ok-400@example.test', extra: {} }, { timeoutMs: 10_000 });
      let most = 0;
      const watching = setInterval(() => void db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM request_slots WHERE scope = 'provider:capped'").then(({ rows }) => { most = Math.max(most, rows[0]!.n); }), 20);
      const started = performance.now();
      const results = await Promise.all([a, b, a, b, a, b].map(flow));
      const ms = performance.now() - started;
      clearInterval(watching);
      assert.ok(results.every((r) => r.ok), JSON.stringify(results.find((r) => !r.ok)));
      assert.equal(most, 2, 'two at most under way, on both nodes together');
      // Six flows of 400 ms, two at a time: three rounds at least (each node alone would allow two: four at once).
      assert.ok(ms >= 3 * 400 - 50, `six flows took ${Math.round(ms)} ms`);
      assert.equal((await db.pool.query("SELECT 1 FROM request_slots WHERE scope = 'provider:capped'")).rowCount, 0, 'every place given back');
    } finally {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    }
  });
});
