/**
 * `npm run bench:flows`: allocate latency idle, then while 200 registration flows run
 * against the sandbox upstream (its own process, 1 s latency on each of the three calls
 * a flow waits for: sign-up, verify, login; so a flow lasts about 3 s and 200 flows make
 * some 65 registrations a second), in rounds: idle, busy, then the job paused and drained (idle),
 * resumed (busy), and so on, so that drift on a shared machine falls on both sides. A
 * busy run starts once the threads are up and a wave of flows has finished. Server,
 * sandbox and load generator are separate processes. Prints figures, and the p99 of all
 * idle and all busy allocations; never fails on a time.
 *
 * Each round runs a row per connection count (`BENCH_CONNECTIONS`, a comma list; the core
 * bench's counts are 1,16,64); the p99 ratio is given per count.
 *
 *   BENCH_SECONDS=10 BENCH_FLOWS=200 BENCH_ROUNDS=2 BENCH_CONNECTIONS=1,16,64 npm run bench:flows
 *
 * `BENCH_UPSTREAM_LATENCY_MS` (1000) sets the sandbox's latency per call: 3000 gives some
 * 22 registrations a second from the same 200 flows. `ROSTER_FLOW_NICE` and
 * `ROSTER_FLOW_PACING_WAIT` pass to the server; it prints the registrations a second
 * during the busy runs and the pace at the end of each.
 *
 * `BENCH_REGISTRATION_NODE=1` runs the job on a second Roster node instead (same embedded
 * PostgreSQL, every thread at nice 10, started first so that it also holds the
 * projections), so that the node that serves the allocations does no registration work.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmbeddedPostgres } from '../../src/store/embedded.ts';
import { client, newToken, seedPool, spawnSandbox, spawnServer, type ServerProcess } from '../support/servers.ts';
import { percentile, printResults, runPairs, startBenchServer, type BenchServer, type PairResult } from './allocate.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const flows = Number(process.env.BENCH_FLOWS ?? 200);
const connectionCounts = (process.env.BENCH_CONNECTIONS ?? '1,16,64').split(',').map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const sandboxNice = Number(process.env.BENCH_SANDBOX_NICE ?? 0);
const upstreamLatencyMs = Number(process.env.BENCH_UPSTREAM_LATENCY_MS ?? 1000);

const { url: sandboxUrl, child: sandbox } = await spawnSandbox(upstreamLatencyMs);
// The sandbox stands in for an upstream on other machines; BENCH_SANDBOX_NICE=19 keeps its own CPU from counting against Roster here.
if (sandboxNice) setPriority(sandbox.pid!, sandboxNice);
const providers = JSON.stringify({ sandbox: { use: 'sandbox', options: { baseUrl: sandboxUrl }, limits: { maxConcurrency: flows } } });
const env = { ROSTER_PROVIDERS: providers, ROSTER_FLOWS_PER_THREAD: String(Math.ceil(flows / 4)), ROSTER_SCHEDULER_INTERVAL_MS: '3600000', ...(process.env.ROSTER_FLOW_NICE ? { ROSTER_FLOW_NICE: process.env.ROSTER_FLOW_NICE } : {}),
  ...(process.env.ROSTER_FLOW_PACING_WAIT ? { ROSTER_FLOW_PACING_WAIT: process.env.ROSTER_FLOW_PACING_WAIT } : {}) };
const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean);
const { server, registrar } = await (process.env.BENCH_REGISTRATION_NODE === '1'
  ? startTwoNodes()
  : startBenchServer(env, nodeArgs).then((one) => ({ server: one, registrar: one }))
).catch((e: unknown) => {
  sandbox.kill();
  throw e;
});

/** A registration node (started first, all its threads at nice 10) and a serving node on one embedded PostgreSQL. */
async function startTwoNodes(): Promise<{ server: BenchServer; registrar: BenchServer }> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-bench-'));
  await chmod(dir, 0o755);
  const db = await startEmbeddedPostgres(join(dir, 'db'));
  const token = newToken();
  const shared = { ...env, ROSTER_DATABASE_URL: db.url, ROSTER_MASTER_KEY: randomBytes(32).toString('hex'), ROSTER_ADMIN_TOKEN: token };
  const nodes: ServerProcess[] = [];
  const stopAll = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    nodes.push(await spawnServer({ ...shared, ROSTER_DATA_DIR: join(dir, 'registrar') }, nodeArgs));
    // Threads started later inherit the nice of the thread that starts them; flow threads then go to 19.
    for (const tid of await readdir(`/proc/${nodes[0]!.child.pid}/task`)) setPriority(Number(tid), 10);
    nodes.push(await spawnServer({ ...shared, ROSTER_DATA_DIR: join(dir, 'server'), ROSTER_FLOW_THREADS: '4' }, nodeArgs));
  } catch (e) {
    await stopAll();
    throw e;
  }
  const [registering, serving] = nodes as [ServerProcess, ServerProcess];
  return {
    server: { url: serving.url, token, pid: serving.child.pid!, stop: stopAll },
    registrar: { url: registering.url, token, pid: registering.child.pid!, stop: stopAll },
  };
}

