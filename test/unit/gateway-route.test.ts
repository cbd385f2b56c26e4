import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANSWERED_SHOWS_HEALTHY_MS, blamedFailure, poolOrder, resolveRoute, retryAfterOf, saysNoCredits, spendOf, type WeightedPool } from '../../src/domain/gateway.ts';

/** A seeded generator (mulberry32), so that draws repeat. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('gateway routes', () => {
  it('resolve a name or an alias; a pool named alone has weight 1 and priority 0', () => {
    const routes = { big: { pools: ['a', { pool: 'b', weight: 2, priority: 1 }], upstreamModel: 'up-big', aliases: ['large'] } };
    const want = { model: 'big', upstreamModel: 'up-big', pools: [{ poolId: 'a', weight: 1, priority: 0, upstreamModel: 'up-big' }, { poolId: 'b', weight: 2, priority: 1, upstreamModel: 'up-big' }] };
    assert.deepEqual(resolveRoute(routes, 'big'), want);
    assert.deepEqual(resolveRoute(routes, 'large'), want);
    assert.equal(resolveRoute(routes, 'small'), undefined);
  });

  it('give each pool the route\'s upstream model unless it names its own', () => {
    const routes = { chat: { pools: [{ pool: 'main' }, { pool: 'spare', priority: 1, upstreamModel: 'spare-model' }] } };
    assert.deepEqual(resolveRoute(routes, 'chat')!.pools.map((p) => [p.poolId, p.upstreamModel]), [['main', 'chat'], ['spare', 'spare-model']]);
  });

  it('order pools by priority, and within a priority draw them by weight', () => {
    const pools: Array<Omit<WeightedPool, 'upstreamModel'>> = [
      { poolId: 'late', weight: 100, priority: 2 }, { poolId: 'a', weight: 3, priority: 0 }, { poolId: 'b', weight: 1, priority: 0 }, { poolId: 'never', weight: 0, priority: 0 },
    ];
    const random = seeded(7);
    const firsts: Record<string, number> = {};
    for (let i = 0; i < 4000; i++) {
      const order = poolOrder(pools, random);
      assert.deepEqual(order.slice(2), ['never', 'late'], 'weight 0 after its priority\'s others; a higher priority after every lower one');
      firsts[order[0]!] = (firsts[order[0]!] ?? 0) + 1;
    }
    assert.ok(firsts.a! > 2800 && firsts.a! < 3200, `weight 3 of 4 comes first about 3,000 times in 4,000: ${firsts.a}`);
    assert.equal(firsts.a! + firsts.b!, 4000);
  });

  it('price tokens by the table, batch tokens at the batch prices (by default half), and unpriced models at a unit per thousand', () => {
    const prices = { m: { inputPerMillion: 2, outputPerMillion: 8 }, b: { inputPerMillion: 2, outputPerMillion: 8, batchInputPerMillion: 1.5, batchOutputPerMillion: 3 } };
    const million = { input: 1e6, output: 1e6 };
    assert.equal(spendOf(prices, 'm', million), 10);
    assert.equal(spendOf(prices, 'm', million, true), 5);
    assert.equal(spendOf(prices, 'b', million, true), 4.5);
    assert.equal(spendOf(prices, 'other', { input: 600, output: 400 }, true), 1);
  });

  it('tell an upstream\'s word that an account has no credits from other errors', () => {
    assert.equal(saysNoCredits(402, ''), true);
    assert.equal(saysNoCredits(429, JSON.stringify({ error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } })), true);
    assert.equal(saysNoCredits(429, JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } })), false);
    assert.equal(saysNoCredits(400, JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'Your credit balance is too low to access the Anthropic API.' } })), true);
    assert.equal(saysNoCredits(400, JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: required' } })), false);
    assert.equal(saysNoCredits(500, 'insufficient_quota'), false);
    assert.equal(saysNoCredits(400, JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message: 'model: no such model "Your credit balance is too low"' } })), false, 'a quote of what the client sent');
    assert.equal(saysNoCredits(429, 'not json "insufficient_quota"'), false);
  });

  it('read how long an upstream asks to be left alone: milliseconds, seconds or a date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterOf({ 'retry-after': '30' }, now), 30);
    assert.equal(retryAfterOf({ 'retry-after-ms': '1500', 'retry-after': '30' }, now), 1.5, 'milliseconds first');
    assert.equal(retryAfterOf({ 'retry-after': 'Thu, 01 Jan 2026 00:01:00 GMT' }, now), 60);
    for (const given of ['0', '-5', 'soon', 'Wed, 31 Dec 2025 23:59:00 GMT', '']) assert.equal(retryAfterOf({ 'retry-after': given }, now), undefined, given);
    assert.equal(retryAfterOf({}, now), undefined);
  });

  it('blame a request\'s failure everywhere on an account only when it is the first and the account answered none for the model lately', () => {
    const now = 1_000_000;
    assert.equal(blamedFailure({ first: true, answeredAt: undefined, now }), true, 'never answered: maybe an outage');
    assert.equal(blamedFailure({ first: false, answeredAt: undefined, now }), false, 'one failure a request');
    assert.equal(blamedFailure({ first: true, answeredAt: now - 1_000, now }), false, 'it answered a second ago');
    assert.equal(blamedFailure({ first: true, answeredAt: now - ANSWERED_SHOWS_HEALTHY_MS, now }), false);
    assert.equal(blamedFailure({ first: true, answeredAt: now - ANSWERED_SHOWS_HEALTHY_MS - 1, now }), true, 'too long ago to show it works');
  });
});
