import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('read your own writes', () => {
  let t: TestRoster;
  // A runner that, after each batch, gathers events for 10 s; readers wait 2 s at most.
  before(async () => { t = await startTestRoster({ ROSTER_PROJECTION_INTERVAL_MS: '10000', ROSTER_CONSISTENCY_WAIT_MS: '2000' }); });
  after(async () => t.stop());

  const importOne = async (login: string) =>
    (await t.call('POST', '/v1/pools/p/accounts', { accounts: [{ login, password: 'pw' }] })).body.position as string;
  const logins = async (position?: string) => {
    const r = await t.call('GET', `/v1/accounts?pool=p${position ? `&position=${encodeURIComponent(position)}` : ''}`);
    return { status: r.status, logins: r.status === 200 ? r.body.items.map((a: { login: string }) => a.login) : r.body.code };
  };

  it('a reader waiting for a position wakes the runner out of its interval; others read the batch before', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'p', name: 'P' });
    const first = await importOne('one@example.test');
    assert.deepEqual(await logins(first), { status: 200, logins: ['one@example.test'] });
    // The runner has just applied a batch: it now waits out its interval.
    const second = await importOne('two@example.test');
    assert.deepEqual(await logins(), { status: 200, logins: ['one@example.test'] }, 'without a position: the batch before');
    // Answered inside the 2 s wait (else 503 projection_behind), long before the interval ends.
    assert.deepEqual(await logins(second), { status: 200, logins: ['one@example.test', 'two@example.test'] });
  });
});
