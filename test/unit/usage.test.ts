import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideAccount, evolveAccount, exhaustedModels, initialAccountState, isAllocatable, REFUSED_AGAIN,
  type AccountCommand, type AccountEvent, type AccountState, type CooldownPolicy,
} from '../../src/domain/account.ts';
import { nextUsageDay, usageDay } from '../../src/domain/usage-day.ts';
import { decider } from '../support/gwt.ts';

const now = Date.parse('2026-11-21T10:00:00Z');
const at = new Date(now).toISOString();
const spec = decider<AccountState, AccountCommand, AccountEvent>(decideAccount, evolveAccount, initialAccountState);
const imported: AccountEvent = {
  type: 'AccountImported', data: { accountId: 'a', poolId: 'p', login: 'x@example.test', capabilities: [], region: null, credentials: null, at },
};
const policy: CooldownPolicy = { baseMs: 10_000, maxMs: 60_000, failureThreshold: 3, failureWindowMs: 60_000 };
const report = (outcome: 'success' | 'rate_limited' | 'server_error' | 'timeout' | 'refused' | 'no_credits', extra: Partial<Extract<AccountCommand, { type: 'ReportUsage' }>> = {}): AccountCommand =>
  ({ type: 'ReportUsage', accountId: 'a', sessionId: 's', outcome, units: 0, day: '2026-11-21', policy, now, ...extra });
/** The events a sequence of commands produces, each decided on the state the previous ones left. */
function run(commands: AccountCommand[], given: AccountEvent[] = [imported]): { events: AccountEvent[]; state: AccountState } {
  let state = given.reduce(evolveAccount, initialAccountState());
  const events: AccountEvent[] = [];
  for (const c of commands) {
    const out = decideAccount(c, state);
    if (!Array.isArray(out)) throw out;
    events.push(...out);
    state = out.reduce(evolveAccount, state);
  }
  return { events, state };
}
const cooldowns = (events: AccountEvent[]) => events.filter((e) => e.type === 'AccountCooledDown').map((e) => e.data as { until: string; reason: string; model?: string });

