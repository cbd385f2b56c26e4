/**
 * `npm run bench:flows`: allocate latency idle, then while 200 registration flows run
 * against the sandbox upstream (its own process, 1 s latency per call, so each flow
 * lasts about 4 s). The busy run starts once the threads are up and a first wave of
 * flows has finished. Server, sandbox and load generator are separate processes. Prints
 * figures; never fails on a time.
 *
 *   BENCH_SECONDS=10 BENCH_FLOWS=200 npm run bench:flows
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../src/store/embedded.ts';
import { client, seedPool } from '../support/servers.ts';
import { printResults, runPairs, startBenchServer } from './allocate.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const flows = Number(process.env.BENCH_FLOWS ?? 200);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);

const port = await freePort();
const sandbox = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/main.ts'], { env: { ...process.env, SANDBOX_PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((ok) => sandbox.stdout!.on('data', (d: Buffer) => String(d).includes('listening') && ok()));
const sandboxUrl = `http://127.0.0.1:${port}`;
const providers = JSON.stringify({ sandbox: { use: 'sandbox', options: { baseUrl: sandboxUrl }, limits: { maxConcurrency: flows } } });
const server = await startBenchServer({ ROSTER_PROVIDERS: providers, ROSTER_FLOW_THREADS: String(flows), ROSTER_SCHEDULER_INTERVAL_MS: '3600000', ...(process.env.ROSTER_FLOW_NICE ? { ROSTER_FLOW_NICE: process.env.ROSTER_FLOW_NICE } : {}) });
try {
  await seedPool(server.url, server.token, 'bench', 1000);
  await sleep(1000);
  await runPairs(server, 'bench', 16, 2); // warm-up
  const idle = await runPairs(server, 'bench', connections, seconds);

  const c = client(server.url, server.token, 4);
  await fetch(`${sandboxUrl}/_sandbox/switches`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ latencyMs: 1000 }) });
  await c.call('POST', '/v1/pools', { poolId: 'reg', name: 'Registration', providerId: 'sandbox', maxSize: 100000 });
  const count = Math.ceil(flows * (seconds + 90) / 3);
  const lines = Array.from({ length: count }, (_, i) => `bench${i}@example.test:password-${i}`).join('\n');
  await c.call('POST', '/v1/pools/reg/identities', { lines });
  const job = await c.call('POST', '/v1/pools/reg/jobs', { concurrency: flows, retries: 1 });
  // Measure in the steady state: every thread started and a first wave of flows done.
  let active = 0;
  for (let i = 0; i < 240; i++) {
    await sleep(500);
    active = (await c.call('GET', '/v1/flows')).body.active;
    const attempts = (await c.call('GET', `/v1/jobs/${job.body.jobId}`)).body.counts?.attempts ?? 0;
    if (attempts >= flows && active >= flows * 0.95) break;
  }
  const busy = await runPairs(server, 'bench', connections, seconds);
  const after = (await c.call('GET', '/v1/flows')).body;
  const progress = (await c.call('GET', `/v1/jobs/${job.body.jobId}`)).body.counts;
  await c.pool.close();
  printResults(`allocate+release, 1000 accounts, ${seconds} s per row: idle, then with registration flows running`, [idle, busy]);
  console.log(`\nflows active when the busy run started: ${active}; at its end: ${after.active} (threads ${after.threads})`);
  console.log(`registration job meanwhile: ${JSON.stringify(progress)}`);
  console.log(`p99 ratio busy/idle: ${(busy.p99 / idle.p99).toFixed(2)}`);
} finally {
  await server.stop();
  sandbox.kill();
}
