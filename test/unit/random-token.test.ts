import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { randomToken } from '../../src/store/secrets.ts';

describe('random tokens', () => {
  it('are base64url of the bytes asked for, and never repeat across the refills of the drawn bytes', () => {
    const tokens = Array.from({ length: 2000 }, (_, i) => randomToken(i % 7 === 0 ? 33 : 24));
    assert.equal(new Set(tokens).size, tokens.length);
    for (const [i, t] of tokens.entries()) {
      assert.match(t, /^[A-Za-z0-9_-]+$/);
      const bytes = Buffer.from(t, 'base64url');
      assert.equal(bytes.length, i % 7 === 0 ? 33 : 24);
      assert.ok(bytes.some((b) => b !== 0), 'a token is never the wiped bytes');
    }
    assert.equal(Buffer.from(randomToken(5000), 'base64url').length, 5000, 'more than is drawn at a time comes whole');
  });
});
