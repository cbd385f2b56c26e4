/**
 * The account index's cached candidates (projections/account-index.ts): the models an
 * account cools for are listed until the reaper's refresh after their cooldowns end, and
 * the refresh looks only at the accounts cooling for a model.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialAccountState, type AccountState, type Cooldown } from '../../src/domain/account.ts';
import { AccountIndex } from '../../src/projections/account-index.ts';

// An hour ahead: the index makes candidates at the real time, when these cooldowns still run.
const now = Date.now() + 3_600_000;
const state = (cooldowns: Cooldown[] = []): AccountState => ({ ...initialAccountState(), exists: true, poolId: 'p', login: 'x', status: 'active', cooldowns });

describe('the account index\'s candidates', () => {
  it('lists the models an account cools for until a refresh after they end, and refreshes only those accounts', () => {
    const index = new AccountIndex();
    for (let i = 0; i < 1000; i++) index.set(`a${i}`, state(), 1);
    index.set('a1', state([{ until: now + 1000, reason: '429', model: 'm' }, { until: now + 5000, reason: '429', model: 'n' }]), 2);
    index.set('a2', state([{ until: now + 1000, reason: '429', model: 'm' }]), 2);
    index.set('a3', state([{ until: now + 1000, reason: '429', model: 'm' }]), 2);
    index.set('a3', state(), 3); // its cooldown ended by an event
    const models = (id: string) => index.find(id)!.candidate.coolingModels;
    // Looked-up entries are counted through the pool's map.
    const pool = index.pool('p');
    let looked = 0;
    const get = pool.get.bind(pool);
    pool.get = (id: string) => (looked++, get(id));
    index.refreshCandidates('p', now + 2000);
    assert.equal(looked, 2, 'the two accounts cooling for a model, not the thousand');
    assert.deepEqual([models('a1'), models('a2'), models('a3')], [['n'], [], []]);
    looked = 0;
    index.refreshCandidates('p', now + 6000);
    assert.equal(looked, 1);
    assert.deepEqual(models('a1'), []);
    looked = 0;
    index.refreshCandidates('p', now + 7000);
    assert.equal(looked, 0, 'none cools for a model any more');
  });
});
