import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPoolConfig, type PoolConfig, type Strategy } from '../../src/domain/pool.ts';
import {
  decideLedger, evolveLedger, initialLedger, type Candidate, type LedgerCommand, type LedgerEvent, type LedgerState,
} from '../../src/domain/ledger.ts';
import { auditLedger } from '../../src/domain/audit.ts';
import { decider } from '../support/gwt.ts';

const now = Date.parse('2026-01-01T00:00:00Z');
const at = (t = now) => new Date(t).toISOString();
const config: PoolConfig = { ...defaultPoolConfig, name: 'P', defaultLeaseTtlMs: 60_000, maxLeaseTtlMs: 120_000 };
const withConfig = (c: PoolConfig) => decider<LedgerState, LedgerCommand, LedgerEvent>((cmd, s) => decideLedger(cmd, s, c), evolveLedger, initialLedger);
const spec = withConfig(config);
const candidate = (accountId: string, extra: Partial<Candidate> = {}): Candidate => ({ accountId, capabilities: [], region: null, coolingModels: [], credits: null, ...extra });
const allocate = (sessionId: string, candidates: Candidate[], extra: Partial<Extract<LedgerCommand, { type: 'Allocate' }>> = {}): LedgerCommand =>
  ({ type: 'Allocate', sessionId, count: 1, holder: 'h', secretHash: 'S', candidates, random: 0.5, now, ...extra });
const allocated = (sessionId: string, accountId: string, fence = 1, t = now): LedgerEvent => ({
  type: 'SessionAllocated',
  data: { sessionId, leases: [{ accountId, fence }], holder: 'h', secretHash: 'S', expiresAt: at(t + 60_000), at: at(t) },
});
const released = (sessionId: string, accountId: string): LedgerEvent => ({ type: 'SessionReleased', data: { sessionId, accountIds: [accountId], at: at() } });

