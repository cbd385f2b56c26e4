/** `roster tokens` and `roster --help`, run as a user runs them. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

function roster(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/roster.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return new Promise((ok) => child.on('exit', (code) => ok({ code, stdout, stderr })));
}

describe('the roster command', () => {
  let t: TestRoster;
  let env: Record<string, string>;
  before(async () => {
    t = await startTestRoster();
    env = { ROSTER_DATABASE_URL: t.db.url, ROSTER_MASTER_KEY: randomBytes(32).toString('hex') };
  });
  after(async () => t.stop());

  it('creates, lists and revokes admin tokens; a revoked one stops working at once on a running server', async () => {
    const created = await roster(['tokens', 'create', '--label', 'ci'], env);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^roster_[0-9a-f]{8}_/);
    const id = token.split('_')[1]!;
    assert.equal((await t.call('GET', '/v1/pools', undefined, { token })).status, 200);
    const listed = await roster(['tokens', 'list'], env);
    assert.match(listed.stdout, new RegExp(`^${id}\\tci\\tcreated .*\\tlive$`, 'm'));
    assert.equal(listed.stdout.includes(token), false, 'the list never shows a token');
    const revoked = await roster(['tokens', 'revoke', id], env);
    assert.deepEqual([revoked.code, revoked.stdout.trim()], [0, `revoked ${id}`]);
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      status = (await t.call('GET', '/v1/pools', undefined, { token })).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(status, 401);
    assert.equal((await roster(['tokens', 'revoke', id], env)).code, 1, 'revoking twice finds no live token');
  });

  it('answers --help for itself and each command, and usage with exit 2 for a wrong one', async () => {
    const help = await roster(['--help']);
    assert.equal(help.code, 0);
    for (const command of ['rebuild', 'verify', 'export', 'tokens']) assert.match(help.stdout, new RegExp(`roster ${command}`));
    const tokens = await roster(['tokens', '--help']);
    assert.deepEqual([tokens.code, /revoke <id>/.test(tokens.stdout), /rebuild/.test(tokens.stdout)], [0, true, false]);
    const wrong = await roster(['frobnicate']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /usage:/);
  });
});
