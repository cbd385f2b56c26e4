import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestRoster, type TestRoster } from '../support/roster.ts';

describe('accounts over HTTP', () => {
  let t: TestRoster;
  let ids: Record<string, string> = {};
  let lastWrite = '';
  const eventCount = async () => Number((await t.db.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);
  before(async () => {
    t = await startTestRoster();
    await t.call('POST', '/v1/pools', { poolId: 'p', name: 'P' });
  });
  after(async () => t.stop());

  it('imports JSON accounts with a result per line and duplicates reported', async () => {
    const r = await t.call('POST', '/v1/pools/p/accounts', {
      accounts: [
        { login: 'ann@example.test', password: 'pw-ann', capabilities: ['gpt', 'vision'], region: 'eu' },
        { login: 'bob@example.test', accessToken: 'at-bob', refreshToken: 'rt-bob', capabilities: ['gpt'], region: 'us' },
        { login: 'ANN@example.test', password: 'other' },
      ],
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.imported, 2);
    assert.equal(r.body.duplicates, 1);
    assert.deepEqual(r.body.lines.map((l: { result: string }) => l.result), ['imported', 'imported', 'duplicate']);
    ids = Object.fromEntries(r.body.lines.slice(0, 2).map((l: { login: string; accountId: string }) => [l.login.split('@')[0], l.accountId]));
  });

  it('imports email:password[:refresh_token] lines, reporting bad lines and existing accounts', async () => {
    const r = await t.call('POST', '/v1/pools/p/accounts', 'cy@example.test:pw-cy:rt-cy\n# comment\n\nnot a line\nann@example.test:pw\n', { contentType: 'text/plain' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.lines.map((l: { line: number; result: string }) => [l.line, l.result]), [[1, 'imported'], [4, 'invalid'], [5, 'duplicate']]);
    ids.cy = r.body.lines[0].accountId;
    const get = await t.call('GET', `/v1/accounts/${ids.cy}?position=${r.body.position}`);
    assert.equal(get.body.login, 'cy@example.test');
    assert.equal(JSON.stringify(get.body).includes('pw-cy'), false, 'no secret in the account view');
  });

  it('refuses imports into an unknown pool or with bad fields, writing nothing', async () => {
    const before = await eventCount();
    assert.equal((await t.call('POST', '/v1/pools/nope/accounts', { accounts: [{ login: 'x@y' }] })).status, 404);
    const bad = await t.call('POST', '/v1/pools/p/accounts', { accounts: [{ login: '', region: { name: 'eu' } }] });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors.map((e: { field: string }) => e.field).sort(), ['accounts.0.login', 'accounts.0.region']);
    assert.equal((await t.call('POST', '/v1/pools/p/accounts', { accounts: [] })).status, 400);
    assert.equal(await eventCount(), before);
  });

  it('disables, enables, cools down and retires, each visible through the read model', async () => {
    const disabled = await t.call('POST', `/v1/accounts/${ids.bob}/disable`, { reason: 'abuse report' });
    assert.equal(disabled.status, 200);
    assert.equal(disabled.body.status, 'disabled');
    let view = await t.call('GET', `/v1/accounts/${ids.bob}?position=${disabled.body.position}`);
    assert.equal(view.body.status, 'disabled');
    assert.equal(view.body.disabledReason, 'abuse report');
    const enabled = await t.call('POST', `/v1/accounts/${ids.bob}/enable`);
    assert.equal(enabled.body.changed, true);
    assert.equal((await t.call('POST', `/v1/accounts/${ids.bob}/enable`)).body.changed, false);

    const cooled = await t.call('POST', `/v1/accounts/${ids.ann}/cooldown`, { durationMs: 60_000, reason: '429 from upstream' });
    view = await t.call('GET', `/v1/accounts/${ids.ann}?position=${cooled.body.position}`);
    assert.equal(view.body.cooldowns[0].reason, '429 from upstream');
    assert.ok(Date.parse(view.body.cooldownUntil) > Date.now());
    const cooling = await t.call('GET', `/v1/accounts?pool=p&status=cooling&position=${cooled.body.position}`);
    assert.deepEqual(cooling.body.items.map((a: { login: string }) => a.login), ['ann@example.test']);
    const ended = await t.call('DELETE', `/v1/accounts/${ids.ann}/cooldown`);
    view = await t.call('GET', `/v1/accounts/${ids.ann}?position=${ended.body.position}`);
    assert.equal(view.body.cooldownUntil, null);

    const retired = await t.call('POST', `/v1/accounts/${ids.cy}/retire`, { reason: 'closed upstream' });
    assert.equal(retired.body.status, 'retired');
    lastWrite = retired.body.position;
    const refused = await t.call('POST', `/v1/accounts/${ids.cy}/enable`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'account_retired');
  });

  it('answers unknown accounts with 404 and bad input with 400 naming the field', async () => {
    assert.equal((await t.call('GET', '/v1/accounts/00000000-0000-4000-8000-000000000000')).status, 404);
    assert.equal((await t.call('POST', '/v1/accounts/00000000-0000-4000-8000-000000000000/disable', { reason: 'x' })).status, 404);
    const bad = await t.call('POST', `/v1/accounts/${ids.ann}/cooldown`, { reason: 'x', until: '2000-01-01T00:00:00Z' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'until');
    const both = await t.call('POST', `/v1/accounts/${ids.ann}/cooldown`, { reason: 'x' });
    assert.equal(both.status, 400);
    assert.equal((await t.call('GET', '/v1/accounts/not-a-uuid')).body.errors[0].field, 'accountId');
    assert.equal((await t.call('GET', '/v1/accounts?status=weird')).body.errors[0].field, 'status');
  });

  it('lists with filters for pool, status, search, capability, region and pagination', async () => {
    const head = (await t.call('GET', `/v1/pools/p?position=${lastWrite}`)).body;
    assert.equal(head.counts.total, 2, 'retired accounts are not counted');
    const all = await t.call('GET', '/v1/accounts?pool=p');
    assert.equal(all.body.total, 3);
    const byCap = await t.call('GET', '/v1/accounts?pool=p&capability=vision');
    assert.deepEqual(byCap.body.items.map((a: { login: string }) => a.login), ['ann@example.test']);
    const byRegion = await t.call('GET', '/v1/accounts?pool=p&region=us');
    assert.deepEqual([byRegion.body.items.map((a: { login: string }) => a.login), byRegion.body.total], [['bob@example.test'], 1]);
    const search = await t.call('GET', '/v1/accounts?search=BOB');
    assert.deepEqual(search.body.items.map((a: { login: string }) => a.login), ['bob@example.test']);
    const retired = await t.call('GET', '/v1/accounts?pool=p&status=retired');
    assert.deepEqual(retired.body.items.map((a: { login: string }) => a.login), ['cy@example.test']);
    const page = await t.call('GET', '/v1/accounts?pool=p&limit=2&offset=2');
    assert.equal(page.body.items.length, 1);
    assert.equal(page.body.total, 3);
    assert.equal((await t.call('GET', '/v1/accounts?limit=0')).status, 400);
  });

  it('pages by cursor through every account once, in order, while accounts are added between pages', async () => {
    await t.call('POST', '/v1/pools', { poolId: 'c', name: 'C' });
    const logins = Array.from({ length: 25 }, (_, i) => `u${String(i).padStart(2, '0')}@example.test`);
    const made = await t.call('POST', '/v1/pools/c/accounts', { accounts: logins.filter((_, i) => i % 2 === 0).map((login) => ({ login, password: 'pw' })) });
    const seen: string[] = [];
    let next: string | null = null;
    let added = false;
    do {
      const page = await t.call('GET', `/v1/accounts?pool=c&limit=5&position=${made.body.position}${next ? `&after=${next}` : ''}`);
      assert.equal(page.status, 200);
      seen.push(...page.body.items.map((a: { login: string }) => a.login));
      next = page.body.next;
      if (!added) {
        // Accounts added after the first page, before and after where it ended: a cursor neither repeats nor skips what stays.
        added = true;
        const more = await t.call('POST', '/v1/pools/c/accounts', { accounts: logins.filter((_, i) => i % 2 === 1).map((login) => ({ login, password: 'pw' })) });
        made.body.position = more.body.position;
      }
    } while (next);
    assert.deepEqual(seen, [...seen].sort(), 'in login order');
    assert.equal(new Set(seen).size, seen.length, 'no account twice');
    const evens = logins.filter((_, i) => i % 2 === 0);
    assert.ok(evens.every((l) => seen.includes(l)), 'every account there from the start');
    assert.ok(seen.length > evens.length, 'accounts added past the cursor are reached');
    assert.ok(seen.length < logins.length, 'accounts added before the cursor are not');
  });

  it('refuses a cursor it did not give, or one with an offset, naming the field', async () => {
    const forged = await t.call('GET', '/v1/accounts?after=bm90IGEgY3Vyc29y');
    assert.deepEqual([forged.status, forged.body.errors[0].field], [400, 'after']);
    const first = await t.call('GET', '/v1/accounts?pool=c&limit=2');
    const both = await t.call('GET', `/v1/accounts?pool=c&limit=2&offset=2&after=${first.body.next}`);
    assert.deepEqual([both.status, both.body.errors[0].field], [400, 'offset']);
  });

  it("lists the accounts that reached their pool's daily limit for a model today", async () => {
    await t.call('POST', '/v1/pools', { poolId: 'd', name: 'D' });
    await t.call('POST', '/v1/pools/d/accounts', { accounts: ['x@example.test', 'y@example.test'].map((login) => ({ login, password: 'pw' })) });
    await t.call('PATCH', '/v1/pools/d', { dailyLimits: { small: 3 } });
    const lease = await t.call('POST', '/v1/pools/d/sessions', { count: 2 });
    assert.equal(lease.status, 201);
    const [x, y] = lease.body.leases.map((a: { accountId: string }) => a.accountId);
    const report = (accountId: string, model: string, units: number) => t.call('POST', `/v1/pools/d/sessions/${lease.body.sessionId}/outcomes`, { leaseSecret: lease.body.leaseSecret, accountId, outcome: 'success', model, units });
    await report(x, 'small', 2);
    await report(y, 'small', 1);
    await report(y, 'large', 50);
    let at = (await report(x, 'small', 1)).body.position;
    const reached = async (model: string) => (await t.call('GET', `/v1/accounts?pool=d&limitReached=${model}&position=${at}`)).body;
    assert.deepEqual((await reached('small')).items.map((a: { accountId: string }) => a.accountId), [x]);
    assert.equal((await reached('large')).total, 0, 'no limit is set for large');
    at = (await report(y, 'small', 2)).body.position;
    assert.equal((await reached('small')).total, 2);
    assert.equal((await t.call('GET', '/v1/accounts?limitReached=')).status, 400);
  });

  /** The day a roster with `env` counts a report of usage made now in, and the instant before and after it was made. */
  const usageDayUnder = async (env: Record<string, string>) => {
    const other = await startTestRoster(env);
    try {
      await other.call('POST', '/v1/pools', { poolId: 'z', name: 'Z' });
      await other.call('POST', '/v1/pools/z/accounts', { accounts: [{ login: 'z@example.test', password: 'pw' }] });
      const lease = await other.call('POST', '/v1/pools/z/sessions', { count: 1 });
      const accountId = lease.body.leases[0].accountId as string;
      const before = new Date();
      const { position } = (await other.call('POST', `/v1/pools/z/sessions/${lease.body.sessionId}/outcomes`, {
        leaseSecret: lease.body.leaseSecret, accountId, outcome: 'success', model: 'small', units: 4,
      })).body;
      const after = new Date();
      await other.call('GET', `/v1/accounts?pool=z&position=${position}`);
      const { rows } = await other.db.pool.query("SELECT to_char(day, 'YYYY-MM-DD') AS day, units FROM rm_usage WHERE account_id = $1", [accountId]);
      return { rows: rows.map((r) => [r.day as string, Number(r.units)]), before, after };
    } finally {
      await other.stop();
    }
  };

  it('counts usage by the day of ROSTER_USAGE_TIMEZONE, not of UTC', async () => {
    // Of UTC+14 and UTC-11, at least one has another date than UTC's at any instant.
    const dateIn = (timeZone: string, at = new Date()) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(at);
    const utc = new Date().toISOString().slice(0, 10);
    const zone = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'].find((z) => dateIn(z) !== utc)!;
    const { rows, before, after } = await usageDayUnder({ ROSTER_USAGE_TIMEZONE: zone });
    // (Unless the zone's day turned while the report was made.)
    if (dateIn(zone, before) === dateIn(zone, after)) assert.deepEqual(rows, [[dateIn(zone, before), 4]], `the day in ${zone}, not ${utc}`);
  });

  it('starts the usage day at ROSTER_USAGE_ROLLOVER: before 23:59 UTC, a report counts on the day before', async () => {
    const { rows, before, after } = await usageDayUnder({ ROSTER_USAGE_ROLLOVER: '23:59' });
    // The day that began at 23:59 UTC: yesterday's date, but in the last minute of the UTC day.
    const dayOf = (at: Date) => new Date(at.getTime() - (23 * 60 + 59) * 60_000).toISOString().slice(0, 10);
    if (dayOf(before) === dayOf(after)) assert.deepEqual(rows, [[dayOf(before), 4]]);
  });
});
