import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RosterEvent } from '../../src/domain/catalog.ts';
import { holderAt, holdings, stateAsOf, type PastEvent } from '../../src/domain/history.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const t = (hh: string) => new Date(`2026-11-21T${hh}:00Z`);
// Events written by hand, as they would be read: the codec's check is the store's business.
const ev = (stream: string, type: string, at: string, data: object): PastEvent => ({ stream, recordedAt: t(at), ...({ type, data } as RosterEvent) });

// A timeline written by hand: imported at 09:00, leased by "alpha" 09:10–09:20 (released),
// disabled 09:30, enabled 09:40, leased by "beta" 09:50 with expiry 10:00, renewed to
// 10:10, then expired by the reaper at 10:12.
const account = [
  ev(`account-${A}`, 'AccountImported', '09:00', { accountId: A, poolId: 'p', login: 'a@example.test', capabilities: ['chat'], region: null, credentials: null, at: t('09:00').toISOString() }),
  ev(`account-${A}`, 'AccountDisabled', '09:30', { accountId: A, reason: 'operator', at: t('09:30').toISOString() }),
  ev(`account-${A}`, 'AccountEnabled', '09:40', { accountId: A, at: t('09:40').toISOString() }),
];
const lease = (sessionId: string, holder: string, at: string, expires: string, accountId = A) =>
  ev('pool-p', 'SessionAllocated', at, { sessionId, holder, secretHash: 'h', leases: [{ accountId, fence: 1 }], at: t(at).toISOString(), expiresAt: t(expires).toISOString() });
const ledger = [
  lease('s1', 'alpha', '09:10', '09:40'),
  lease('s0', 'other', '09:12', '09:40', B),
  ev('pool-p', 'SessionReleased', '09:20', { sessionId: 's1', accountIds: [A], at: t('09:20').toISOString() }),
  lease('s2', 'beta', '09:50', '10:00'),
  ev('pool-p', 'SessionRenewed', '09:55', { sessionId: 's2', accountIds: [A], expiresAt: t('10:10').toISOString(), at: t('09:55').toISOString() }),
  ev('pool-p', 'SessionExpired', '10:12', { sessionId: 's2', accountIds: [A], at: t('10:10').toISOString() }),
];

describe('account history', () => {
  it('state as of an instant folds only what was recorded by then', () => {
    assert.equal(stateAsOf(account, t('08:59')).exists, false);
    assert.equal(stateAsOf(account, t('09:00')).status, 'active');
    assert.equal(stateAsOf(account, t('09:35')).status, 'disabled');
    assert.equal(stateAsOf(account, t('09:35')).disabledReason, 'operator');
    assert.equal(stateAsOf(account, t('09:45')).status, 'active');
  });

  it('who held the account at each instant', () => {
    const who = (hh: string) => holderAt(ledger, A, t(hh))?.holder ?? null;
    assert.deepEqual(['09:05', '09:15', '09:25', '09:52', '10:05', '10:11', '10:30'].map(who),
      [null, 'alpha', null, 'beta', 'beta', null, null]);
    assert.equal(holderAt(ledger, B, t('09:15'))?.holder, 'other');
  });

  it('lists every lease with its end', () => {
    assert.deepEqual(holdings(ledger, A).map((h) => [h.sessionId, h.holder, h.from.slice(11, 16), h.until.slice(11, 16), h.end]), [
      ['s1', 'alpha', '09:10', '09:20', 'released'],
      ['s2', 'beta', '09:50', '10:10', 'expired'],
    ]);
  });
});
