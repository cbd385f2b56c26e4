/**
 * The gateway's account order (commands/gateway-order.ts) against a reference that sorts
 * the pool's accounts afresh: over random pools, random changes of rank and membership and
 * cooldowns that end as time goes on, every walk yields the accounts the reference does,
 * in the same order, and the order knows when the first cooling account comes back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { GatewayOrder } from '../../src/commands/gateway-order.ts';
import { strategies, type Strategy } from '../../src/domain/pool.ts';

type Ranked = readonly [number, number];
/** An account's rank: out of the order, two numbers, or cooling until a time and ranked by two numbers after it. */
type Rank = Ranked | { until: number; then: Ranked } | undefined;

const rankedArb = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }));
/** Out of the order (one in six), two small numbers (ties are common), or cooling until one of the next few instants. */
const rankArb: fc.Arbitrary<Rank> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: rankedArb },
  { weight: 2, arbitrary: fc.record({ until: fc.integer({ min: 1, max: 12 }), then: rankedArb }) },
);

/** The rank as the gateway gives it at `now`: cooling (`{ until }`) only before the cooldown's end. */
const rankAt = (rank: Rank, now: number) => (rank && 'until' in rank ? (now < rank.until ? { until: rank.until } : rank.then) : rank);

/** Ids in a shuffled order: the order the pool first shows them (for random) is not their sort order. */
const idsArb = fc.integer({ min: 1, max: 25 }).chain((n) =>
  fc.shuffledSubarray(Array.from({ length: n }, (_, i) => `acct-${String(i).padStart(2, '0')}`), { minLength: n, maxLength: n }));

/** A step: time goes on, new ranks for some accounts (each touched), then a walk from a start. */
const stepArb = (ids: string[]) => fc.record({
  elapse: fc.integer({ min: 0, max: 3 }),
  changes: fc.array(fc.tuple(fc.constantFrom(...ids), rankArb), { maxLength: 6 }),
  after: fc.option(fc.constantFrom(...ids, 'acct-', 'zzz'), { nil: undefined }),
  random: fc.double({ min: 0, max: 0.999, noNaN: true }),
});

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What a walk should yield, worked out from every account's rank as it is now. */
function reference(strategy: Strategy, ids: string[], ranks: Map<string, Ranked | undefined>, seen: string[], start: { after?: string; random: number }): string[] {
  const members = ids.filter((id) => ranks.get(id) !== undefined);
  if (strategy === 'lru' || strategy === 'least_used') {
    return members.sort((a, b) => ranks.get(a)![0] - ranks.get(b)![0] || ranks.get(a)![1] - ranks.get(b)![1] || byId(a, b));
  }
  // Round-robin by id, after `after`; random in the order first seen, from the k-th.
  const sorted = strategy === 'round_robin' ? members.sort(byId) : seen.filter((id) => ranks.get(id) !== undefined);
  const first = strategy === 'round_robin' ? sorted.findIndex((id) => id > (start.after ?? '')) : Math.floor(start.random * sorted.length);
  const from = first === -1 ? sorted.length : first;
  return [...sorted.slice(from), ...sorted.slice(0, from)];
}

describe('the gateway\'s account order', () => {
  for (const strategy of strategies) {
    it(`${strategy}: every walk yields what a fresh sort of the pool does`, () => {
      fc.assert(fc.property(idsArb.chain((ids) => fc.tuple(fc.constant(ids), fc.array(rankArb, { minLength: ids.length, maxLength: ids.length }), fc.array(stepArb(ids), { minLength: 1, maxLength: 8 }))),
        ([ids, initial, steps]) => {
          const ranks = new Map(ids.map((id, i) => [id, initial[i]]));
          let now = 0;
          const order = new GatewayOrder(strategy, (id, at) => rankAt(ranks.get(id), at));
          // The pool shows its accounts in `ids` order; random keeps that order.
          for (const id of ids) order.touch(id);
          for (const step of steps) {
            now += step.elapse;
            for (const [id, rank] of step.changes) {
              ranks.set(id, rank);
              order.touch(id);
            }
            // An account whose cooldown has ended is back without being marked again.
            const ranked = new Map(ids.map((id) => { const r = rankAt(ranks.get(id), now); return [id, r && 'until' in r ? undefined : r]; }));
            const walked = [...order.walk({ after: step.after, random: step.random, now })];
            assert.deepEqual(walked, reference(strategy, ids, ranked, ids, { after: step.after, random: step.random }));
            const cooling = ids.map((id) => rankAt(ranks.get(id), now)).flatMap((r) => (r && 'until' in r ? [r.until] : []));
            assert.equal(order.soonest, cooling.length ? Math.min(...cooling) : undefined);
          }
        }), { numRuns: 300 });
    });
  }

  it('an account not marked keeps its place until it is (the gateway marks every change)', () => {
    let rank: [number, number] = [5, 0];
    const order = new GatewayOrder('lru', (id) => (id === 'a' ? rank : [1, 0]));
    order.touch('a');
    order.touch('b');
    assert.deepEqual([...order.walk({})], ['b', 'a']);
    rank = [0, 0];
    assert.deepEqual([...order.walk({})], ['b', 'a']);
    order.touch('a');
    assert.deepEqual([...order.walk({})], ['a', 'b']);
  });
});
