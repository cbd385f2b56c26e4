/**
 * The allocator's free order (commands/free-accounts.ts) against the reference scan (the
 * ledger ranking every allocatable account): over random pools and histories, for every
 * strategy and filter, an allocation decided from the order is the one decided from the scan.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { accountTags, DueAccounts, filterTags, FreeAccounts } from '../../src/commands/free-accounts.ts';
import { DomainError } from '../../src/domain/errors.ts';
import {
  decideLedger, evolveLedger, initialLedger,
  type AllocationFilter, type Candidate, type LedgerEvent, type LedgerState,
} from '../../src/domain/ledger.ts';
import { defaultPoolConfig, strategies, type Strategy } from '../../src/domain/pool.ts';

const now = Date.parse('2026-12-03T12:00:00Z');
const at = (t: number) => new Date(t).toISOString();

interface Account extends Candidate {
  allocatable: boolean;
}

const accountArb = (id: string) => fc.record({
  accountId: fc.constant(id),
  capabilities: fc.subarray(['chat', 'image']),
  region: fc.constantFrom(null, 'eu', 'us'),
  coolingModels: fc.subarray(['m1']),
  credits: fc.constantFrom(null, 0, 5),
  allocatable: fc.integer({ min: 0, max: 9 }).map((n) => n > 0), // one in ten disabled or cooling
});

/** A pool: accounts in the order the pool first saw them (ids not in that order). */
const poolArb = fc.integer({ min: 1, max: 30 }).chain((n) =>
  fc.shuffledSubarray(Array.from({ length: n }, (_, i) => `acct-${String(i).padStart(2, '0')}`), { minLength: n, maxLength: n })
    .chain((ids) => fc.tuple(...ids.map((id) => accountArb(id)))));

/** A history step: allocate `count` of the free accounts (picked by `pick`), or end the `which`-th live session. */
const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('allocate' as const), count: fc.integer({ min: 1, max: 3 }), pick: fc.double({ min: 0, max: 0.999, noNaN: true }) }),
  fc.record({ kind: fc.constantFrom('release' as const, 'expire' as const), which: fc.nat() }),
);

type Step = typeof stepArb extends fc.Arbitrary<infer S> ? S : never;

const filterArb: fc.Arbitrary<AllocationFilter | undefined> = fc.option(fc.record({
  capabilities: fc.option(fc.subarray(['chat', 'image'], { minLength: 1 }), { nil: undefined }),
  region: fc.option(fc.constantFrom('eu', 'us'), { nil: undefined }),
  model: fc.option(fc.constant('m1'), { nil: undefined }),
  needsCredits: fc.option(fc.boolean(), { nil: undefined }),
}, { requiredKeys: [] }), { nil: undefined });

const tagsOf = (accounts: Account[]) => {
  const byId = new Map(accounts.map((a) => [a.accountId, accountTags(a)]));
  return (id: string) => byId.get(id) ?? [];
};

/** Plays the steps into a ledger and into free orders following it (one per strategy). */
function play(accounts: Account[], steps: Step[]) {
  const ledger: LedgerState = initialLedger();
  const allocatable = new Map(accounts.map((a) => [a.accountId, a.allocatable]));
  const orders = new Map(strategies.map((s) => [s, new FreeAccounts(s, tagsOf(accounts))] as const));
  for (const order of orders.values()) for (const a of accounts) order.place(a.accountId, a.allocatable, ledger);
  let t = now - 1_000_000;
  let n = 0;
  const apply = (event: LedgerEvent) => {
    evolveLedger(ledger, event);
    for (const order of orders.values()) order.follow(event, ledger, (id) => allocatable.get(id) ?? false);
  };
  for (const step of steps) {
    t += 1000;
    if (step.kind === 'allocate') {
      const free = accounts.filter((a) => a.allocatable && !ledger.leasedTo.has(a.accountId));
      if (free.length < step.count) continue;
      const start = Math.floor(step.pick * free.length);
      const picked = [...free.slice(start), ...free.slice(0, start)].slice(0, step.count);
      const leases = picked.map((a) => ({ accountId: a.accountId, fence: (ledger.fences.get(a.accountId) ?? 0) + 1 }));
      apply({ type: 'SessionAllocated', data: { sessionId: `s${n++}`, leases, holder: 'h', secretHash: 'x', expiresAt: at(t + 60_000), at: at(t) } });
    } else {
      const live = [...ledger.sessions.values()].filter((s) => s.status === 'live');
      if (live.length === 0) continue;
      const session = live[step.which % live.length]!;
      const data = { sessionId: session.sessionId, accountIds: session.leases.map((l) => l.accountId), at: at(t) };
      apply(step.kind === 'release' ? { type: 'SessionReleased', data } : { type: 'SessionExpired', data });
    }
  }
  return { ledger, orders };
}

