/**
 * The console in a real browser: Debian's chromium driven by playwright-core, against
 * Roster on the embedded database and the sandbox upstream. Signs in, imports accounts,
 * sees the table change when another client allocates, opens an account's timeline, starts
 * and stops a registration job, creates a key; no console errors. With
 * `CONSOLE_SCREENSHOTS=dir` it saves the main pages there (the README's pictures).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { registerUser } from '../../src/commands/users.ts';
import { startTestRoster, type TestRoster } from '../support/roster.ts';
import { sandboxProvider, startSandbox, until, type TestSandbox } from '../support/sandbox.ts';

/** axe-core's script, run in the page for the accessibility audit. */
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Flags this machine's closed network needs (no background calls home). */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Without a browser the suite is skipped, saying why, unless ROSTER_REQUIRE_BROWSER is set (CI): then it fails. */
const skip = existsSync(CHROMIUM) || process.env.ROSTER_REQUIRE_BROWSER ? false : `no browser at ${CHROMIUM} (apt-get install chromium)`;

describe('console in a browser', { skip }, () => {
  let sb: TestSandbox;
  let t: TestRoster;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  /** The key the console created (shown once). */
  let consoleKey = '';
  const shots = process.env.CONSOLE_SCREENSHOTS;
  /** Creates a pool, and waits until the read models hold it (the console lists pools from them). */
  const createPool = async (body: { poolId: string } & Record<string, unknown>) => {
    const made = await t.call('POST', '/v1/pools', body);
    assert.equal(made.status, 201);
    await t.call('GET', `/v1/pools/${body.poolId}?position=${made.body.position}`);
  };
  /** Waits (10 s at most) until `selector` matches `n` elements. */
  const countOf = (selector: string, n: number) => until(`${n} × ${selector}`, async () => (await page.locator(selector).count()) === n, 10_000);
  const shoot = async (name: string) => {
    if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  };

  before(async () => {
    sb = await startSandbox();
    t = await startTestRoster({
      ROSTER_PROVIDERS: sandboxProvider(sb.url), ROSTER_FEED_HEALTH_INTERVAL_MS: '200',
      ROSTER_GATEWAY_ROUTES: JSON.stringify({ small: { pools: ['api'], upstreamModel: 'sandbox-small', aliases: ['tiny'] } }),
      ROSTER_GATEWAY_PRICES: JSON.stringify({ small: { inputPerMillion: 1, outputPerMillion: 2 } }),
    });
    await registerUser(t.roster.services.users, { email: 'ops@example.test', password: 'console password 1', role: 'operator', verified: true }, { actor: 'test', correlationId: 'console' });
    await createPool({ poolId: 'web', name: 'Web accounts', providerId: 'sandbox', minSize: 2 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
  });
  after(async () => {
    await browser?.close();
    await t?.stop();
    await sb?.close();
  });

  it('signs in with a cookie session; a wrong password is refused on the page', async () => {
    await page.goto(t.roster.url);
    await page.getByLabel('Email').fill('ops@example.test');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    problems.length = 0; // the browser reports the refused sign-in (401) as a console error
    await page.getByLabel('Password').fill('console password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('tr[data-pool="web"]').waitFor();
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'roster_session')!;
    assert.deepEqual([session.httpOnly, session.sameSite], [true, 'Strict']);
    // A reload keeps the session.
    await page.reload();
    await page.locator('tr[data-pool="web"]').waitFor();
  });

  it('imports accounts by paste with a result per line, and the table follows another client\'s allocation live', async () => {
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByLabel('Pool', { exact: true }).selectOption('web');
    await page.getByLabel('Into pool').selectOption('web');
    await page.getByLabel(/One account a line/).fill('one@example.test:pw-1\ntwo@example.test:pw-2\nthree@example.test:pw-3\nnot an email');
    await page.getByRole('button', { name: 'Import' }).click();
    const results = page.getByRole('table', { name: 'Import results' });
    await results.waitFor();
    assert.deepEqual(await results.locator('tbody tr td:nth-child(3)').allTextContents(), ['imported', 'imported', 'imported', 'invalid']);
    const rows = page.locator('.vrow[data-login]');
    await countOf('.vrow [data-state="available"]', 3);
    assert.equal(await rows.count(), 3);
    assert.equal(await page.getByLabel(/One account a line/).inputValue(), '', 'the pasted passwords are cleared');
    await page.getByRole('heading', { name: 'Accounts', exact: true }).scrollIntoViewIfNeeded();
    await shoot('accounts');

    const lease = await t.call('POST', '/v1/pools/web/sessions', { count: 1 });
    assert.equal(lease.status, 201);
    await page.locator('.vrow [data-state="leased"]').waitFor({ timeout: 10_000 });
    await t.call('POST', `/v1/pools/web/sessions/${lease.body.sessionId}/release`, { leaseSecret: lease.body.leaseSecret });
    await countOf('.vrow [data-state="available"]', 3);
  });

  it('opens an account\'s timeline and its state as of an event', async () => {
    await page.locator('.vrow a', { hasText: 'one@example.test' }).click();
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('AccountImported').waitFor();
    await timeline.getByRole('button', { name: 'AccountImported' }).click();
    await page.getByText(/"status": "active"/).waitFor();
    assert.ok(!(await page.content()).includes('pw-1'), 'the secret is never on the page');
    // An operator cools it down for one model; the page shows the account as the action left it.
    await page.getByLabel('Cool down for (minutes)').fill('5');
    await page.getByLabel('Only for model (optional)').fill('sandbox-small');
    await page.getByRole('button', { name: 'Cool down' }).click();
    await page.locator('.banner', { hasText: 'Cooling down for sandbox-small' }).waitFor();
    const id = (await t.call('GET', '/v1/accounts?pool=web&search=one%40example')).body.items[0].accountId;
    const cooled = t.roster.services.accounts.find(id)!.state.cooldowns;
    assert.deepEqual(cooled.map((c) => c.model), ['sandbox-small']);
    await t.call('DELETE', `/v1/accounts/${id}/cooldown`);
    await page.getByRole('link', { name: '← Accounts' }).scrollIntoViewIfNeeded();
    await shoot('account');
  });

  it('imports identities, starts a job that registers them with a live run log, and stops it', async () => {
    await createPool({ poolId: 'reg', name: 'Registered here', providerId: 'sandbox' });
    await page.getByRole('link', { name: 'Registration', exact: true }).click();
    await page.getByLabel('Pool', { exact: true }).selectOption('reg');
    await page.getByLabel(/Identities to register/).fill('new1@example.test:secret-1\nnew2@example.test:secret-2\nnot an identity');
    await page.getByRole('button', { name: 'Import identities' }).click();
    const results = page.getByRole('table', { name: 'Identity import results' });
    await results.waitFor();
    assert.deepEqual(await results.locator('tbody tr td:nth-child(3)').allTextContents(), ['imported', 'imported', 'invalid']);
    assert.equal(await page.getByLabel(/Identities to register/).inputValue(), '', 'the pasted passwords are cleared');
    await countOf('tr[data-identity] [data-registered="false"]', 2);

    await page.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Start job' }).click();
    await page.locator('.banner', { hasText: /Job .* started/ }).waitFor();
    const row = page.locator('tr[data-job]').first();
    await row.locator('[data-status="running"]').waitFor();
    await row.getByRole('button', { name: 'Run log' }).click();
    // The flows register both; the run log and the identities follow from the feed, without a reload.
    await until('both attempts in the run log', async () => (await page.locator('tr[data-attempt] [data-outcome="succeeded"]').count()) === 2, 30_000).catch(async (e: Error) => {
      const log = await page.getByRole('table', { name: 'Run log' }).textContent();
      const api = await t.call('GET', `/v1/jobs/${await row.getAttribute('data-job')}/attempts`);
      throw new Error(`${e.message}; the page: ${await row.textContent()} | ${log}; the API: ${JSON.stringify(api.body)}`);
    });
    await countOf('tr[data-identity] [data-registered="true"]', 2);
    assert.ok(!(await page.content()).includes('secret-1'), 'no identity password on the page');
    await shoot('registration');
    await row.getByRole('button', { name: 'Stop' }).click();
    await row.locator('[data-status="stopped"]').waitFor({ timeout: 10_000 });

    // The overview counts a pool's running jobs, live: one started by another client shows, and goes when it stops.
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    const jobs = page.locator('tr[data-pool="reg"] [data-count="jobs"]');
    await until('no job running', async () => (await jobs.textContent()) === '0', 10_000);
    const started = await t.call('POST', '/v1/pools/reg/jobs', { concurrency: 1, retries: 1, continuous: true });
    assert.equal(started.status, 201);
    await until('one job running', async () => (await jobs.textContent()) === '1', 10_000);
    await t.call('POST', `/v1/jobs/${started.body.jobId}/stop`);
    await until('no job running again', async () => (await jobs.textContent()) === '0', 10_000);
  });

  it('creates a key and shows it once', async () => {
    await page.getByRole('link', { name: 'Gateway', exact: true }).click();
    await page.getByLabel('Name').fill('from the console');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = await page.locator('[data-new-key]').textContent();
    assert.match(key ?? '', /^rk_/);
    consoleKey = key!;
    // Where to use it: the gateway's address for each SDK.
    assert.match(String(await page.locator('[data-gateway]').textContent()), new RegExp(`baseURL: ${t.roster.gatewayUrl}/v1;.*baseURL: ${t.roster.gatewayUrl}\\.`));
    await page.locator('tr[data-key="from the console"]').waitFor();
    await shoot('gateway');
    // Its limits, changed in place (the table reads them back from the API).
    await page.locator('tr[data-key="from the console"]').getByRole('button', { name: 'Limits' }).click();
    await page.getByLabel('Requests a minute', { exact: true }).fill('30');
    await page.getByLabel('Budget (spend units)').fill('5');
    await page.getByRole('button', { name: 'Save limits' }).click();
    await until('the new limits in the table', async () => (await page.locator('tr[data-key="from the console"] [data-limits]').textContent()) === '30 requests/min, budget 5/month', 10_000);
  });

  it('configures a pool: strategy, cooldown rules, daily limits and exclusive', async () => {
    await page.getByRole('link', { name: 'Pools', exact: true }).click();
    await page.locator('tr[data-pool="web"]').getByRole('link', { name: 'Configure' }).click();
    await page.getByRole('heading', { name: 'Configure web' }).waitFor();
    await page.getByLabel('Strategy').selectOption('least_used');
    await page.getByLabel('Failures before a cooldown').fill('4');
    await page.getByLabel(/Daily limits/).fill('sandbox-small=50\nsandbox-large = 5');
    await page.getByLabel(/exclusive/).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.banner', { hasText: 'Pool web configured' }).waitFor();
    await until('the table to show the new strategy', async () => (await page.locator('tr[data-pool="web"] [data-strategy]').textContent()) === 'least_used', 10_000);
    const pool = (await t.call('GET', '/v1/pools/web')).body;
    assert.deepEqual([pool.strategy, pool.cooldown.failureThreshold, pool.dailyLimits, pool.exclusive], ['least_used', 4, { 'sandbox-small': 50, 'sandbox-large': 5 }, true]);
    assert.equal(await page.locator('tr[data-pool="web"] [data-exclusive]').textContent(), 'yes');
    // A bad line is named, and nothing is sent.
    await page.getByLabel(/Daily limits/).fill('sandbox-small: lots');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: 'Daily limits, line 1' }).waitFor();
    assert.equal(await page.getByLabel(/Daily limits/).inputValue(), 'sandbox-small: lots', 'what the operator typed stays');
    await shoot('pools');
  });

  it('shows live sessions as another client allocates, and releases one as an operator', async () => {
    await page.getByRole('link', { name: 'Sessions', exact: true }).click();
    await page.getByLabel('Pool', { exact: true }).selectOption('web');
    const lease = await t.call('POST', '/v1/pools/web/sessions', { count: 1, holder: 'batch-7' });
    assert.equal(lease.status, 201);
    const row = page.locator('tr[data-holder="batch-7"]');
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await row.locator('a.chip').textContent(), lease.body.leases[0].login);
    await shoot('sessions');
    await row.getByRole('button', { name: 'Release' }).click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    assert.equal((await t.call('GET', `/v1/pools/web/sessions/${lease.body.sessionId}`)).body.status, 'released');
  });

  it('shows the audit log with filters; users, their keys and the outbox only to an admin', async () => {
    await page.getByRole('link', { name: 'Users and audit', exact: true }).click();
    await page.getByLabel('Event type').fill('AccountImported');
    await page.getByRole('button', { name: 'Filter' }).click();
    await countOf('tr[data-audit="AccountImported"]', 3);
    assert.equal(await page.getByRole('table', { name: 'Users' }).count(), 0, 'an operator sees no users');

    await registerUser(t.roster.services.users, { email: 'admin@example.test', password: 'admin password 1', role: 'admin', verified: true }, { actor: 'test', correlationId: 'console' });
    await registerUser(t.roster.services.users, { email: 'new@example.test', password: 'new password 1', role: 'viewer', verified: true }, { actor: 'test', correlationId: 'console' });
    // Users registered here, outside the page: it lists them once the read model has them.
    await until('both users in the users read model', async () => (await t.call('GET', '/v1/users?search=%40example.test&limit=100')).body.items?.length >= 3, 10_000);
    const admin = await (await browser.newContext()).newPage();
    admin.on('pageerror', (e) => problems.push(`admin page: ${e.message}`));
    await admin.goto(`${t.roster.url}/#/audit`);
    await admin.getByLabel('Email').fill('admin@example.test');
    await admin.getByLabel('Password').fill('admin password 1');
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByRole('table', { name: 'Mail outbox' }).waitFor();
    await admin.getByLabel('Role of new@example.test').selectOption('operator');
    await admin.locator('.banner', { hasText: 'new@example.test is now operator' }).waitFor();
    // The read model follows the event (no position to wait for here).
    await until('the role in the users read model', async () => (await t.call('GET', '/v1/users?search=new%40example')).body.items[0]?.role === 'operator', 10_000);
    // The page reads the list again at the change's position: it shows the new role, not the read model's old one.
    await until('the page to show the new role', async () => (await admin.getByLabel('Role of new@example.test').inputValue()) === 'operator', 10_000);

    // The admin gives the user a key (shown once), which speaks for the user, and revokes it.
    await admin.locator('tr[data-user="new@example.test"]').getByRole('button', { name: 'Keys' }).click();
    const keysOf = admin.locator('tr[data-keys-of="new@example.test"]');
    await keysOf.getByRole('table', { name: 'Keys of new@example.test' }).waitFor();
    await keysOf.getByLabel('Name').fill('given by the admin');
    await keysOf.getByRole('button', { name: 'Create key' }).click();
    const given = (await keysOf.locator('[data-new-key]').textContent())!;
    assert.match(given, /^rk_/);
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: given })).body.email, 'new@example.test');
    // A leaked key pasted whole finds its holder; only its prefix is sent.
    const asked: string[] = [];
    const listen = (r: { url(): string }) => r.url().includes('/v1/users?') && asked.push(r.url());
    admin.on('request', listen);
    // (The key reaches the read model the search reads just after it is made.)
    await until('the key in the read model', async () => (await t.call('GET', `/v1/users?keyPrefix=${given.slice(0, 11)}`)).body.items.length === 1, 10_000);
    await admin.getByLabel('Holder of key').fill(given);
    await until('only the holder listed', async () => (await admin.locator('tr[data-user]').count()) === 1, 10_000);
    assert.equal(await admin.locator('tr[data-user]').getAttribute('data-user'), 'new@example.test');
    assert.ok(asked.some((u) => new URL(u).searchParams.get('keyPrefix') === given.slice(0, 11)));
    assert.ok(asked.every((u) => !u.includes(given.slice(12))), 'the key\'s secret never left the page');
    admin.off('request', listen);
    await admin.getByLabel('Holder of key').fill('');
    await until('every user listed again', async () => (await admin.locator('tr[data-user]').count()) >= 3, 10_000);
    const row = keysOf.locator('tr[data-key="given by the admin"]');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await admin.locator('.banner', { hasText: 'Key revoked' }).waitFor();
    assert.equal((await t.call('GET', '/v1/auth/me', undefined, { token: given })).status, 401, 'revoked at once');
    await until('the key shown revoked', async () => (await row.locator('td').nth(2).textContent()) === 'revoked', 10_000);
    await admin.close();
  });

  it('reads a large pool page by page by cursor as it scrolls, and filters the accounts at a daily limit', async () => {
    await createPool({ poolId: 'many', name: 'Many', dailyLimits: { small: 1 } });
    const logins = Array.from({ length: 450 }, (_, i) => `m${String(i).padStart(3, '0')}@example.test`);
    const made = await t.call('POST', '/v1/pools/many/accounts', { accounts: logins.map((login) => ({ login, password: 'pw' })) });
    assert.equal(made.body.imported, 450);
    const lease = await t.call('POST', '/v1/pools/many/sessions', { count: 1 });
    const used = lease.body.leases[0];
    await t.call('POST', `/v1/pools/many/sessions/${lease.body.sessionId}/outcomes`, { leaseSecret: lease.body.leaseSecret, accountId: used.accountId, outcome: 'success', model: 'small', units: 1 });
    const asked: string[] = [];
    const listen = (r: { url(): string }) => r.url().includes('/v1/accounts?') && asked.push(r.url());
    page.on('request', listen);
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByLabel('Pool', { exact: true }).selectOption('many');
    await page.locator('.vrow[data-login="m000@example.test"]').waitFor();
    const viewport = page.locator('.viewport');
    // Scroll to the end of the first page: the second is read after the first's cursor.
    await viewport.evaluate((el) => (el.scrollTop = 195 * 36));
    await page.locator('.vrow[data-login="m205@example.test"]').waitFor();
    assert.ok(asked.some((u) => new URL(u).searchParams.get('pool') === 'many' && new URL(u).searchParams.has('after')), 'a page read by cursor');
    await viewport.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator('.vrow[data-login="m449@example.test"]').waitFor();
    page.off('request', listen);

    await page.getByLabel('Daily limit reached for').selectOption('small');
    await until('only the account at its limit', async () => (await page.locator('.vrow[data-login]').allTextContents()).length === 1, 10_000);
    assert.equal(await page.locator('.vrow[data-login]').getAttribute('data-login'), used.login);
    await page.getByLabel('Daily limit reached for').selectOption('');
    await t.call('POST', `/v1/pools/many/sessions/${lease.body.sessionId}/release`, { leaseSecret: lease.body.leaseSecret });
  });

  it('shows the gateway\'s routes and each upstream account\'s error rate', async () => {
    await createPool({ poolId: 'api', name: 'API accounts', providerId: 'sandbox' });
    const made = await t.call('POST', '/v1/pools/api/accounts', { accounts: ['sk-sandbox-e2e-0', 'sk-sandbox-e2e-1'].map((token, i) => ({ login: `k${i}@example.test`, accessToken: token })) });
    await t.call('GET', `/v1/accounts?pool=api&position=${made.body.position}`);
    // One account fails every call: the gateway fails over, and counts the failure against it.
    await fetch(`${sb.url}/_sandbox/llm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ keys: { 'sk-sandbox-e2e-0': { status: 503 } }, reset: true }) });
    const requestIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
        method: 'POST', headers: { authorization: `Bearer ${consoleKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }] }),
      });
      assert.equal(res.status, 200, await res.clone().text());
      requestIds.push(res.headers.get('x-roster-request-id')!);
      await res.text();
    }
    await t.roster.services.gateway.meter.flush();
    // A request is logged as its handling ends, just after its answer: the page reads the log once they are all in.
    await until('the requests logged', async () => (await t.call('GET', '/v1/gateway/requests?limit=4')).body.items.filter((r: { requestId: string }) => requestIds.includes(r.requestId)).length === 4);
    await t.call('GET', `/v1/accounts?position=${encodeURIComponent(String(await t.roster.services.store.headPosition()))}`);
    await page.getByRole('link', { name: 'Gateway', exact: true }).click();
    const route = page.locator('tr[data-route="small"]');
    await route.waitFor();
    assert.deepEqual(await route.locator('td').allTextContents(), ['small', 'tiny', 'sandbox-small', 'api (0, 1)', '1 / 2', 'configuration', 'Check']);
    // An operator checks a route: the pool's upstream lists its model (k0 answers 503: k1 is asked).
    await page.getByRole('button', { name: 'Check route small' }).click();
    assert.match(String(await page.getByRole('status').filter({ hasText: 'Route small:' }).textContent()), /^Route small: api: listed \(the upstream lists sandbox-small, \d+ ms\)/);
    await page.getByRole('button', { name: 'Check every route' }).click();
    assert.match(String(await page.getByRole('status').filter({ hasText: 'routes\' pools' }).textContent()), /^1 of 1 routes' pools list their model/);
    // Each request, by the id its client was answered: served (after a failover where the failing account came first), by an account of the pool.
    for (const id of requestIds) {
      const row = page.locator(`tr[data-request="${id}"]`);
      await row.waitFor();
      const cells = await row.locator('td').allTextContents();
      assert.deepEqual([cells[2], cells[3], cells[4], cells[6], cells[10]], ['small', 'POST /v1/chat/completions', '200', 'api', id]);
      assert.ok(['1', '2'].includes(cells[5]!), `tries: ${cells[5]}`);
    }
    const failing = page.locator('tr[data-upstream="k0@example.test"]');
    await failing.waitFor();
    assert.equal(await failing.locator('[data-rate]').textContent(), '100 %');
    // Its failures by kind: tries, failures, 429, timeouts, other (503s here).
    const cells = await failing.locator('td').allTextContents();
    const failures = cells[5]!;
    assert.deepEqual(cells.slice(4, 9), [failures, failures, '0', '0', failures]);
    assert.equal(await page.locator('tr[data-upstream="k1@example.test"] [data-rate]').textContent(), '0 %');
    // The key's spend is charted per model and day.
    const spend = page.getByRole('img', { name: 'Spend per day by model' });
    await spend.locator('canvas').waitFor();
    assert.match(await spend.textContent() ?? '', /small spend/);
    await page.getByRole('heading', { name: 'Routes' }).evaluate((h) => h.scrollIntoView());
    await shoot('gateway-routes');

    // An operator sets a route in the console: the gateway serves it at once, by its alias too; then removes it.
    const askFor = async (model: string) => (await fetch(`${t.roster.gatewayUrl}/v1/chat/completions`, {
      method: 'POST', headers: { authorization: `Bearer ${consoleKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    })).status;
    assert.equal(await askFor('live-alias'), 404);
    const form = page.getByRole('form', { name: 'Set a route' });
    await form.getByLabel('Model', { exact: true }).fill('live');
    await form.getByLabel('Pools (comma-separated)').fill('api, nowhere');
    await form.getByRole('button', { name: 'Set route' }).click();
    await page.getByRole('alert').filter({ hasText: 'pools.1' }).waitFor();
    // The browser reports the refused route (400) as a console error: that one is expected.
    const refused = problems.findIndex((p) => p.includes('status of 400'));
    assert.ok(refused >= 0, problems.join('\n'));
    problems.splice(refused, 1);
    // A weight that is not a number is refused in the browser, naming the item.
    await form.getByLabel('Pools (comma-separated)').fill('api weight=x');
    await form.getByRole('button', { name: 'Set route' }).click();
    await page.getByRole('alert').filter({ hasText: 'pools: "api weight=x"' }).waitFor();
    await form.getByLabel('Pools (comma-separated)').fill('api weight=2 priority=1 model=sandbox-large');
    await form.getByLabel('Upstream model').fill('sandbox-small');
    await form.getByLabel('Aliases (comma-separated)').fill('live-alias');
    await form.getByLabel('Price in per million', { exact: true }).fill('3');
    await form.getByLabel('Price out per million', { exact: true }).fill('5');
    await form.getByLabel('Batch price in per million').fill('1');
    await form.getByRole('button', { name: 'Set route' }).click();
    const live = page.locator('tr[data-route="live"]');
    await live.waitFor();
    assert.deepEqual(await live.locator('td').allTextContents(), ['live', 'live-alias', 'sandbox-small', 'api (1, 2, sandbox-large)', '3 / 5 (batch 1 / 2.5)', 'console or API', 'CheckEditRemove']);
    assert.equal(await askFor('live-alias'), 200);
    // Edit fills the form with the route as set; a change of its pools is set in place.
    await page.getByRole('button', { name: 'Edit route live' }).click();
    assert.equal(await form.getByLabel('Pools (comma-separated)').inputValue(), 'api weight=2 priority=1 model=sandbox-large');
    assert.equal(await form.getByLabel('Aliases (comma-separated)').inputValue(), 'live-alias');
    assert.deepEqual([await form.getByLabel('Batch price in per million').inputValue(), await form.getByLabel('Batch price out per million').inputValue()], ['1', '']);
    await form.getByLabel('Pools (comma-separated)').fill('api');
    await form.getByRole('button', { name: 'Set route' }).click();
    await live.locator('td', { hasText: 'api (0, 1)' }).waitFor();
    assert.deepEqual(await live.locator('td').allTextContents(), ['live', 'live-alias', 'sandbox-small', 'api (0, 1)', '3 / 5 (batch 1 / 2.5)', 'console or API', 'CheckEditRemove']);
    await page.getByRole('button', { name: 'Remove route live' }).click();
    await live.waitFor({ state: 'detached' });
    assert.equal(await askFor('live-alias'), 404);
  });

  it('fits a phone\'s screen, and every page passes an accessibility audit (axe-core) with no serious finding', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, bypassCSP: true });
    const small = await phone.newPage();
    small.on('pageerror', (e) => problems.push(`phone page: ${e.message}`));
    await small.goto(t.roster.url);
    await small.getByLabel('Email').fill('ops@example.test');
    await small.getByLabel('Password').fill('console password 1');
    await small.getByRole('button', { name: 'Sign in' }).click();
    await small.locator('tr[data-pool="web"]').waitFor();
    const findings: string[] = [];
    for (const [hash, ready] of [['overview', 'tr[data-pool="web"]'], ['pools', 'tr[data-pool="web"]'], ['accounts', '.vrow[data-login]'], ['sessions', 'h2'], ['jobs', 'h2'], ['gateway', 'tr[data-route="small"]'], ['audit', 'h2']] as const) {
      await small.goto(`${t.roster.url}/#/${hash}`);
      await small.locator(ready).first().waitFor();
      // This context bypasses the page's CSP, so expressions may be strings (the tests have no DOM types).
      const wide = await small.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      assert.ok(wide <= 1, `#/${hash} scrolls sideways on a phone by ${wide} px`);
      if (shots && hash === 'accounts') await small.screenshot({ path: join(shots, 'phone-accounts.png') });
      await small.evaluate(axeSource);
      const violations = await small.evaluate<Array<{ id: string; impact: string; targets: string[] }>>(
        "axe.run({ resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))",
      );
      for (const v of violations) if (v.impact === 'serious' || v.impact === 'critical') findings.push(`#/${hash} ${v.id}: ${v.targets.join(', ')}`);
    }
    await phone.close();
    assert.deepEqual(findings, []);
  });

  it('is usable from the keyboard: Tab reaches the pages\' links, Enter follows one, focus is shown', async () => {
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.locator('body').focus();
    let focused = '';
    for (let presses = 0; presses < 20 && focused !== 'Accounts'; presses++) {
      await page.keyboard.press('Tab');
      focused = (await page.locator(':focus').textContent()) ?? '';
    }
    assert.equal(focused, 'Accounts', 'Tab reaches the Accounts link');
    const outline = await page.locator(':focus').evaluate((el) => (el.ownerDocument.defaultView as unknown as { getComputedStyle(e: unknown): { outlineStyle: string } }).getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused link shows an outline');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  });

  it('the overview shows every pool live, and the page had no errors', async () => {
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    const total = page.locator('tr[data-pool="web"] [data-count="total"]');
    await until('the pool\'s total to read 3', async () => (await total.textContent()) === '3', 10_000);
    assert.equal(await total.textContent(), '3');
    // Another client allocates: the live sessions count and the allocation rate move without a reload
    // (once the page's feed is open: the rate counts the allocations it is sent).
    await until('the page\'s feed', async () => (await page.locator('section[aria-label="Pools"] .section-head .muted').textContent())?.startsWith('live') ?? false, 10_000);
    const lease = await t.call('POST', '/v1/pools/web/sessions', { count: 1 });
    await until('one live session', async () => (await page.locator('tr[data-pool="web"] [data-count="sessions"]').textContent()) === '1', 10_000);
    await until('an allocation rate', async () => !(await page.locator('[data-rates]').textContent())?.startsWith('0.0 sessions'), 10_000);
    await t.call('POST', `/v1/pools/web/sessions/${lease.body.sessionId}/release`, { leaseSecret: lease.body.leaseSecret });
    await shoot('overview');
    assert.deepEqual(problems, []);
  });
});
