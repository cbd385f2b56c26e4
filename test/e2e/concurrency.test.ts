/**
 * Three server processes on one PostgreSQL; 200 clients allocate, renew and release for
 * ROSTER_E2E_SECONDS (30 by default), each call to a server picked at random. Then the log
 * is replayed: no account was ever leased to two live sessions, and every allocation
 * acknowledged to a client is in the log as acknowledged.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { testDatabase, type TestDatabase } from '../support/db.ts';
import { checkAcks, type Ack } from '../support/ledger.ts';
import { client, newToken, seedPool, spawnServer, type ServerProcess } from '../support/servers.ts';

const seconds = Number(process.env.ROSTER_E2E_SECONDS ?? 30);

describe('three servers, 200 clients', { timeout: (seconds + 120) * 1000 }, () => {
  let db: TestDatabase;
  const servers: ServerProcess[] = [];
  const token = newToken();

  before(async () => {
    db = await testDatabase({ migrate: false });
    const env = { ROSTER_DATABASE_URL: db.url, ROSTER_MASTER_KEY: randomBytes(32).toString('hex'), ROSTER_ADMIN_TOKEN: token, ROSTER_REAPER_INTERVAL_MS: '200' };
    servers.push(await spawnServer(env));
    servers.push(...(await Promise.all([spawnServer(env), spawnServer(env)])));
    await seedPool(servers[0]!.url, token, 'c', 300, { defaultLeaseTtlMs: 3000, maxLeaseTtlMs: 10_000 });
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  });

  it('never leases an account to two live sessions and loses no acknowledged allocation', async (t) => {
    const clients = servers.map((s) => client(s.url, token, 80));
    const any = () => clients[Math.floor(Math.random() * clients.length)]!;
    const acks: Ack[] = [];
    const errors: string[] = [];
    const counts = { allocated: 0, busy: 0, renewed: 0, released: 0, abandoned: 0 };
    const until = Date.now() + seconds * 1000;
    await Promise.all(Array.from({ length: 200 }, async () => {
      while (Date.now() < until) {
        const a = await any().call('POST', '/v1/pools/c/sessions', { count: Math.random() < 0.2 ? 2 : 1, waitMs: 200 });
        if (a.status === 503) {
          counts.busy++;
          continue;
        }
        if (a.status !== 201) {
          errors.push(`allocate ${a.status} ${JSON.stringify(a.body)}`);
          continue;
        }
        counts.allocated++;
        acks.push({ sessionId: a.body.sessionId, leases: a.body.leases.map((l: Ack['leases'][0]) => ({ accountId: l.accountId, fence: l.fence })) });
        const path = `/v1/pools/c/sessions/${a.body.sessionId}`;
        const leaseSecret = a.body.leaseSecret;
        if (Math.random() < 0.3) {
          const r = await any().call('POST', `${path}/renew`, { leaseSecret, ttlMs: 4000 });
          if (r.status === 200) counts.renewed++;
          else if (r.status !== 409) errors.push(`renew ${r.status} ${JSON.stringify(r.body)}`);
        }
        await sleep(Math.random() * 20);
        if (Math.random() < 0.05) {
          counts.abandoned++; // left for the reaper to expire
          continue;
        }
        const r = await any().call('POST', `${path}/release`, { leaseSecret });
        if (r.status === 200) counts.released++;
        else if (r.status !== 409) errors.push(`release ${r.status} ${JSON.stringify(r.body)}`);
      }
    }));
    await Promise.all(clients.map((c) => c.pool.close()));
    const { rows, missing, audit } = await checkAcks(db, 'c', acks);
    t.diagnostic(`${seconds}s: ${JSON.stringify(counts)}; ${rows.length} ledger events; ${errors.length} errors`);
    assert.deepEqual(errors.slice(0, 5), []);
    assert.ok(counts.allocated > 1000, `a real load: ${counts.allocated} allocations`);
    assert.ok(counts.abandoned > 0 && counts.renewed > 0);
    assert.deepEqual(audit.violations.slice(0, 5), []);
    assert.equal(missing.length, 0, `acknowledged but not in the log: ${missing.slice(0, 3).map((m) => m.sessionId)}`);
    assert.equal(audit.sessions, acks.length, 'every allocation in the log was acknowledged to someone');
  });
});
