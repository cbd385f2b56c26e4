import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideAccount, evolveAccount, initialAccountState, isAllocatable,
  type AccountCommand, type AccountEvent, type AccountState,
} from '../../src/domain/account.ts';
import { decider } from '../support/gwt.ts';

const now = Date.parse('2026-01-01T00:00:00Z');
const at = new Date(now).toISOString();
const spec = decider<AccountState, AccountCommand, AccountEvent>(decideAccount, evolveAccount, initialAccountState);
const imported: AccountEvent = {
  type: 'AccountImported',
  data: { accountId: 'a', poolId: 'p', login: 'x@example.test', capabilities: ['gpt'], region: 'eu', credentials: { fingerprint: 'f', expiresAt: null }, at },
};

describe('account', () => {
  it('is imported once', () => {
    spec.given([]).when({ type: 'ImportAccount', accountId: 'a', poolId: 'p', login: 'x@example.test', capabilities: ['gpt'], region: 'eu', credentials: { fingerprint: 'f', expiresAt: null }, now })
      .then([imported]);
    spec.given([imported]).when({ type: 'ImportAccount', accountId: 'a', poolId: 'p', login: 'x', capabilities: [], region: null, credentials: null, now })
      .thenError('account_exists');
  });
  it('is disabled with a reason and is then not allocatable; disabling again changes nothing', () => {
    const disabled: AccountEvent = { type: 'AccountDisabled', data: { accountId: 'a', reason: 'abuse report', at } };
    spec.given([imported]).when({ type: 'DisableAccount', accountId: 'a', reason: 'abuse report', now }).then([disabled]);
    const given = spec.given([imported, disabled]);
    assert.equal(isAllocatable(given.state, now), false);
    given.when({ type: 'DisableAccount', accountId: 'a', reason: 'again', now }).then([]);
    given.when({ type: 'EnableAccount', accountId: 'a', now }).then([{ type: 'AccountEnabled', data: { accountId: 'a', at } }]);
  });
  it('cools down until a time, for all models or one', () => {
    const until = new Date(now + 60_000).toISOString();
    const cooled: AccountEvent = { type: 'AccountCooledDown', data: { accountId: 'a', until, reason: '429', at } };
    spec.given([imported]).when({ type: 'CoolDownAccount', accountId: 'a', until: now + 60_000, reason: '429', now }).then([cooled]);
    const state = spec.given([imported, cooled]).state;
    assert.equal(isAllocatable(state, now), false);
    assert.equal(isAllocatable(state, now + 60_000), true, 'the cooldown ends at its time');
    const modelOnly = spec.given([imported, { type: 'AccountCooledDown', data: { accountId: 'a', until, reason: '429', model: 'gpt-5', at } }]).state;
    assert.equal(isAllocatable(modelOnly, now), true, 'a model cooldown leaves the account allocatable');
  });
  it('refuses a cooldown that ends in the past, naming the field', () => {
    spec.given([imported]).when({ type: 'CoolDownAccount', accountId: 'a', until: now - 1, reason: 'x', now }).thenError('invalid_input', 'until');
  });
  it('ends a running cooldown, and only a running one', () => {
    const cooled: AccountEvent = { type: 'AccountCooledDown', data: { accountId: 'a', until: new Date(now + 1000).toISOString(), reason: '429', at } };
    spec.given([imported, cooled]).when({ type: 'EndCooldown', accountId: 'a', now }).then([{ type: 'CooldownEnded', data: { accountId: 'a', reason: 'ended by operator', at } }]);
    spec.given([imported]).when({ type: 'EndCooldown', accountId: 'a', now }).then([]);
  });
  it('once retired, refuses every change but retiring again', () => {
    const retired: AccountEvent = { type: 'AccountRetired', data: { accountId: 'a', reason: 'gone', at } };
    const given = spec.given([imported, retired]);
    assert.equal(isAllocatable(given.state, now), false);
    given.when({ type: 'EnableAccount', accountId: 'a', now }).thenError('account_retired');
    given.when({ type: 'RetireAccount', accountId: 'a', reason: 'again', now }).then([]);
  });
  it('refuses commands on an account that does not exist', () => {
    spec.given([]).when({ type: 'DisableAccount', accountId: 'a', reason: 'x', now }).thenError('account_not_found');
  });
});
