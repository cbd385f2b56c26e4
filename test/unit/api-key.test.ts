import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideApiKey, evolveApiKey, initialApiKeyState, keyUsable, type ApiKeyCommand, type ApiKeyEvent, type ApiKeyState } from '../../src/domain/api-key.ts';
import { budgetPeriodOf, secondsLeftIn } from '../../src/domain/limits.ts';
import { decider } from '../support/gwt.ts';

const now = Date.parse('2026-12-03T12:00:00Z');
const at = (t = now) => new Date(t).toISOString();
const spec = decider<ApiKeyState, ApiKeyCommand, ApiKeyEvent>(decideApiKey, evolveApiKey, initialApiKeyState);
const keyId = 'k1';
const scopes = { pools: ['default'], models: null, readOnly: false };
const settings = { name: 'ci', scopes, limits: { requestsPerMinute: 60 }, expiresAt: now + 86_400_000 };
const created: ApiKeyEvent = {
  type: 'ApiKeyCreated', data: { keyId, userId: 'u1', name: 'ci', prefix: 'rk_aaaa', scopes, limits: { requestsPerMinute: 60 }, expiresAt: at(now + 86_400_000), at: at() },
};
const revoked: ApiKeyEvent = { type: 'ApiKeyRevoked', data: { keyId, reason: 'leaked', at: at() } };

describe('API key', () => {
  it('is created once, with its scopes, limits and expiry', () => {
    spec.given([]).when({ type: 'CreateKey', keyId, userId: 'u1', prefix: 'rk_aaaa', settings, now }).then([created]);
    spec.given([created]).when({ type: 'CreateKey', keyId, userId: 'u1', prefix: 'rk_aaaa', settings, now }).thenError('key_exists');
  });
  it('rotates and changes while active; a revoked key refuses both, and revoking again writes nothing', () => {
    spec.given([created]).when({ type: 'RotateKey', keyId, prefix: 'rk_aaaa', now }).then([{ type: 'ApiKeyRotated', data: { keyId, prefix: 'rk_aaaa', at: at() } }]);
    spec.given([created, revoked]).when({ type: 'RotateKey', keyId, prefix: 'rk_aaaa', now }).thenError('key_revoked');
    spec.given([created, revoked]).when({ type: 'ChangeKey', keyId, settings, now }).thenError('key_revoked');
    spec.given([created, revoked]).when({ type: 'RevokeKey', keyId, reason: 'again', now }).then([]);
    spec.given([]).when({ type: 'RevokeKey', keyId, reason: 'x', now }).thenError('key_not_found');
  });
  it('works until it expires or is revoked', () => {
    const state = spec.given([created]).state;
    assert.equal(keyUsable(state, now), true);
    assert.equal(keyUsable(state, now + 86_400_000), false);
    assert.equal(keyUsable(spec.given([created, revoked]).state, now), false);
    const changed: ApiKeyEvent = { type: 'ApiKeyChanged', data: { keyId, name: 'ci', scopes: { ...scopes, readOnly: true }, limits: {}, expiresAt: null, at: at() } };
    const after = spec.given([created, changed]).state;
    assert.deepEqual([after.scopes.readOnly, after.expiresAt, keyUsable(after, now + 10 * 86_400_000)], [true, null, true]);
  });
  it('counts budgets by UTC day or month, and says how long is left of one', () => {
    assert.equal(budgetPeriodOf('day', now), '2026-12-03');
    assert.equal(budgetPeriodOf('month', now), '2026-12');
    assert.equal(secondsLeftIn('day', now), 12 * 3600);
    assert.equal(secondsLeftIn('month', Date.parse('2026-12-31T23:59:59Z')), 1);
  });
});
