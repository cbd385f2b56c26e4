/** Imports are atomic, can rotate credentials on request, and hold text/plain to JSON's limits. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accountIdFor } from '../../src/store/secrets.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('account imports', () => {
  let t: TestRoster;
  const count = async (sql: string, params: unknown[] = []) => Number((await t.db.pool.query(sql, params)).rows[0].n);
  const events = () => count('SELECT count(*) AS n FROM events');
  const secrets = () => count('SELECT count(*) AS n FROM secrets');
  /** Leases the account with this login (the only free one in pool `solo`) and gives its password. */
  const leasedPassword = async () => {
    const a = await t.call('POST', '/v1/pools/solo/sessions', { count: 1 });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    await t.call('POST', `/v1/pools/solo/sessions/${a.body.sessionId}/release`, { leaseSecret: a.body.leaseSecret });
    return a.body.leases[0].credentials.password as string;
  };
  before(async () => {
    t = await startTestRoster();
    await t.call('POST', '/v1/pools', { poolId: 'p', name: 'P' });
    await t.call('POST', '/v1/pools', { poolId: 'solo', name: 'Solo' });
  });
  after(async () => t.stop());

  it('writes nothing, neither events nor secrets, when the store refuses part of an import', async () => {
    // A real database fault on the second account's event (a trigger), as a full disk or a bad row would raise.
    await t.db.pool.query(`CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.data->>'login' = 'boom@example.test' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
    await t.db.pool.query('CREATE TRIGGER refuse_boom BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_boom()');
    try {
      const [e0, s0] = [await events(), await secrets()];
      const r = await t.call('POST', '/v1/pools/p/accounts', { accounts: [{ login: 'first@example.test', password: 'pw-1' }, { login: 'boom@example.test', password: 'pw-2' }] });
      assert.equal(r.status, 500);
      assert.equal(JSON.stringify(r.body).includes('pw-'), false, 'no secret in the error');
      assert.deepEqual([await events(), await secrets()], [e0, s0], 'nothing of the import remains');
    } finally {
      await t.db.pool.query('DROP TRIGGER refuse_boom ON events');
    }
    const again = await t.call('POST', '/v1/pools/p/accounts', { accounts: [{ login: 'first@example.test', password: 'pw-1' }] });
    assert.deepEqual(again.body.lines.map((l: { result: string }) => l.result), ['imported'], 'the login is new, not a duplicate');
  });

  it('puts back the secrets a failed update-mode import had replaced', async () => {
    const made = await t.call('POST', '/v1/pools/p/accounts', { accounts: [{ login: 'keep@example.test', password: 'old-secret' }] });
    const keep = made.body.lines[0].accountId as string;
    await t.db.pool.query(`CREATE FUNCTION refuse_boom2() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.data->>'login' = 'boom2@example.test' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
    await t.db.pool.query('CREATE TRIGGER refuse_boom2 BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_boom2()');
    try {
      const s0 = await secrets();
      const r = await t.call('POST', '/v1/pools/p/accounts?mode=update', { accounts: [{ login: 'keep@example.test', password: 'new-secret' }, { login: 'boom2@example.test', password: 'pw' }] });
      assert.equal(r.status, 500);
      assert.deepEqual(await secrets(), s0, 'the replaced secret is back, the new one gone');
    } finally {
      await t.db.pool.query('DROP TRIGGER refuse_boom2 ON events');
    }
    assert.deepEqual(await t.roster.services.vault.get(keep), { password: 'old-secret' });
  });

  it('refuses a whole import with a bad item at the edge, writing nothing', async () => {
    const [e0, s0] = [await events(), await secrets()];
    const r = await t.call('POST', '/v1/pools/p/accounts', { accounts: [{ login: 'ok@example.test', password: 'pw' }, { login: 'bad\u0000@example.test', password: 'pw' }] });
    assert.deepEqual([r.status, r.body.errors[0].field], [400, 'accounts.1.login']);
    assert.deepEqual([await events(), await secrets()], [e0, s0]);
  });

  it('keeps the original on a plain re-import, and rotates the credentials in update mode (CredentialsRotated)', async () => {
    const first = await t.call('POST', '/v1/pools/solo/accounts', { accounts: [{ login: 'rot@example.test', password: 'old-password' }] });
    const accountId = first.body.lines[0].accountId;
    const plain = await t.call('POST', '/v1/pools/solo/accounts', { accounts: [{ login: 'rot@example.test', password: 'new-password' }] });
    assert.deepEqual([plain.body.duplicates, plain.body.lines[0].error], [1, 'already in this pool']);
    assert.equal(await leasedPassword(), 'old-password');
    const update = await t.call('POST', '/v1/pools/solo/accounts?mode=update', 'rot@example.test:new-password', { contentType: 'text/plain' });
    assert.deepEqual([update.status, update.body.updated, update.body.lines[0].result], [200, 1, 'updated'], JSON.stringify(update.body));
    assert.equal(await leasedPassword(), 'new-password');
    const { rows } = await t.db.pool.query('SELECT type, data FROM events WHERE stream_id = $1 ORDER BY revision', [`account-${accountId}`]);
    assert.deepEqual(rows.map((r) => r.type), ['AccountImported', 'CredentialsRotated']);
    assert.equal(JSON.stringify(rows).includes('new-password'), false, 'no secret in the event');
    const same = await t.call('POST', '/v1/pools/solo/accounts?mode=update', { accounts: [{ login: 'rot@example.test', password: 'new-password' }] });
    assert.deepEqual([same.body.updated, same.body.lines[0].result], [0, 'duplicate'], 'the same credentials change nothing');
    assert.equal((await t.call('POST', '/v1/pools/solo/accounts?mode=merge', { accounts: [{ login: 'x@example.test' }] })).status, 400);
  });

  it('overwrites a secret an earlier failed import left behind, instead of handing it out', async () => {
    await t.roster.services.vault.put(accountIdFor('p', 'orphan@example.test'), { password: 'stale' });
    const r = await t.call('POST', '/v1/pools/p/accounts', { accounts: [{ login: 'orphan@example.test', password: 'fresh' }] });
    assert.equal(r.body.lines[0].result, 'imported');
    assert.deepEqual(await t.roster.services.vault.get(r.body.lines[0].accountId), { password: 'fresh' });
  });

  it('holds text/plain lines to the checks and the body limit of JSON', async () => {
    const long = `${'l'.repeat(321)}@example.test:pw`;
    const r = await t.call('POST', '/v1/pools/p/accounts', `${long}\nfour@example.test:pw:rt:extra\nfine@example.test:pw:rt\n:nologin`, { contentType: 'text/plain' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.lines.map((l: { line: number; result: string }) => [l.line, l.result]), [[1, 'invalid'], [2, 'invalid'], [3, 'imported'], [4, 'invalid']]);
    assert.match(r.body.lines[0].error, /login/);
    assert.match(r.body.lines[1].error, /expected email:password/);
    const big = 'x'.repeat(1_100_000);
    assert.equal((await t.call('POST', '/v1/pools/p/accounts', big, { contentType: 'text/plain' })).status, 413);
    assert.equal((await t.call('POST', '/v1/pools/p/accounts', { lines: big })).status, 413);
  });

  it('two imports racing on the same logins: every account keeps the secret of the import that created it', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'race', name: 'Race', defaultLeaseTtlMs: 60_000 });
    for (let round = 0; round < 5; round++) {
      const logins = Array.from({ length: 40 }, (_, i) => `r${round}-${i}@example.test`);
      const [a, b] = await Promise.all(['a', 'b'].map((who) =>
        t.call('POST', '/v1/pools/race/accounts', { lines: logins.map((l) => `${l}:pw-${who}`).join('\n') })));
      const winner = new Map<string, string>();
      for (const [who, r] of [['a', a!], ['b', b!]] as const) {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        for (const line of r.body.lines as Array<{ login: string; result: string }>) if (line.result === 'imported') winner.set(line.login, `pw-${who}`);
      }
      assert.equal(winner.size, logins.length, 'each login imported once');
      const leased = await t.call('POST', '/v1/pools/race/sessions', { count: logins.length, position: (a!.body.position > b!.body.position ? a! : b!).body.position });
      assert.equal(leased.status, 201, JSON.stringify(leased.body));
      for (const lease of leased.body.leases as Array<{ login: string; credentials: { password?: string } }>) {
        assert.equal(lease.credentials.password, winner.get(lease.login), `${lease.login} holds the secret of the import that created it`);
      }
      await t.call('POST', `/v1/pools/race/sessions/${leased.body.sessionId}/release`, { leaseSecret: leased.body.leaseSecret });
    }
  });
});