describe('usage, cooldowns and credits', () => {
  it('a 429 with Retry-After cools the account for exactly that long, for one model when one is named', () => {
    spec.given([imported]).when(report('rate_limited', { retryAfterMs: 30_000, model: 'gpt-5' })).then((events) => {
      assert.deepEqual(events.map((e) => e.type), ['UsageReported', 'AccountCooledDown']);
      const [c] = cooldowns(events);
      assert.equal(c!.until, new Date(now + 30_000).toISOString());
      assert.equal(c!.model, 'gpt-5');
      assert.match(c!.reason, /Retry-After 30s/);
    });
  });
  it('429s without Retry-After back off exponentially from the base up to the maximum; a success resets it', () => {
    const { events } = run([report('rate_limited'), report('rate_limited'), report('rate_limited'), report('rate_limited'), report('success'), report('rate_limited')]);
    const lengths = cooldowns(events).map((c) => Date.parse(c.until) - now);
    assert.deepEqual(lengths, [10_000, 20_000, 40_000, 60_000, 10_000]);
  });
  it('N failures within the window cool the whole account down, and a successful probe ends that cooldown', () => {
    const spread = [report('server_error', { now: now - 120_000 }), report('timeout'), report('server_error')];
    assert.equal(cooldowns(run(spread).events).length, 0, 'the first failure fell out of the window');
    const { events, state } = run([report('server_error'), report('timeout'), report('server_error')]);
    const [c] = cooldowns(events);
    assert.ok(c && !c.model);
    assert.match(c.reason, /3 failures within 60s/);
    assert.equal(isAllocatable(state, now + 1), false);
    const probed = decideAccount({ type: 'RecordProbe', accountId: 'a', healthy: true, credits: 5, recover: true, now: now + 1 }, state) as AccountEvent[];
    assert.deepEqual(probed.map((e) => e.type), ['CreditsChecked', 'CooldownEnded']);
    const after = probed.reduce(evolveAccount, state);
    assert.equal(isAllocatable(after, now + 1), true);
    assert.equal(after.credits, 5);
    const unhealthy = decideAccount({ type: 'RecordProbe', accountId: 'a', healthy: false, credits: 5, recover: true, now: now + 1 }, state) as AccountEvent[];
    assert.deepEqual(unhealthy.map((e) => e.type), ['CreditsChecked'], 'an unhealthy probe ends nothing');
    const afterUse = decideAccount({ type: 'RecordProbe', accountId: 'a', healthy: true, credits: 5, recover: false, now: now + 1 }, state) as AccountEvent[];
    assert.deepEqual(afterUse.map((e) => e.type), ['CreditsChecked'], 'a probe after use only records credits');
  });
  it('a probe does not end a cooldown the upstream asked for with Retry-After', () => {
    const { state } = run([report('rate_limited', { retryAfterMs: 60_000 })]);
    const probed = decideAccount({ type: 'RecordProbe', accountId: 'a', healthy: true, credits: 1, recover: true, now: now + 1 }, state) as AccountEvent[];
    assert.deepEqual(probed.map((e) => e.type), ['CreditsChecked']);
  });
  it('a refused credential cools the account for every model until new credentials, once; a 5xx after it does not end that', () => {
    const { events, state } = run([report('refused', { model: 'gpt-5' }), report('refused', { model: 'mini' })]);
    assert.deepEqual(events.map((e) => e.type), ['UsageReported', 'AccountCooledDown', 'UsageReported'], 'one cooldown while it runs');
    const [c] = cooldowns(events);
    assert.equal(c!.model, undefined);
    assert.equal(c!.until, new Date(now + policy.maxMs).toISOString(), 'at most the longest cooldown');
    assert.equal(isAllocatable(state, now + 1), false);
    assert.deepEqual(state.failures, [], 'a refusal is no failure towards the threshold');
    const failing = run([report('server_error'), report('server_error'), report('server_error')], [imported, ...events]).state;
    assert.ok(failing.cooldowns.some((x) => x.untilRotated), 'a later cooldown for every model keeps the refusal\'s');
    const rotated = evolveAccount(failing, { type: 'CredentialsRotated', data: { accountId: 'a', version: 2, fingerprint: 'f2', expiresAt: null, at } });
    assert.deepEqual(rotated.cooldowns.map((x) => x.reason), ['3 failures within 60s'], 'new credentials end the refusal\'s cooldown, and only it');
    const probed = decideAccount({ type: 'RecordProbe', accountId: 'a', healthy: true, credits: null, recover: true, now: now + 1 }, state) as AccountEvent[];
    assert.equal(isAllocatable(probed.reduce(evolveAccount, state), now + 1), true, 'a healthy probe ends it too');
  });
  it('an unblamed failure (the request may have caused it) is recorded and counts toward no cooldown', () => {
    const { events, state } = run([report('server_error', { unblamed: true }), report('timeout', { unblamed: true }), report('server_error', { unblamed: true }), report('server_error')]);
    assert.deepEqual(events.map((e) => e.type), ['UsageReported', 'UsageReported', 'UsageReported', 'UsageReported'], 'three failures, one blamed: below the threshold');
    assert.deepEqual(events.map((e) => (e.data as { unblamed?: boolean }).unblamed), [true, true, true, undefined]);
    assert.equal(state.failures.length, 1);
    assert.deepEqual(run([report('server_error'), report('server_error'), report('server_error')]).events.filter((e) => e.type === 'AccountCooledDown').length, 1, 'three blamed cool it');
  });
  it('a credential refused again soon after its cooldown ran out, with nothing new since, disables the account; long after, or after new credentials, it cools again', () => {
    const first = run([report('refused')]);
    const again = run([report('refused', { now: now + policy.maxMs + 1000 })], [imported, ...first.events]);
    assert.deepEqual(again.events.map((e) => e.type), ['UsageReported', 'AccountDisabled']);
    assert.equal(again.state.status, 'disabled');
    assert.equal(again.state.disabledReason, REFUSED_AGAIN);
    assert.deepEqual(run([report('refused', { now: now + policy.maxMs + 2000 })], [imported, ...first.events, ...again.events]).events.map((e) => e.type), ['UsageReported'], 'once');
    const later = run([report('refused', { now: now + 2 * policy.maxMs + 1000 })], [imported, ...first.events]);
    assert.deepEqual(later.events.map((e) => e.type), ['UsageReported', 'AccountCooledDown'], 'refused long after: another cooldown');
    const rotated: AccountEvent = { type: 'CredentialsRotated', data: { accountId: 'a', version: 2, fingerprint: 'f2', expiresAt: null, at } };
    assert.deepEqual(run([report('refused', { now: now + policy.maxMs + 1000 })], [imported, ...first.events, rotated]).events.map((e) => e.type), ['UsageReported', 'AccountCooledDown'], 'new credentials since: another cooldown');
    const ended: AccountEvent = { type: 'CooldownEnded', data: { accountId: 'a', reason: 'probe succeeded', probe: true, at } };
    assert.deepEqual(run([report('refused', { now: now + policy.maxMs + 1000 })], [imported, ...first.events, ended]).events.map((e) => e.type), ['UsageReported', 'AccountCooledDown'], 'a healthy probe since: another cooldown');
  });
  it('an upstream saying the account has no credits cools it for every model for the longest cooldown, once while it runs, until a probe finds credits', () => {
    const { events, state } = run([report('no_credits', { model: 'gpt-5' }), report('no_credits')]);
    assert.deepEqual(events.map((e) => e.type), ['UsageReported', 'AccountCooledDown', 'UsageReported']);
    const [c] = cooldowns(events);
    assert.deepEqual([c!.model, c!.until, c!.reason], [undefined, new Date(now + policy.maxMs).toISOString(), 'the upstream says it has no credits left']);
    assert.equal(isAllocatable(state, now + policy.maxMs - 1), false);
    const probed = decideAccount({ type: 'RecordProbe', accountId: 'a', healthy: true, credits: 0, recover: true, now: now + 1 }, state) as AccountEvent[];
    assert.deepEqual(probed.map((e) => e.type), ['CreditsChecked'], 'a probe that finds none does not end it');
    const found = decideAccount({ type: 'RecordProbe', accountId: 'a', healthy: true, credits: 5, recover: true, now: now + 1 }, state) as AccountEvent[];
    assert.deepEqual(found.map((e) => e.type), ['CreditsChecked', 'CooldownEnded']);
    assert.equal(isAllocatable(found.reduce(evolveAccount, state), now + 1), true, 'one that finds credits does');
    assert.equal(run([report('no_credits')], [imported, ...events]).events.length, 1, 'nor does a later report lengthen it');
    assert.equal(run([report('no_credits', { now: now + policy.maxMs })], [imported, ...events]).events.length, 2, 'once over, the next report cools it again');
  });
  it('usage adds up per model and day, reaches the daily limit, and starts again on a new day', () => {
    const { state } = run([report('success', { model: 'gpt-5', units: 600 }), report('success', { model: 'gpt-5', units: 400 }), report('success', { model: 'mini', units: 5 })]);
    assert.deepEqual(state.usage, { day: '2026-11-21', units: { 'gpt-5': 1000, mini: 5 } });
    assert.deepEqual(exhaustedModels(state, '2026-11-21', { 'gpt-5': 1000, mini: 10 }), ['gpt-5']);
    assert.deepEqual(exhaustedModels(state, '2026-11-22', { 'gpt-5': 1000 }), [], 'the next day has used nothing');
    const next = run([report('success', { model: 'gpt-5', units: 1000 }), report('success', { model: 'gpt-5', units: 1, day: '2026-11-22' })]).state;
    assert.deepEqual(next.usage.units, { 'gpt-5': 1 });
  });
  it('usage days roll over at the configured time in the configured time zone', () => {
    assert.equal(usageDay(Date.parse('2026-11-22T03:59:00Z'), 'UTC', '04:00'), '2026-11-21');
    assert.equal(usageDay(Date.parse('2026-11-22T04:00:00Z'), 'UTC', '04:00'), '2026-11-22');
    // New York is UTC-5 in November: midnight local is 05:00 UTC.
    assert.equal(usageDay(Date.parse('2026-11-22T04:59:00Z'), 'America/New_York', '00:00'), '2026-11-21');
    assert.equal(usageDay(Date.parse('2026-11-22T05:00:00Z'), 'America/New_York', '00:00'), '2026-11-22');
  });
  it('the next usage day begins at the rollover, within a second, across a daylight-saving change', () => {
    const near = (got: number, want: string) => assert.ok(got >= Date.parse(want) && got < Date.parse(want) + 1000, `${new Date(got).toISOString()} ≈ ${want}`);
    near(nextUsageDay(Date.parse('2026-11-22T03:00:00Z'), 'UTC', '04:00'), '2026-11-22T04:00:00Z');
    near(nextUsageDay(Date.parse('2026-11-22T04:00:00Z'), 'UTC', '04:00'), '2026-11-23T04:00:00Z');
    // New York leaves daylight saving on 2026-11-01: that day lasts 25 hours.
    near(nextUsageDay(Date.parse('2026-11-01T04:30:00Z'), 'America/New_York', '00:00'), '2026-11-02T05:00:00Z');
  });
  it('credentials rotate with a rising version', () => {
    const { events, state } = run([
      { type: 'RotateCredentials', accountId: 'a', fingerprint: 'f1', expiresAt: null, now },
      { type: 'RotateCredentials', accountId: 'a', fingerprint: 'f2', expiresAt: '2026-11-21T11:00:00.000Z', now },
    ]);
    assert.deepEqual(events.map((e) => (e.data as { version: number }).version), [1, 2]);
    assert.equal(state.credentials.expiresAt, '2026-11-21T11:00:00.000Z');
  });
});
