import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyCache } from '../../src/commands/callers.ts';

type Found = Parameters<KeyCache['set']>[1] & { expiresAt: number | null };
const caller = (keyId: string): Found => ({
  kind: 'key', actor: `user:u1/key:${keyId}`, role: 'member', keyId, user: { userId: 'u1' } as Found['user'],
  scopes: { pools: null, models: null, readOnly: false }, limits: [], expiresAt: null,
});
/** A check that answers when told to, counting its runs. */
function slowCheck(found: Found | 'no_key') {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const check = { runs: 0, release, run: async () => { check.runs++; await gate; return found; } };
  return check;
}

describe('key cache', () => {
  it('checks a key once for any number of concurrent requests, and caches what it found', async () => {
    const cache = new KeyCache(1000);
    const check = slowCheck(caller('k1'));
    const answers = Array.from({ length: 64 }, () => cache.once('rk_1', check.run));
    check.release();
    const found = await Promise.all(answers);
    assert.equal(check.runs, 1);
    assert.ok(found.every((f) => typeof f === 'object' && f.keyId === 'k1'));
    assert.equal(cache.get('rk_1')?.keyId, 'k1');
  });
  it('does not cache a key evicted while it was being checked (revoked on this node meanwhile)', async () => {
    const cache = new KeyCache(1000);
    const check = slowCheck(caller('k1'));
    const answer = cache.once('rk_1', check.run);
    cache.evict('k1');
    check.release();
    await answer;
    assert.equal(cache.get('rk_1'), undefined);
  });
  it('caches no refusal: a bad key is checked again next time', async () => {
    const cache = new KeyCache(1000);
    const first = slowCheck('no_key');
    first.release();
    assert.equal(await cache.once('rk_bad', first.run), 'no_key');
    const second = slowCheck('no_key');
    second.release();
    await cache.once('rk_bad', second.run);
    assert.equal(second.runs, 1);
  });
});
