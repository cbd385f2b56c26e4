import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { SecretVault } from '../../src/store/secrets.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

/** Scans everything Roster wrote for each plaintext secret the run used. */
describe('secrets never leave the vault', () => {
  let t: TestRoster;
  const secrets = ['pw-Zq81-ann', 'at-Xk29-bob', 'rt-Wm55-bob', 'id-Qv77-bob', 'pw-Ll03-cy', 'rt-Ll03-cy'];
  const leaseSecrets: string[] = [];
  before(async () => { t = await startTestRoster({ ROSTER_LOG_LEVEL: 'trace' }); });
  after(async () => t.stop());

  it('keeps plaintext out of events, read models and logs through a full run', async () => {
    await t.call('POST', '/v1/pools', { poolId: 's', name: 'S' });
    await t.call('POST', '/v1/pools/s/accounts', {
      accounts: [{ login: 'ann@example.test', password: secrets[0] }, { login: 'bob@example.test', accessToken: secrets[1], refreshToken: secrets[2], idToken: secrets[3] }],
      lines: `cy@example.test:${secrets[4]}:${secrets[5]}`,
    });
    await t.call('PATCH', '/v1/pools/default', { minSize: 1 });
    await t.call('POST', '/v1/pools/default/accounts', { accounts: [{ login: 'dee@example.test', password: secrets[0] }] });
    const a = await t.call('POST', '/v1/pools/s/sessions', { count: 3 });
    assert.equal(a.status, 201);
    leaseSecrets.push(a.body.leaseSecret);
    const got = a.body.leases.map((l: { credentials: object }) => JSON.stringify(l.credentials)).join();
    for (const s of secrets) assert.ok(got.includes(s), 'the holder does get the credentials');
    await t.call('POST', `/v1/pools/s/sessions/${a.body.sessionId}/renew`, { leaseSecret: a.body.leaseSecret });
    await t.call('POST', `/v1/pools/s/sessions/${a.body.sessionId}/release`, { leaseSecret: a.body.leaseSecret });
    const compat = await t.call('POST', '/api/accounts/allocate', {});
    leaseSecrets.push(compat.body.lease_secret);
    await t.call('GET', '/api/accounts/dee@example.test');
    await t.call('POST', '/api/accounts/release', { session_id: compat.body.session_id });
    const retire = await t.call('POST', `/v1/accounts/${a.body.leases[0].accountId}/retire`, { reason: 'done' });
    await t.call('GET', `/v1/accounts?position=${retire.body.position}`);

    const dumps: string[] = [];
    for (const table of ['events', 'streams', 'rm_accounts', 'rm_sessions', 'rm_pools', 'projection_checkpoints', 'admin_tokens']) {
      const { rows } = await t.db.pool.query(`SELECT * FROM ${table}`);
      assert.ok(rows.length > 0 || table === 'admin_tokens', `${table} has rows to scan`);
      dumps.push(JSON.stringify(rows));
    }
    const { rows: secretRows } = await t.db.pool.query('SELECT payload::text FROM secrets');
    dumps.push(JSON.stringify(secretRows));
    const logs = t.logs.join('\n');
    assert.ok(t.logs.length > 10, 'the run logged');
    for (const secret of [...secrets, ...leaseSecrets, t.token]) {
      for (const [i, dump] of dumps.entries()) assert.equal(dump.includes(secret), false, `secret found in dump ${i}`);
      assert.equal(logs.includes(secret), false, 'secret found in the logs');
    }
  });

  it('retiring an account shreds its key: its secrets can no longer be read', async () => {
    const { rows } = await t.db.pool.query("SELECT account_id FROM rm_accounts WHERE status = 'retired'");
    assert.equal(rows.length, 1);
    assert.equal(await t.roster.services.vault.get(rows[0].account_id), null);
    const { rows: keys } = await t.db.pool.query('SELECT wrapped_key FROM secrets WHERE account_id = $1', [rows[0].account_id]);
    assert.equal(keys[0].wrapped_key, null);
  });

  it('keeps at most cacheSize accounts\' opened credentials in memory, least recently used out first', async () => {
    const vault = new SecretVault(t.db.pool, randomBytes(32), { cacheSize: 2 });
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await vault.putMany([[a, { password: 'pa' }], [b, { password: 'pb' }], [c, { password: 'pc' }]]);
    await vault.getMany([a, b]);
    await vault.getMany([a]); // a is now the most recently used
    await vault.getMany([c]); // c comes in, b (least recently used) goes out
    // Shred all three behind the vault's back: only what it no longer holds reads as shredded.
    await t.db.pool.query("UPDATE secrets SET wrapped_key = NULL WHERE account_id = ANY($1::uuid[])", [[a, b, c]]);
    const read = await vault.getMany([a, b, c]);
    assert.deepEqual([read.get(a), read.get(b), read.get(c)], [{ password: 'pa' }, null, { password: 'pc' }]);
  });

  it('holds the service\'s opened credentials to ROSTER_SECRET_CACHE_SIZE', async () => {
    const small = await startTestRoster({ ROSTER_SECRET_CACHE_SIZE: '3' });
    try {
      const { vault } = small.roster.services;
      const ids = Array.from({ length: 5 }, () => randomUUID());
      await vault.putMany(ids.map((id, i) => [id, { password: `p${i}` }]));
      assert.equal((await vault.getMany(ids)).size, 5);
      assert.deepEqual(ids.map((id) => vault.cached(id)), [false, false, true, true, true], 'the three read last stay open');
    } finally {
      await small.stop();
    }
  });

  it('does not keep what a read got when a write (through any of its pools) ended while it was under way', async () => {
    // The read's only connection is busy, so the read waits while another pool writes.
    const busy = new pg.Pool({ connectionString: t.db.url, max: 1 });
    try {
      const vault = new SecretVault(busy, randomBytes(32));
      const writer = vault.through(t.db.pool);
      const id = randomUUID();
      await writer.putMany([[id, { password: 'old' }]]);
      const sleeping = busy.query('SELECT pg_sleep(0.3)');
      const read = vault.getMany([id]);
      await writer.putMany([[id, { password: 'new' }]]);
      await sleeping;
      await read;
      assert.equal(vault.cached(id), false, 'the read is not cached');
      assert.deepEqual(await vault.get(id), { password: 'new' });
      assert.equal(vault.cached(id), true, 'a read with no write under way is');
    } finally {
      await busy.end();
    }
  });
});
