/** `roster import`, `users`, `keys`, `tokens` and `--help`, run as a user runs them. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

function roster(args: string[], env: Record<string, string> = {}, input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/roster.js', ...args], { env: { ...process.env, ...env }, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += String(d)));
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return new Promise((ok) => child.on('exit', (code) => ok({ code, stdout, stderr })));
}

describe('the roster command', () => {
  let t: TestRoster;
  let env: Record<string, string>;
  before(async () => {
    // The command and the server share the master key, as nodes of one deployment do.
    env = { ROSTER_MASTER_KEY: randomBytes(32).toString('hex') };
    t = await startTestRoster(env);
    env.ROSTER_DATABASE_URL = t.db.url;
  });

  it('imports a file of email:password and JSON lines in batches, reports each line, and a running server serves them', async () => {
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'imp', name: 'Imported' })).status, 201);
    const generated = Array.from({ length: 2500 }, (_, i) => `bulk${i}@imp.test:pw${i}`);
    const text = [
      'a@imp.test:pw-a', '# a comment', '', '{"login":"b@imp.test","password":"pw-b","region":"eu"}',
      'nocolon', '{"login":"c@imp.test","bogus":1}', '{not json', 'a@imp.test:pw-again', ...generated,
    ].join('\n');
    const file = join(await mkdtemp(join(tmpdir(), 'roster-import-')), 'accounts.txt');
    await writeFile(file, text);
    const run = await roster(['import', 'imp', file, '--batch', '1000'], env);
    assert.equal(run.code, 1, 'some lines were invalid');
    const results = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; result: string; login: string | null; error?: string });
    const byLine = new Map(results.map((r) => [r.line, r]));
    assert.equal(results.length, 6 + 2500, 'one result per account line, none for the comment and the blank line');
    assert.deepEqual([1, 4, 5, 6, 7, 8].map((n) => byLine.get(n)?.result), ['imported', 'imported', 'invalid', 'invalid', 'invalid', 'duplicate']);
    assert.match(byLine.get(6)!.error!, /bogus|additional/i);
    assert.equal(results.filter((r) => r.result === 'imported').length, 2 + 2500);
    assert.match(run.stderr, /imported 2502, updated 0, duplicates 1, invalid 3 in [\d.]+ s \(\d+ accounts\/s\)/);
    assert.equal(run.stdout.includes('pw-'), false, 'no secret in the output');
    // The running server learns the accounts from the log and reads their secrets with the shared key.
    let session: { status: number; body: { leases: Array<{ login: string; credentials: { password?: string } }> } } | undefined;
    for (let i = 0; i < 100 && session?.status !== 201; i++) {
      session = await t.call('POST', '/v1/pools/imp/sessions', { region: 'eu' }) as typeof session;
      if (session?.status !== 201) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(session?.status, 201);
    assert.deepEqual(session!.body.leases.map((l) => [l.login, l.credentials.password]), [['b@imp.test', 'pw-b']]);
    // Importing again changes nothing: every account is a duplicate; --mode update rotates changed credentials.
    const again = await roster(['import', 'imp', file], env);
    assert.match(again.stderr, /imported 0, updated 0, duplicates 2503, invalid 3/);
    await writeFile(file, 'a@imp.test:pw-new\nbulk1@imp.test:pw1\n');
    const update = await roster(['import', 'imp', file, '--mode', 'update'], env);
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stderr, /imported 0, updated 1, duplicates 1, invalid 0/);
  });

  it('imports in batches: results stay in line order, and a login in two adjacent batches is imported once, from its first line', async () => {
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'adj', name: 'Adjacent' })).status, 201);
    const file = join(await mkdtemp(join(tmpdir(), 'roster-import-')), 'accounts.txt');
    const lines = Array.from({ length: 40 }, (_, i) => (i % 4 === 2 ? `same${i - 2}@adj.test:again` : `same${i}@adj.test:pw${i}`));
    await writeFile(file, lines.join('\n'));
    const run = await roster(['import', 'adj', file, '--batch', '2'], env);
    assert.equal(run.code, 0, run.stderr);
    const results = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { line: number; result: string });
    assert.deepEqual(results.map((r) => r.line), lines.map((_, i) => i + 1));
    assert.deepEqual(results.map((r) => r.result), lines.map((_, i) => (i % 4 === 2 ? 'duplicate' : 'imported')));
    const head = encodeURIComponent(await t.roster.services.store.headPosition());
    assert.equal((await t.call('GET', `/v1/accounts?pool=adj&limit=100&position=${head}`)).body.total, 30);
  });

  it('creates the first admin user, who signs in over HTTP; a second create of the email is refused', async () => {
    const made = await roster(['users', 'create', 'First.Admin@example.test', '--admin'], env, 'a long admin password\n');
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stderr, /user first\.admin@example\.test created with role admin/i);
    const login = await t.call('POST', '/v1/auth/login', { email: 'first.admin@example.test', password: 'a long admin password' }, { token: null });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.equal(login.body.user.role, 'admin');
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'by-admin', name: 'By admin' }, { token: login.body.accessToken })).status, 201);
    // The outbox through the CLI: a sign-up's verification mail, readable with the shared master key.
    assert.equal((await t.call('POST', '/v1/auth/register', { email: 'mailed@example.test', password: 'long enough too' }, { token: null })).status, 202);
    const mail = await roster(['mail', '--to', 'Mailed@example.test'], env);
    assert.equal(mail.code, 0, mail.stderr);
    const mails = mail.stdout.trim().split('\n').map((l) => JSON.parse(l) as { to: string; subject: string; text: string });
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.to, 'mailed@example.test');
    assert.match(mails[0]!.text, /verification code: \S{40,}/);
    const again = await roster(['users', 'create', 'first.admin@example.test'], env, 'another password\n');
    assert.equal(again.code, 1);
    assert.equal((await roster(['users', 'create', 'x@example.test', '--role', 'root'], env, 'long enough\n')).code, 2);
    assert.equal((await roster(['users', 'create', 'short@example.test'], env, 'short\n')).code, 1);
  });

  it('lists users, and disables one (its sign-ins end at once on the running server) and enables it again, without the master key', async () => {
    const { ROSTER_MASTER_KEY: _key, ...keyless } = env;
    assert.equal((await roster(['users', 'create', 'leaver@example.test'], env, 'a leaver password\n')).code, 0);
    const signIn = () => t.call('POST', '/v1/auth/login', { email: 'leaver@example.test', password: 'a leaver password' }, { token: null });
    const before = await signIn();
    assert.equal(before.status, 200);
    // Read from the read models, which the running server keeps.
    let list = '';
    for (let i = 0; i < 100 && !list.includes('leaver@example.test'); i++) list = (await roster(['users', 'list'], keyless)).stdout;
    assert.match(list, /^[0-9a-f-]{36}\tleaver@example\.test\tmember\tactive\tverified\tcreated \S+$/m);
    const disabled = await roster(['users', 'disable', 'Leaver@example.test', '--reason', 'left the team'], keyless);
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.match(disabled.stdout, /^[0-9a-f-]{36}\tleaver@example\.test\tdisabled$/m);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: before.body.accessToken })).status, 401, 'its access token ends');
    assert.equal((await t.call('POST', '/v1/auth/refresh', { refreshToken: before.body.refreshToken }, { token: null })).status, 401, 'its refresh token too');
    assert.notEqual((await signIn()).status, 200);
    const events = await t.db.pool.query("SELECT data->>'reason' AS reason, metadata->>'actor' AS actor FROM events WHERE type = 'UserDisabled' ORDER BY global_position DESC LIMIT 1");
    assert.deepEqual(events.rows[0], { reason: 'left the team', actor: 'cli:users' });
    assert.equal((await roster(['users', 'enable', 'leaver@example.test'], keyless)).code, 0);
    assert.equal((await signIn()).status, 200);
    const unknown = await roster(['users', 'disable', 'nobody@example.test'], env);
    assert.deepEqual([unknown.code, /does not exist/.test(unknown.stderr)], [1, true]);
    assert.equal((await roster(['users', 'list', 'extra'], env)).code, 2);
  });

  it('makes a key for a user, printed once, which the running server takes; none for an unknown email', async () => {
    assert.equal((await roster(['users', 'create', 'keyed@example.test'], env, 'a long keyed password\n')).code, 0);
    const made = await roster(['keys', 'create', 'Keyed@example.test', '--name', 'from the cli'], env);
    assert.equal(made.code, 0, made.stderr);
    const key = made.stdout.trim();
    assert.match(key, /^rk_[0-9a-f]{32}_/);
    assert.match(made.stderr, /shown once/);
    const me = await t.call('GET', '/v1/auth/me', undefined, { token: key });
    assert.deepEqual([me.status, me.body.email], [200, 'keyed@example.test']);
    const [listed] = (await t.call('GET', `/v1/users/${me.body.userId}/keys`)).body.items as Array<{ keyId: string; name: string; prefix: string }>;
    assert.deepEqual([listed!.name, key.startsWith(listed!.prefix)], ['from the cli', true]);
    const unknown = await roster(['keys', 'create', 'nobody@example.test'], env);
    assert.deepEqual([unknown.code, unknown.stdout], [1, '']);
    assert.match(unknown.stderr, /does not exist/);
    assert.equal((await roster(['keys', 'list'], env)).code, 2);
    // Listed without the key; revoked by the prefix a log line shows, it stops working on the running server.
    const prefix = key.slice(0, 11);
    const list = await roster(['keys', 'list', 'keyed@example.test'], env);
    assert.match(list.stdout, new RegExp(`^[0-9a-f-]{36}\\t${prefix}\\tactive\\tcreated \\S+\\tfrom the cli$`, 'm'));
    assert.equal(list.stdout.includes(key.slice(36)), false, 'the list never shows a key');
    // Whose key a log line names, without the master key.
    const { ROSTER_MASTER_KEY: _key, ...keyless } = env;
    const shown = await roster(['keys', 'show', prefix], keyless);
    assert.deepEqual([shown.code, shown.stdout], [0, `${listed!.keyId}\t${prefix}\tactive\tkeyed@example.test\tfrom the cli\n`], shown.stderr);
    assert.deepEqual((await roster(['keys', 'show', listed!.keyId], keyless)).stdout, shown.stdout, 'by its id too');
    const revoked = await roster(['keys', 'revoke', prefix, '--reason', 'leaked in a log'], env);
    assert.deepEqual([revoked.code, revoked.stdout.trim()], [0, `revoked ${listed!.keyId} (${prefix}, from the cli)`], revoked.stderr);
    let status = 200;
    for (let i = 0; i < 100 && status !== 401; i++) {
      status = (await t.call('GET', '/v1/auth/me', undefined, { token: key })).status;
      if (status !== 401) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 401);
    const [after] = (await t.call('GET', `/v1/users/${me.body.userId}/keys`)).body.items as Array<{ status: string }>;
    assert.equal(after!.status, 'revoked');
    const events = await t.db.pool.query("SELECT data->>'reason' AS reason, metadata->>'actor' AS actor FROM events WHERE type = 'ApiKeyRevoked' ORDER BY global_position DESC LIMIT 1");
    assert.deepEqual(events.rows[0], { reason: 'leaked in a log', actor: 'cli:keys' });
    const none = await roster(['keys', 'revoke', 'rk_ffffffff'], env);
    assert.deepEqual([none.code, none.stderr.trim()], [1, 'roster: no key rk_ffffffff']);
    assert.deepEqual([(await roster(['keys', 'show', 'rk_ffffffff'], env)).code, (await roster(['keys', 'show', prefix], env)).stdout.split('\t')[2]], [1, 'revoked']);
  });

  it('refuses an import into a pool that does not exist, and bad options', async () => {
    const missing = await roster(['import', 'nope', '-'], env);
    assert.deepEqual([missing.code, /no pool nope/.test(missing.stderr)], [1, true]);
    assert.equal((await roster(['import', 'imp', '-', '--mode', 'merge'], env)).code, 2);
    assert.equal((await roster(['import', 'imp', '-', '--batch', '0'], env)).code, 2);
  });
  it('rebuilds the sessions read model without the sessions its retention would prune', async () => {
    assert.equal((await t.call('POST', '/v1/pools', { poolId: 'ret', name: 'Retention' })).status, 201);
    await t.call('POST', '/v1/pools/ret/accounts', 'r1@ret.test:pw1\nr2@ret.test:pw2', { contentType: 'text/plain' });
    const ended = (await t.call('POST', '/v1/pools/ret/sessions', { count: 1 })).body;
    await t.call('POST', `/v1/pools/ret/sessions/${ended.sessionId}/release`, { leaseSecret: ended.leaseSecret });
    const live = (await t.call('POST', '/v1/pools/ret/sessions', { count: 1 })).body;
    assert.equal((await t.call('GET', `/v1/pools/ret/sessions/${live.sessionId}?position=${live.position}`)).status, 200);
    const sessions = async () => (await t.db.pool.query<{ session_id: string }>("SELECT session_id FROM rm_sessions WHERE pool_id = 'ret'")).rows.map((r) => r.session_id);
    assert.equal((await sessions()).length, 2);
    const run = await roster(['rebuild', 'sessions'], { ...env, ROSTER_SESSION_RETENTION_MS: '1' });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await sessions(), [live.sessionId]);
  });

  it('verifies, exports and lists tokens without the master key; import and mail, which read secrets, refuse to start without it', async () => {
    const { ROSTER_MASTER_KEY: _key, ...keyless } = env;
    const verified = await roster(['verify'], keyless);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /verified \d+ events/);
    const accountId = (await t.db.pool.query<{ account_id: string }>("SELECT account_id FROM rm_accounts LIMIT 1")).rows[0]!.account_id;
    const exported = await roster(['export', accountId], keyless);
    assert.equal(exported.code, 0, exported.stderr);
    assert.ok(exported.stdout.length > 0);
    assert.equal((await roster(['tokens', 'list'], keyless)).code, 0);
    for (const args of [['import', 'imp', '-'], ['mail']]) {
      const refused = await roster(args, keyless, '');
      assert.notEqual(refused.code, 0, args.join(' '));
      assert.match(refused.stderr, /ROSTER_MASTER_KEY: required/, args.join(' '));
    }
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
    for (const command of ['import', 'rebuild', 'verify', 'export', 'tokens', 'keys']) assert.match(help.stdout, new RegExp(`roster ${command}`));
    const tokens = await roster(['tokens', '--help']);
    assert.deepEqual([tokens.code, /revoke <id>/.test(tokens.stdout), /rebuild/.test(tokens.stdout)], [0, true, false]);
    const wrong = await roster(['frobnicate']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /usage:/);
  });
});
