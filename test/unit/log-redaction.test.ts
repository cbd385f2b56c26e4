import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactCredentials } from '../../src/http/log-redaction.ts';

describe('log redaction', () => {
  it('cuts each of Roster\'s credentials to the part lists show, wherever it is in a URL', () => {
    const key = `rk_${'0123456789abcdef'.repeat(2)}_${'A1b2-_'.repeat(7)}x`;
    const admin = 'roster_1a2b3c4d_' + 'Zz09-_'.repeat(5);
    const refresh = 'rt_' + 'q'.repeat(43);
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';
    assert.equal(redactCredentials(`/v1/users?keyPrefix=${key}&limit=5`), '/v1/users?keyPrefix=rk_01234567…&limit=5');
    assert.equal(redactCredentials(`/v1/keys/${key}`), '/v1/keys/rk_01234567…');
    assert.equal(redactCredentials(`/x?t=${admin}`), '/x?t=roster_1a2b3c4d_…');
    assert.equal(redactCredentials(`/x?r=${refresh}&j=${jwt}`), '/x?r=rt_…&j=eyJ…');
  });

  it('leaves what is not a credential as it was: ids, emails, prefixes, words', () => {
    for (const url of [
      '/v1/pools/default/sessions/11111111-2222-4333-8444-555555555555/renew', '/api/accounts/ann@example.test', '/v1/users?keyPrefix=rk_01234567',
      '/v1/pools/art_rt_pool', '/v1/history?position=123', '/v1/pools/roster_pool',
    ]) assert.equal(redactCredentials(url), url);
  });
});
