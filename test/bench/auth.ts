/**
 * `npm run bench:auth`: sign-in throughput against a Roster server process on embedded
 * PostgreSQL (as `npm start` runs it): logins, refreshes (each connection rotating its
 * own token), and requests authenticated by an access token and by an API key, at 16
 * connections; and the cost of one argon2id hash with Roster's parameters. Prints figures;
 * never fails on a time.
 *
 *   BENCH_SECONDS=10 BENCH_CONNECTIONS=16 npm run bench:auth
 */
import argon2 from 'argon2';
import { performance } from 'node:perf_hooks';
import { ARGON2_OPTIONS } from '../../src/store/passwords.ts';
import { client } from '../support/servers.ts';
import { percentile, startBenchServer } from './allocate.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);

interface Phase { name: string; requests: number; perSecond: number; p50: number; p99: number; failures: number }

/** Runs `step(i)` in a loop on each of `connections` workers for `seconds`; step answers whether it worked. */
async function phase(name: string, step: (i: number) => Promise<boolean>): Promise<Phase> {
  const latencies: number[] = [];
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, async (_, i) => {
    while (performance.now() < end) {
      const t0 = performance.now();
      if (await step(i)) latencies.push(performance.now() - t0);
      else failures++;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { name, requests: latencies.length, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

async function main(): Promise<void> {
  const hashes: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await argon2.hash(`password ${i}`, ARGON2_OPTIONS);
    hashes.push(performance.now() - t0);
  }
  const server = await startBenchServer({ ROSTER_MAIL_REQUESTS_PER_IP: '1000000' });
  try {
    const admin = client(server.url, server.token, connections);
    const open = client(server.url, '', connections);
    const users = Array.from({ length: connections }, (_, i) => ({ email: `bench${i}@example.test`, password: `bench password ${i}` }));
    for (const u of users) {
      await open.call('POST', '/v1/auth/register', u);
      const mail = (await admin.call('GET', `/v1/mail?to=${u.email}`)).body.items[0];
      const code = /code: (\S+)/.exec(mail.text)![1];
      const verified = await open.call('POST', '/v1/auth/verify', { code });
      if (verified.status !== 200) throw new Error(`verify: ${JSON.stringify(verified.body)}`);
    }
    const login = async (i: number) => open.call('POST', '/v1/auth/login', users[i]);
    const phases: Phase[] = [];
    phases.push(await phase('login (argon2id verify)', async (i) => (await login(i)).status === 200));

    const refresh = await Promise.all(users.map(async (_, i) => (await login(i)).body.refreshToken as string));
    phases.push(await phase('refresh (rotation)', async (i) => {
      const r = await open.call('POST', '/v1/auth/refresh', { refreshToken: refresh[i] });
      if (r.status === 200) refresh[i] = r.body.refreshToken;
      return r.status === 200;
    }));

    const access = await Promise.all(users.map(async (_, i) => client(server.url, (await login(i)).body.accessToken, 1)));
    phases.push(await phase('GET /v1/auth/me with an access token', async (i) => (await access[i]!.call('GET', '/v1/auth/me')).status === 200));
    const keyed = await Promise.all(access.map(async (c) => client(server.url, (await c.call('POST', '/v1/keys', { name: 'bench' })).body.key, 1)));
    phases.push(await phase('GET /v1/auth/me with an API key', async (i) => (await keyed[i]!.call('GET', '/v1/auth/me')).status === 200));
    for (const c of [admin, open, ...access, ...keyed]) await c.pool.close();

    const mean = hashes.reduce((a, b) => a + b, 0) / hashes.length;
    console.log(`\nbench:auth, ${connections} connections, ${seconds} s per phase; argon2id m=${ARGON2_OPTIONS.memoryCost} KiB t=${ARGON2_OPTIONS.timeCost} p=${ARGON2_OPTIONS.parallelism}: ${mean.toFixed(1)} ms per hash (mean of 10, one thread)\n`);
    console.log('| phase | requests/s | p50 ms | p99 ms | refused |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const p of phases) console.log(`| ${p.name} | ${p.perSecond.toFixed(0)} | ${p.p50.toFixed(1)} | ${p.p99.toFixed(1)} | ${p.failures} |`);
  } finally {
    await server.stop();
  }
}

await main();