/** What an allocation decides: the accounts it leases, or the error code. */
function outcome(result: LedgerEvent[] | DomainError): string[] | string {
  if (result instanceof DomainError) return result.code;
  const allocated = result.find((e) => e.type === 'SessionAllocated');
  return allocated?.type === 'SessionAllocated' ? allocated.data.leases.map((l) => l.accountId) : [];
}

describe('the free order', () => {
  it('decides every allocation as the reference scan does, for every strategy and filter', () => {
    fc.assert(fc.property(poolArb, fc.array(stepArb, { maxLength: 40 }), filterArb, fc.integer({ min: 1, max: 4 }), fc.double({ min: 0, max: 0.999, noNaN: true }),
      (accounts, steps, filter, count, random) => {
        const { ledger, orders } = play(accounts, steps);
        const byId = new Map(accounts.map((a) => [a.accountId, a]));
        const candidates: Candidate[] = accounts.filter((a) => a.allocatable);
        for (const strategy of strategies) {
          const config = { ...defaultPoolConfig, name: 'p', strategy };
          const command = { type: 'Allocate' as const, sessionId: 'next', count, holder: 'h', secretHash: 'x', filter, random, now };
          const reference = decideLedger({ ...command, candidates }, ledger, config);
          const walked = [...orders.get(strategy)!.walk(ledger, random, filterTags(filter))].map((id) => byId.get(id)!);
          const fromOrder = decideLedger({ ...command, candidates: walked, ranked: true }, ledger, config);
          assert.deepEqual(outcome(fromOrder), outcome(reference), `${strategy}, filter ${JSON.stringify(filter)}, count ${count}`);
        }
      }), { seed: 1612, numRuns: 400 });
  });

  it('holds exactly the free allocatable accounts, after a reorder and when seeded from a folded ledger', () => {
    fc.assert(fc.property(poolArb, fc.array(stepArb, { maxLength: 40 }), fc.constantFrom(...strategies), fc.constantFrom(...strategies), (accounts, steps, from, to) => {
      const { ledger, orders } = play(accounts, steps);
      const free = accounts.filter((a) => a.allocatable && !ledger.leasedTo.has(a.accountId)).map((a) => a.accountId).sort();
      const order = orders.get(from)!;
      order.reorder(to, ledger);
      assert.deepEqual([...order.walk(ledger, 0.5)].sort(), free);
      // A node that loads the pool later seeds the allocation order from the ledger itself.
      const seeded = new FreeAccounts(to, tagsOf(accounts));
      seeded.seed(ledger);
      for (const a of accounts) seeded.place(a.accountId, a.allocatable, ledger);
      assert.deepEqual([...seeded.walk(ledger, 0.5)], [...orders.get(to)!.walk(ledger, 0.5)]);
    }), { seed: 1613, numRuns: 200 });
  });

  it('starts a random walk at every free account for some random number, and at one in proportion', () => {
    const ledger = initialLedger();
    const order = new FreeAccounts('random' as Strategy);
    for (let i = 0; i < 2000; i++) order.place(`a${i}`, true, ledger); // past the Fenwick tree's first capacity
    const firsts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const first = order.walk(ledger, (i + 0.5) / 2000).next().value!;
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    assert.equal(firsts.size, 2000, 'each of 2,000 evenly spaced numbers starts at a different account');
  });

  it('walks only the accounts a region or capability filter can take', () => {
    const ledger = initialLedger();
    const tags = (id: string) => (id.endsWith('7') ? ['region:eu', 'capability:image'] : ['region:us']);
    const order = new FreeAccounts('lru', tags);
    for (let i = 0; i < 10_000; i++) order.place(`a${i}`, true, ledger);
    assert.equal([...order.walk(ledger, 0.5, ['region:eu'])].length, 1000);
    assert.equal([...order.walk(ledger, 0.5, ['region:us', 'capability:image'])].length, 1000, 'the smaller of the two');
    assert.deepEqual([...order.walk(ledger, 0.5, ['region:asia'])], []);
  });

  it('gives back accounts when they are due, earliest first, and nothing before', () => {
    const due = new DueAccounts();
    due.set('b', now + 2000);
    due.set('a', now + 1000);
    due.set('c', now + 5000);
    due.set('c', now + 1500); // moved earlier
    assert.deepEqual(due.takeDue(now), []);
    assert.deepEqual(due.takeDue(now + 1500), ['a', 'c']);
    due.delete('b');
    assert.deepEqual(due.takeDue(now + 10_000), []);
  });
});
