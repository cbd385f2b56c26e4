/**
 * `npm run bench:waiting`: what flows cost the server while they wait on a slow upstream.
 * Starts a Roster server process and the sandbox upstream (its own process) with a latency
 * longer than the bench (60 s a call), measures the server's CPU for `BENCH_SECONDS` with
 * no job, then again once a job has all `BENCH_FLOWS` (200) flows waiting on the upstream
 * (30 s after they all started).
 * CPU comes from `/proc/<pid>/task/*` and is split by thread: the main thread, the
 * registration flow threads (those at `ROSTER_FLOW_NICE`, 19) and every other thread (V8's
 * helpers, libuv's, the upkeep flow threads). Prints CPU milliseconds per second, the
 * threads and the server's RSS. Flows share `ROSTER_FLOW_THREADS` threads (4 unless set).
 *
 *   BENCH_SECONDS=10 BENCH_FLOWS=200 npm run bench:waiting
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { client, spawnSandbox } from '../support/servers.ts';
import { rssMb, startBenchServer } from './allocate.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const flows = Number(process.env.BENCH_FLOWS ?? 200);

const threads = Number(process.env.ROSTER_FLOW_THREADS ?? 4);

type Split = { main: number; flowThreads: number; other: number };

/** CPU seconds so far of each of the process's threads, split by kind. */
async function threadCpu(pid: number): Promise<Split> {
  const split: Split = { main: 0, flowThreads: 0, other: 0 };
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8').catch(() => '');
    if (!stat) continue; // the thread ended
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(f[11]) + Number(f[12])) / 100;
    split[tid === String(pid) ? 'main' : Number(f[16]) === 19 ? 'flowThreads' : 'other'] += cpu;
  }
  return split;
}

/** CPU milliseconds per second of each kind over `seconds` (threads that end meanwhile are not counted). */
async function measure(pid: number): Promise<Split> {
  const before = await threadCpu(pid);
  await sleep(seconds * 1000);
  const after = await threadCpu(pid);
  const rate = (k: keyof Split) => Math.max(0, ((after[k] - before[k]) * 1000) / seconds);
  return { main: rate('main'), flowThreads: rate('flowThreads'), other: rate('other') };
}

const sandbox = await spawnSandbox(60_000);
const providers = JSON.stringify({ sandbox: { use: 'sandbox', options: { baseUrl: sandbox.url }, limits: { maxConcurrency: flows } } });
const server = await startBenchServer({ ROSTER_PROVIDERS: providers, ROSTER_FLOW_THREADS: String(threads), ROSTER_FLOWS_PER_THREAD: String(Math.ceil(flows / threads)), ROSTER_FLOW_TIMEOUT_MS: '600000', ROSTER_SCHEDULER_INTERVAL_MS: '3600000' })
  .catch((e: unknown) => {
    sandbox.child.kill();
    throw e;
  });
try {
  const c = client(server.url, server.token, 4);
  await c.call('POST', '/v1/pools', { poolId: 'reg', name: 'Registration', providerId: 'sandbox', maxSize: 1_000_000 });
  const lines = Array.from({ length: flows * 2 }, (_, i) => `waiting${i}@example.test:password-${i}`).join('\n');
  await c.call('POST', '/v1/pools/reg/identities', { lines });
  await sleep(2000);
  const rows: Array<[string, Split, number, number]> = [['no job', await measure(server.pid), (await readdir(`/proc/${server.pid}/task`)).length, await rssMb(server.pid)]];
  await c.call('POST', '/v1/pools/reg/jobs', { concurrency: flows, retries: 1 });
  for (let i = 0; (await c.call('GET', '/v1/flows')).body.active < flows; i++) {
    if (i > 120) throw new Error('the flows did not all start');
    await sleep(500);
  }
  await sleep(10_000); // every thread started and every flow sent its first call
  rows.push([`${flows} flows waiting`, await measure(server.pid), (await readdir(`/proc/${server.pid}/task`)).length, await rssMb(server.pid)]);
  await c.pool.close();
  console.log(`\nserver CPU, ms per second, over ${seconds} s; the upstream answers each call after 60 s\n`);
  console.log('| state | main thread | flow threads (nice 19) | other threads | total | threads in the process | RSS (MB) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [state, s, tasks, rss] of rows) {
    console.log(`| ${state} | ${s.main.toFixed(1)} | ${s.flowThreads.toFixed(1)} | ${s.other.toFixed(1)} | ${(s.main + s.flowThreads + s.other).toFixed(1)} | ${tasks} | ${rss.toFixed(0)} |`);
  }
} finally {
  await server.stop();
  sandbox.child.kill();
}
