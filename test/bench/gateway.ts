/**
 * `npm run bench:gateway`: the same load generator against the sandbox upstream directly
 * and through the gateway, interleaved in one run: added latency (p50, p99) at 1
 * connection, throughput at 64 connections, time to first byte of streams, and the
 * gateway's usage count checked against the requests sent. At 64 connections the same
 * load also goes through the floor (`proxy-floor.ts`: a bare fastify + undici forwarder),
 * so the gateway's rate reads against what any Node forwarder gets here, and through the
 * node:http floor (`proxy-floor-node.ts`: bytes in, bytes out, no framework), the least Node does. Roster runs as `npm start`
 * does (embedded PostgreSQL, fsync on); the sandbox in its own process. Prints figures;
 * never fails on a time.
 *
 *   BENCH_SECONDS=10 BENCH_ROUNDS=2 npm run bench:gateway
 *   BENCH_ACCOUNTS=100000 BENCH_STRATEGY=lru npm run bench:gateway   # a large pool
 *   BENCH_EXCLUSIVE=1 npm run bench:gateway   # an exclusive pool: the gateway claims its accounts
 *   BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:gateway   # profile the server
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { freePort } from '../../src/store/embedded.ts';
import { client, spawnSandbox, spawnServer } from '../support/servers.ts';
import { cpuOf, percentile, startBenchServer } from './allocate.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 16);
const STRATEGY = process.env.BENCH_STRATEGY ?? 'round_robin';
const EXCLUSIVE = process.env.BENCH_EXCLUSIVE === '1';

interface Run { requests: number; perSecond: number; p50: number; p99: number; errors: number; cpuUs?: number }

/** A run of `load`, with the CPU microseconds the process `pid` spent per request answered. */
async function loadOn(pid: number, ...args: Parameters<typeof load>): Promise<Run> {
  const before = await cpuOf(pid);
  const run = await load(...args);
  return { ...run, cpuUs: ((await cpuOf(pid)) - before) * 1e6 / Math.max(1, run.requests) };
}

/** `connections` loops posting `body` to `url` + `path` for `seconds`, timing each whole answer (or its first byte). */
async function load(url: string, key: string, connections: number, path: string, body: object, firstByte = false): Promise<Run> {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const payload = JSON.stringify(body);
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      const res = await pool.request({ method: 'POST', path, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: payload });
      let first = 0;
      for await (const _chunk of res.body) if (!first) first = performance.now();
      const elapsed = (firstByte ? first : performance.now()) - t0;
      if (res.statusCode === 200) latencies.push(elapsed);
      else errors++;
    }
  }));
  const wall = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, perSecond: latencies.length / wall, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