describe('allocation ledger', () => {
  it('allocates a free account with fence 1 and the default TTL', () => {
    spec.given([]).when(allocate('s1', [candidate('a')])).then([allocated('s1', 'a')]);
  });
  it('never leases an account held by a live session', () => {
    spec.given([allocated('s1', 'a')]).when(allocate('s2', [candidate('a')])).thenError('no_account_available');
    spec.given([allocated('s1', 'a')]).when(allocate('s2', [candidate('a'), candidate('b')]))
      .then((events) => assert.deepEqual((events[0]!.data as { leases: unknown }).leases, [{ accountId: 'b', fence: 1 }]));
  });
  it('raises the fence each time an account is leased again', () => {
    spec.given([allocated('s1', 'a'), released('s1', 'a')]).when(allocate('s2', [candidate('a')])).then([allocated('s2', 'a', 2)]);
  });
  it('holds a holder to its sessions at once: live and unexpired sessions whose holder has the prefix count', () => {
    const held = (sessionId: string, accountId: string, holder: string, t = now): LedgerEvent => ({
      type: 'SessionAllocated', data: { sessionId, leases: [{ accountId, fence: 1 }], holder, secretHash: 'S', expiresAt: at(t + 60_000), at: at(t) },
    });
    const given = [held('s1', 'a', 'user:u/key:k'), held('s2', 'b', 'user:u/key:j')];
    const free = [candidate('c'), candidate('d')];
    spec.given(given).when(allocate('s3', free, { holder: 'user:u/key:k', holderLimits: [{ prefix: 'user:u/key:k', max: 1 }] })).thenError('session_limit');
    spec.given(given).when(allocate('s3', free, { holder: 'user:u/key:k', holderLimits: [{ prefix: 'user:u/key:k', max: 2 }] })).then((e) => assert.equal(e.length, 1));
    spec.given(given).when(allocate('s3', free, { holder: 'user:u/key:k', holderLimits: [{ prefix: 'user:u', max: 2 }] })).thenError('session_limit');
    // Released and overdue sessions hold nothing.
    spec.given([...given, released('s1', 'a')]).when(allocate('s3', free, { holderLimits: [{ prefix: 'user:u/key:k', max: 1 }] })).then((e) => assert.equal(e.length, 1));
    spec.given([held('s1', 'a', 'user:u/key:k', now - 120_000)]).when(allocate('s3', free, { holderLimits: [{ prefix: 'user:u/key:k', max: 1 }] })).then((e) => assert.equal(e.length, 1));
  });
  it('a session held by another holder does not exist for a caller that names its own', () => {
    spec.given([allocated('s1', 'a')]).when({ type: 'Release', sessionId: 's1', secretHash: null, now, holder: 'someone else' }).thenError('session_not_found');
    spec.given([allocated('s1', 'a')]).when({ type: 'Renew', sessionId: 's1', secretHash: null, now, holder: 'someone else' }).thenError('session_not_found');
    spec.given([allocated('s1', 'a')]).when({ type: 'Release', sessionId: 's1', secretHash: null, now, holder: 'h' }).then([released('s1', 'a')]);
  });
  it('refuses a TTL above the pool maximum, naming the field', () => {
    spec.given([]).when(allocate('s1', [candidate('a')], { ttlMs: 500_000 })).thenError('invalid_input', 'ttlMs');
  });
  it('refuses a session id while its session is live', () => {
    spec.given([allocated('s1', 'a')]).when(allocate('s1', [candidate('b')])).thenError('session_exists');
  });
  it('allocates an ended session\'s id again, as a new session with its own fences', () => {
    spec.given([allocated('s1', 'a'), released('s1', 'a')]).when(allocate('s1', [candidate('a')])).then([allocated('s1', 'a', 2)]);
    const expired: LedgerEvent = { type: 'SessionExpired', data: { sessionId: 's1', accountIds: ['a'], at: at() } };
    spec.given([allocated('s1', 'a'), expired]).when(allocate('s1', [candidate('a')])).then([allocated('s1', 'a', 2)]);
  });
  it('expires a live session past its expiry before its id is allocated again, in the same decision', () => {
    const old = now - 120_000;
    const overdue: LedgerEvent = { type: 'SessionExpired', data: { sessionId: 's1', accountIds: ['a'], at: at() } };
    spec.given([allocated('s1', 'a', 1, old)]).when(allocate('s1', [candidate('a')])).then([overdue, allocated('s1', 'a', 2)]);
    spec.given([allocated('s1', 'a', 1, old)]).when(allocate('s2', [candidate('a')])).thenError('no_account_available');
  });
  it('audits a reused session id as sound, and one allocated while live as a violation', () => {
    const log = (events: LedgerEvent[]) => events.map((e, revision) => ({ ...e, revision }));
    const reused = auditLedger(log([allocated('s1', 'a'), released('s1', 'a'), allocated('s1', 'a', 2)]), now);
    assert.deepEqual([reused.violations, reused.sessions, reused.live, reused.released], [[], 2, 1, 1]);
    const twice = auditLedger(log([allocated('s1', 'a'), allocated('s1', 'b')]), now);
    assert.match(twice.violations.join(), /s1 allocated while live/);
  });
  it('filters by capability, region and model cooldown', () => {
    const cs = [candidate('a', { capabilities: ['x'] }), candidate('b', { capabilities: ['x', 'y'], region: 'eu', coolingModels: ['m1'] }), candidate('c', { capabilities: ['x', 'y'], region: 'eu' })];
    const leased = (filter: object) => {
      const r = spec.given([]).when(allocate('s', cs, { filter, count: 1 })).result;
      return Array.isArray(r) ? (r[0]!.data as { leases: { accountId: string }[] }).leases.map((l) => l.accountId) : r.code;
    };
    assert.deepEqual(leased({ capabilities: ['y'], model: 'm1' }), ['c']);
    assert.deepEqual(leased({ region: 'us' }), 'no_account_available');
  });
  it('needs the lease secret to renew or release, unless an operator acts', () => {
    const given = spec.given([allocated('s1', 'a')]);
    given.when({ type: 'Release', sessionId: 's1', secretHash: 'wrong', now }).thenError('lease_secret_mismatch');
    given.when({ type: 'Renew', sessionId: 's1', secretHash: 'wrong', now }).thenError('lease_secret_mismatch');
    given.when({ type: 'Release', sessionId: 's1', secretHash: null, now }).then([released('s1', 'a')]);
    given.when({ type: 'Renew', sessionId: 's1', secretHash: 'S', ttlMs: 90_000, now })
      .then([{ type: 'SessionRenewed', data: { sessionId: 's1', accountIds: ['a'], expiresAt: at(now + 90_000), at: at() } }]);
  });
  it('a gateway\'s claim is released by its node only (with the claim\'s secret), not by an operator', () => {
    const claimed: LedgerEvent = {
      type: 'SessionAllocated', data: { sessionId: 'g1', leases: [{ accountId: 'a', fence: 1 }], holder: 'gateway:n1', secretHash: 'G', expiresAt: at(now + 60_000), at: at() },
    };
    const given = spec.given([claimed]);
    given.when({ type: 'Release', sessionId: 'g1', secretHash: null, now }).thenError('gateway_claim');
    given.when({ type: 'Release', sessionId: 'g1', secretHash: 'wrong', now }).thenError('lease_secret_mismatch');
    given.when({ type: 'Release', sessionId: 'g1', secretHash: 'G', now }).then([{ type: 'SessionReleased', data: { sessionId: 'g1', accountIds: ['a'], at: at() } }]);
    // An overdue claim still expires like any lease (the node died).
    spec.given([claimed]).when({ type: 'ExpireOverdue', now: now + 60_000 })
      .then([{ type: 'SessionExpired', data: { sessionId: 'g1', accountIds: ['a'], at: at(now + 60_000) } }]);
  });
  it('releases once; a second release changes nothing; an expired session cannot be renewed', () => {
    spec.given([allocated('s1', 'a'), released('s1', 'a')]).when({ type: 'Release', sessionId: 's1', secretHash: 'S', now }).then([]);
    spec.given([allocated('s1', 'a')]).when({ type: 'Renew', sessionId: 's1', secretHash: 'S', now: now + 60_000 }).thenError('session_ended');
    spec.given([]).when({ type: 'Release', sessionId: 'nope', secretHash: null, now }).thenError('session_not_found');
  });
  it('expires overdue sessions only, which frees their accounts', () => {
    const given = spec.given([allocated('s1', 'a'), allocated('s2', 'b', 1, now + 30_000)]);
    given.when({ type: 'ExpireOverdue', now: now + 60_000 })
      .then([{ type: 'SessionExpired', data: { sessionId: 's1', accountIds: ['a'], at: at(now + 60_000) } }]);
    const after = spec.given([allocated('s1', 'a'), { type: 'SessionExpired', data: { sessionId: 's1', accountIds: ['a'], at: at() } }]);
    assert.equal(after.state.leasedTo.has('a'), false);
  });

  const pickFrom = (strategy: Strategy, history: LedgerEvent[], count = 1) => {
    const r = withConfig({ ...config, strategy }).given(history).when(allocate('next', ['a', 'b', 'c'].map((id) => candidate(id)), { count })).result;
    assert.ok(Array.isArray(r));
    return (r[0]!.data as { leases: { accountId: string }[] }).leases.map((l) => l.accountId);
  };
  const history = [allocated('s1', 'b', 1, now), released('s1', 'b'), allocated('s2', 'a', 1, now + 1), released('s2', 'a'), allocated('s3', 'b', 2, now + 2), released('s3', 'b')];
  it('least-recently-used picks the account unused longest (never used first)', () => {
    assert.deepEqual(pickFrom('lru', history), ['c']);
    assert.deepEqual(pickFrom('lru', history, 3), ['c', 'a', 'b']);
  });
  it('least-used picks the account with the fewest leases', () => {
    assert.deepEqual(pickFrom('least_used', history, 2), ['c', 'a']);
  });
  it('round-robin moves on from the last account leased, wrapping round', () => {
    assert.deepEqual(pickFrom('round_robin', history, 3), ['c', 'a', 'b']);
  });
  it('random picks distinct accounts, the same for the same seed', () => {
    const picked = pickFrom('random', history, 3);
    assert.deepEqual([...picked].sort(), ['a', 'b', 'c']);
    assert.deepEqual(pickFrom('random', history, 3), picked);
  });
});

describe('ledger audit', () => {
  const withRevisions = (events: LedgerEvent[]) => events.map((e, revision) => ({ ...e, revision }));
  it('finds nothing wrong in a sound ledger', () => {
    const audit = auditLedger(withRevisions([allocated('s1', 'a'), released('s1', 'a'), allocated('s2', 'a', 2)]));
    assert.deepEqual(audit.violations, []);
    assert.equal(audit.live, 1);
  });
  it('reports a double lease, a fence that does not rise, a gap and an end of a dead session', () => {
    const events = withRevisions([allocated('s1', 'a'), allocated('s2', 'a', 1), released('s1', 'a'), released('s1', 'a')]);
    events[3]!.revision = 5;
    const v = auditLedger(events).violations;
    assert.equal(v.length, 4, v.join('\n'));
    assert.match(v[0]!, /while live session s1 holds it/);
    assert.match(v[1]!, /fence 1 for a not above 1/);
    assert.match(v[2]!, /revision 5 where 3/);
    assert.match(v[3]!, /not live/);
  });
});
