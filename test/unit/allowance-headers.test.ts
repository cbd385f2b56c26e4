import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowanceHeaders, resetIn } from '../../src/http/allowance-headers.ts';
import { tighter } from '../../src/domain/limits.ts';

describe('allowance headers', () => {
  it('write a reset as OpenAI does: milliseconds under a second, else seconds with minutes before', () => {
    assert.deepEqual([0, 250, 999, 1000, 1001, 12_000, 59_999, 60_000, 63_200].map(resetIn), ['0ms', '250ms', '999ms', '1s', '2s', '12s', '1m0s', '1m0s', '1m4s']);
  });

  it('name each limit the caller has in its SDK\'s words, and none it has not', () => {
    const now = Date.parse('2026-12-07T10:00:00.000Z');
    const allowances = { requests: { limit: 60, remaining: 59, resetMs: 30_500 }, tokens: { limit: 1000, remaining: -20, resetMs: 400 } };
    assert.deepEqual(allowanceHeaders(allowances, 'openai', now), {
      'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '59', 'x-ratelimit-reset-requests': '31s',
      'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '400ms',
    });
    assert.deepEqual(allowanceHeaders(allowances, 'anthropic', now), {
      'anthropic-ratelimit-requests-limit': '60', 'anthropic-ratelimit-requests-remaining': '59', 'anthropic-ratelimit-requests-reset': '2026-12-07T10:00:31Z',
      'anthropic-ratelimit-tokens-limit': '1000', 'anthropic-ratelimit-tokens-remaining': '0', 'anthropic-ratelimit-tokens-reset': '2026-12-07T10:00:01Z',
    });
    assert.deepEqual(allowanceHeaders({ tokens: allowances.tokens }, 'openai', now), { 'x-ratelimit-limit-tokens': '1000', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '400ms' });
    assert.deepEqual(allowanceHeaders(undefined, 'openai', now), {});
  });

  it('show the tighter of a key\'s and its user\'s: the one with fewer left', () => {
    const key = { limit: 100, remaining: 40, resetMs: 1000 };
    const user = { limit: 60, remaining: 50, resetMs: 2000 };
    assert.equal(tighter(tighter(undefined, key), user), key);
    assert.equal(tighter(tighter(undefined, user), key), key);
  });
});