async function main(): Promise<void> {
  const sandbox = await spawnSandbox(0);
  const gatewayPort = await freePort();
  const routes = { small: { pools: ['gw'], upstreamModel: 'sandbox-small' } };
  const server = await startBenchServer({
    ROSTER_PROVIDERS: JSON.stringify({ sb: { use: 'sandbox', options: { baseUrl: sandbox.url } } }), ROSTER_GATEWAY_ROUTES: JSON.stringify(routes),
    ROSTER_GATEWAY_PORT: String(gatewayPort), ROSTER_GATEWAY_MAX_IN_FLIGHT: '64',
  }, process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []);
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const floor = await spawnServer({ FLOOR_UPSTREAM: sandbox.url }, [], ['--import', 'tsx', 'test/bench/proxy-floor.ts']);
  const nodeFloor = await spawnServer({ FLOOR_UPSTREAM: sandbox.url }, [], ['--import', 'tsx', 'test/bench/proxy-floor-node.ts']);
  try {
    const admin = client(server.url, server.token, 4);
    await admin.call('POST', '/v1/pools', { poolId: 'gw', name: 'Gateway', providerId: 'sb', strategy: STRATEGY, exclusive: EXCLUSIVE });
    const upstreamKeys = Array.from({ length: ACCOUNTS }, (_, i) => `sk-sandbox-bench-${i}`);
    for (let i = 0; i < ACCOUNTS; i += 1000) {
      await admin.call('POST', '/v1/pools/gw/accounts', { accounts: upstreamKeys.slice(i, i + 1000).map((k, j) => ({ login: `bench${i + j}@example.test`, accessToken: k })) });
    }
    const user = { email: 'bench@example.test', password: 'bench password 1' };
    const open = client(server.url, '', 1);
    await open.call('POST', '/v1/auth/register', user);
    const code = /code: (\S+)/.exec((await admin.call('GET', `/v1/mail?to=${user.email}`)).body.items[0].text)![1];
    await open.call('POST', '/v1/auth/verify', { code });
    const access = (await open.call('POST', '/v1/auth/login', user)).body.accessToken;
    const key = (await client(server.url, access, 1).call('POST', '/v1/keys', { name: 'bench' })).body.key as string;
    const chat = { model: 'small', messages: [{ role: 'user', content: 'a short benchmark prompt of some words' }] };
    const direct = { ...chat, model: 'sandbox-small' };
    // Warm both paths.
    await load(sandbox.url, upstreamKeys[0]!, 4, '/v1/chat/completions', direct);
    const warm = await load(gatewayUrl, key, 4, '/v1/chat/completions', chat);

    const rows: Array<{ what: string; direct: Run; gateway: Run; floor?: Run; nodeFloor?: Run }> = [];
    let sentThroughGateway = warm.requests + warm.errors;
    for (let round = 0; round < rounds; round++) {
      for (const [what, connections, stream] of [['1 connection', 1, false], ['64 connections', 64, false], ['stream, first byte, 1 connection', 1, true]] as const) {
        const d = await load(sandbox.url, upstreamKeys[round % ACCOUNTS]!, connections, '/v1/chat/completions', { ...direct, stream }, stream);
        const g = await loadOn(server.pid, gatewayUrl, key, connections, '/v1/chat/completions', { ...chat, stream }, stream);
        sentThroughGateway += g.requests + g.errors;
        const f = connections > 1 ? await loadOn(floor.child.pid!, floor.url, key, connections, '/v1/chat/completions', chat) : undefined;
        const n = connections > 1 ? await loadOn(nodeFloor.child.pid!, nodeFloor.url, key, connections, '/v1/chat/completions', direct) : undefined;
        rows.push({ what: `${what} (round ${round + 1})`, direct: d, gateway: g, ...(f ? { floor: f } : {}), ...(n ? { nodeFloor: n } : {}) });
      }
    }
    // Usage as counted: every request sent through the gateway, once the meter has flushed and the read model caught up.
    let counted = 0;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      const items = (await admin.call('GET', '/v1/usage/gateway')).body.items as Array<{ requests: number }>;
      counted = items.reduce((n, r) => n + r.requests, 0);
      if (counted >= sentThroughGateway) break;
    }
    console.log(`\nbench:gateway, ${seconds} s per cell, ${rounds} rounds interleaved; ${ACCOUNTS} upstream accounts (${STRATEGY}${EXCLUSIVE ? ', exclusive' : ''}); sandbox in its own process\n`);
    console.log('(gateway CPU: the Roster process\'s CPU µs per request answered; floor CPU: the floor process\'s; node:http floor: req/s, share of direct, CPU µs/req)');
    console.log('| load | direct req/s | gateway req/s | share | floor req/s | share of floor | node:http floor | gateway CPU µs/req | floor CPU µs/req | direct p50 ms | gateway p50 ms | added p50 ms | direct p99 ms | gateway p99 ms | added p99 ms | errors |');
    console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    const share = (run: Run, of: Run) => `${((100 * run.perSecond) / of.perSecond).toFixed(0)}%`;
    for (const r of rows) {
      const node = r.nodeFloor ? `${r.nodeFloor.perSecond.toFixed(0)}, ${share(r.nodeFloor, r.direct)}, ${r.nodeFloor.cpuUs!.toFixed(0)} µs` : '';
      console.log(`| ${r.what} | ${r.direct.perSecond.toFixed(0)} | ${r.gateway.perSecond.toFixed(0)} | ${share(r.gateway, r.direct)} | ${r.floor ? r.floor.perSecond.toFixed(0) : ''} | ${r.floor ? share(r.gateway, r.floor) : ''} | ${node} | `
        + `${r.gateway.cpuUs!.toFixed(0)} | ${r.floor ? r.floor.cpuUs!.toFixed(0) : ''} | ${r.direct.p50.toFixed(2)} | ${r.gateway.p50.toFixed(2)} | ${(r.gateway.p50 - r.direct.p50).toFixed(2)} | ${r.direct.p99.toFixed(2)} | ${r.gateway.p99.toFixed(2)} | ${(r.gateway.p99 - r.direct.p99).toFixed(2)} | ${r.direct.errors}/${r.gateway.errors} |`);
    }
    console.log(`\nusage: ${sentThroughGateway} requests sent through the gateway (the warm-up's included); the usage read model counts ${counted}: ${counted === sentThroughGateway ? 'none lost, none extra' : `${sentThroughGateway - counted} missing`}`);
  } finally {
    await server.stop();
    await floor.stop();
    await nodeFloor.stop();
    sandbox.child.kill();
  }
}

await main();
