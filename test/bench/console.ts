/**
 * `npm run bench:console`: how long the console's first pages take to show in a real
 * browser (Debian's chromium through playwright-core) with 100,000 accounts in a pool, on
 * a Roster server process as the quick start runs it (embedded PostgreSQL, fsync on).
 * Times, from navigation to the figure on screen: the overview reading the pool's total,
 * and the accounts table drawing its first rows; cold (a new browser context: nothing
 * cached) and warm (a reload). Prints figures; never fails on a time.
 *
 *   BENCH_ACCOUNTS=100000 BENCH_ROUNDS=5 npm run bench:console
 */
import { chromium, type BrowserContext } from 'playwright-core';
import { client } from '../support/servers.ts';
import { importAccounts, startBenchServer } from './allocate.ts';

const accounts = Number(process.env.BENCH_ACCOUNTS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EMAIL = 'bench@example.test';
const PASSWORD = 'bench console password';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const server = await startBenchServer();
try {
  const imported = await importAccounts(server, 'big', accounts);
  console.log(`imported ${accounts.toLocaleString()} accounts at ${Math.round(imported.rate).toLocaleString()}/s`);
  // A user to sign in with: registered, verified by the code in the outbox, made admin.
  const c = client(server.url, server.token, 1);
  await c.call('POST', '/v1/auth/register', { email: EMAIL, password: PASSWORD });
  const mail = (await c.call('GET', `/v1/mail?to=${encodeURIComponent(EMAIL)}`)).body.items[0];
  const code = /verification code: (\S+)/.exec(mail.text)?.[1];
  const verified = await c.call('POST', '/v1/auth/verify', { code });
  if (verified.status !== 200) throw new Error(`verify: ${JSON.stringify(verified.body)}`);
  const user = (await c.call('GET', `/v1/users?search=${encodeURIComponent(EMAIL)}`)).body.items[0];
  await c.call('PATCH', `/v1/users/${user.userId}`, { role: 'admin' });
  await c.pool.close();

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  /** A new context signed in (cookies set through the API, as the sign-in page does). */
  const signedIn = async (): Promise<BrowserContext> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const r = await context.request.post(`${server.url}/v1/auth/session`, { data: { email: EMAIL, password: PASSWORD } });
    if (!r.ok()) throw new Error(`sign-in: ${r.status()}`);
    return context;
  };
  const times = { overviewCold: [] as number[], overviewWarm: [] as number[], accountsCold: [] as number[], accountsWarm: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    for (const [page, selector, ready] of [
      ['overview', 'tr[data-pool="big"] [data-count="total"]', (text: string) => text === String(accounts)],
      ['accounts', '.vrow[data-login] a', (text: string) => text.includes('@')],
    ] as const) {
      const context = await signedIn();
      const tab = await context.newPage();
      for (const warm of [false, true]) {
        const started = performance.now();
        if (warm) await tab.reload();
        else await tab.goto(`${server.url}/#/${page}`);
        const shown = tab.locator(selector).first();
        for (;;) {
          if (ready((await shown.textContent({ timeout: 30_000 })) ?? '')) break;
          await tab.waitForTimeout(5);
        }
        times[`${page}${warm ? 'Warm' : 'Cold'}` as keyof typeof times].push(performance.now() - started);
      }
      await context.close();
    }
  }
  await browser.close();
  console.log(`\nfirst load in chromium, ${accounts.toLocaleString()} accounts in the pool, ${rounds} rounds (median, min–max ms):`);
  console.log('| page | cold (new context) | warm (reload) |');
  console.log('| --- | --- | --- |');
  const cell = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
  console.log(`| overview: the pool's total shown | ${cell(times.overviewCold)} | ${cell(times.overviewWarm)} |`);
  console.log(`| accounts: first rows drawn | ${cell(times.accountsCold)} | ${cell(times.accountsWarm)} |`);
} finally {
  await server.stop();
}
