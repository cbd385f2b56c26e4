/**
 * `npm run bench:feed`: allocate+release pairs per second at 16 connections while idle feed
 * clients are connected, against a Roster server process on embedded PostgreSQL. Rounds,
 * interleaved: no feed clients; FEED_CLIENTS on `health,jobs` (allocations reach no
 * socket, only health); FEED_CLIENTS on every topic (each allocation and release reaches
 * every socket). Prints a table; never fails on a time.
 *
 *   BENCH_SECONDS=10 FEED_CLIENTS=500 BENCH_ROUNDS=2 npm run bench:feed
 */
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { runPairs, seedPool, startBenchServer, type BenchServer, type PairResult } from './allocate.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const feedClients = Number(process.env.FEED_CLIENTS ?? 500);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

/** `n` feed clients on `topics`, each counting what it receives. */
async function connectClients(server: BenchServer, n: number, topics: string): Promise<{ received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => new Promise<void>((ok, fail) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws?topics=${topics}`, { headers: { authorization: `Bearer ${server.token}` } });
      ws.on('message', () => received++);
      ws.once('open', () => ok());
      ws.once('error', fail);
      sockets.push(ws);
    })));
  }
  return {
    received: () => received,
    async close() {
      await Promise.all(sockets.map((ws) => new Promise<void>((r) => {
        ws.once('close', () => r());
        ws.close();
      })));
    },
  };
}

const server = await startBenchServer();
try {
  await seedPool(server.url, server.token, 'bench', 1000);
  await sleep(1000);
  await runPairs(server, 'bench', 16, 2); // warm-up
  const rows: Array<{ setup: string; result: PairResult; messages: number }> = [];
  for (let round = 0; round < rounds; round++) {
    for (const [setup, topics] of [['no feed clients', ''], [`${feedClients} clients on health,jobs`, 'health,jobs'], [`${feedClients} clients on every topic`, 'events,health,jobs']] as const) {
      const clients = topics ? await connectClients(server, feedClients, topics) : undefined;
      await sleep(500);
      const before = clients?.received() ?? 0;
      const result = await runPairs(server, 'bench', 16, seconds);
      rows.push({ setup, result, messages: (clients?.received() ?? 0) - before });
      await clients?.close();
      await sleep(500);
    }
  }
  console.log(`\nallocate+release at 16 connections, 1000 accounts, ${seconds} s per row, ${rounds} interleaved rounds, embedded PostgreSQL (fsync on)`);
  console.log('| setup | pairs/s | allocate p50 (ms) | allocate p99 (ms) | errors | server CPU ms/pair | feed messages received |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { setup, result: r, messages } of rows) {
    console.log(`| ${setup} | ${r.pairsPerSecond.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} | ${r.serverCpuMs.toFixed(3)} | ${messages} |`);
  }
} finally {
  await server.stop();
}
