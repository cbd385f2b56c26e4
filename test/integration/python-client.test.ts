/**
 * The existing account-pool API's clients, unchanged: a Python client (`requests`, as
 * Debian's python3-requests gives it) with a fixed session id, run twice in a row.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

/** Debian's python3 (where python3-requests installs), else the one on PATH. */
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function runClient(url: string, ...args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(python, ['test/compat/account_pool_client.py', url, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  return new Promise((ok) => child.on('exit', (code) => ok({ code, output })));
}

describe('the original account-pool clients', () => {
  let t: TestRoster;
  before(async () => {
    t = await startTestRoster({ ROSTER_COMPAT_LOOPBACK_OPEN: 'true', ROSTER_ACCOUNTS_PER_REQUEST: '2' });
    await t.call('POST', '/v1/pools/default/accounts', 'py1@example.test:pw1:rt1\npy2@example.test:pw2:rt2\npy3@example.test:pw3:rt3', { contentType: 'text/plain' });
  });
  after(async () => t.stop());

  it('run twice in a row with the same fixed session id, without a token, and succeed both times', async () => {
    for (const run of [1, 2]) {
      const { code, output } = await runClient(t.roster.url);
      assert.equal(code, 0, `run ${run}: ${output}`);
      assert.match(output, /ok: session my_session held py\d@example\.test, py\d@example\.test and released them/);
    }
    const { rows } = await t.db.pool.query("SELECT type FROM events WHERE stream_id = 'pool-default' AND data->>'sessionId' = 'my_session' ORDER BY global_position");
    assert.deepEqual(rows.map((r) => r.type), ['SessionAllocated', 'SessionReleased', 'SessionAllocated', 'SessionReleased']);
  });
});