try {
  await seedPool(server.url, server.token, 'bench', 1000);
  await sleep(1000);
  await runPairs(server, 'bench', 64, 5); // warm-up
  const c = client(registrar.url, registrar.token, 4);
  await c.call('POST', '/v1/pools', { poolId: 'reg', name: 'Registration', providerId: 'sandbox', maxSize: 1_000_000 });
  const count = Math.ceil(flows * (rounds * (connectionCounts.length * seconds + 30) + 60) / 3);
  for (let i = 0; i < count; i += 10_000) {
    const lines = Array.from({ length: Math.min(10_000, count - i) }, (_, j) => `bench${i + j}@example.test:password-${i + j}`).join('\n');
    await c.call('POST', '/v1/pools/reg/identities', { lines });
  }
  const active = async () => (await c.call('GET', '/v1/flows')).body.active as number;
  const idle: PairResult[][] = [];
  const busy: PairResult[][] = [];
  const runRows = async () => {
    const rows: PairResult[] = [];
    for (const n of connectionCounts) rows.push(await runPairs(server, 'bench', n, seconds));
    return rows;
  };
  const activeAtStart: number[] = [];
  const threadsAtStart: number[] = [];
  const succeeded = async () => ((await c.call('GET', `/v1/jobs/${jobId}`)).body.counts?.succeeded ?? 0) as number;
  const busyRates: number[] = [];
  const pacing: unknown[] = [];
  let jobId: string | undefined;
  for (let round = 0; round < rounds; round++) {
    // Idle: no job yet, or the job paused and its flows drained.
    if (jobId) {
      const paused = await c.call('POST', `/v1/jobs/${jobId}/pause`, {});
      if (paused.status !== 200) throw new Error(`pause: ${JSON.stringify(paused.body)}`);
      for (let i = 0; (await active()) > 0; i++) {
        if (i > 240) throw new Error('the paused job\'s flows did not drain');
        await sleep(250);
      }
    }
    idle.push(await runRows());
    if (!jobId) jobId = (await c.call('POST', '/v1/pools/reg/jobs', { concurrency: flows, retries: 1 })).body.jobId as string;
    else if ((await c.call('POST', `/v1/jobs/${jobId}/resume`, {})).status !== 200) throw new Error('resume failed');
    // Busy: every thread started and a first wave of flows done.
    const attemptsBefore = (await c.call('GET', `/v1/jobs/${jobId}`)).body.counts?.attempts ?? 0;
    let now = 0;
    for (let i = 0; i < 240; i++) {
      await sleep(500);
      now = await active();
      const attempts = (await c.call('GET', `/v1/jobs/${jobId}`)).body.counts?.attempts ?? 0;
      if (attempts - attemptsBefore >= flows && now >= flows * 0.95) break;
    }
    activeAtStart.push(now);
    threadsAtStart.push((await c.call('GET', '/v1/flows')).body.threads);
    const [before, started] = [await succeeded(), performance.now()];
    busy.push(await runRows());
    busyRates.push((await succeeded() - before) / ((performance.now() - started) / 1000));
    pacing.push((await c.call('GET', '/v1/flows')).body.pacing);
  }
  const progress = (await c.call('GET', `/v1/jobs/${jobId}`)).body.counts;
  await c.pool.close();
  printResults(`allocate+release, 1000 accounts, ${seconds} s per row: idle and with ${flows} registration flows running, ${rounds} rounds`,
    idle.flatMap((r, i) => [...r, ...busy[i]!]));
  const pooled = (rs: PairResult[][], n: number) =>
    percentile(rs.flat().filter((r) => r.connections === n).flatMap((r) => r.latencies).sort((x, y) => x - y), 99);
  console.log(`\nflows active when each busy run started: ${activeAtStart.join(', ')} (registration threads ${threadsAtStart.join(', ')})`);
  console.log(`registrations a second during each busy run: ${busyRates.map((r) => r.toFixed(1)).join(', ')}`);
  console.log(`pacing at the end of each busy run: ${pacing.map((p) => JSON.stringify(p)).join(', ')}`);
  console.log(`registration job by the end: ${JSON.stringify(progress)}`);
  for (const n of connectionCounts) {
    const [i, b] = [pooled(idle, n), pooled(busy, n)];
    console.log(`p99 over all rounds, ${n} connections: idle ${i.toFixed(2)} ms, busy ${b.toFixed(2)} ms, ratio ${(b / i).toFixed(2)}`);
  }
} finally {
  await server.stop();
  sandbox.kill();
}
