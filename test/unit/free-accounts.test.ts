/**
 * The allocator's free order (commands/free-accounts.ts) against the reference scan (the
 * ledger ranking every allocatable account): over random pools and histories, for every
 * strategy and filter, an allocation decided from the order is the one decided from the scan.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { accountTags, DueAccounts, filterTags, firstOf, FreeAccounts } from '../../src/commands/free-accounts.ts';
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

/** The views a filter walks (as the allocator names them, less the day). */
const viewsOf = (filter: AllocationFilter | undefined) => [...(filter?.model ? [`model:${filter.model}`] : []), ...(filter?.needsCredits ? ['credits'] : [])];

/**
 * Walks as the allocator does: an account the filter's model or credits rule out is not
 * yielded and leaves that view (for good: in these pools it stays so).
 */
function* walkAs(order: FreeAccounts, ledger: LedgerState, random: number, filter: AllocationFilter | undefined, byId: Map<string, Account>): Generator<string> {
  for (const id of order.walk(ledger, random, { tags: filterTags(filter), views: viewsOf(filter), now })) {
    const a = byId.get(id)!;
    if (filter?.model && a.coolingModels.includes(filter.model)) order.leaveOut(`model:${filter.model}`, id, Infinity);
    else if (filter?.needsCredits && a.credits !== null && a.credits <= 0) order.leaveOut('credits', id, Infinity);
    else yield id;
  }
}

/**
 * Plays the steps into a ledger and into free orders following it (one per strategy); with
 * a filter, each allocation step also takes the first two of a walk for it, as an
 * allocation would, so that its views leave accounts out as the history goes on.
 */
function play(accounts: Account[], steps: Step[], filter?: AllocationFilter) {
  const ledger: LedgerState = initialLedger();
  const allocatable = new Map(accounts.map((a) => [a.accountId, a.allocatable]));
  const byId = new Map(accounts.map((a) => [a.accountId, a]));
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
      if (filter) for (const order of orders.values()) firstOf(walkAs(order, ledger, step.pick, filter, byId), 2);
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
        const { ledger, orders } = play(accounts, steps, filter);
        const byId = new Map(accounts.map((a) => [a.accountId, a]));
        const candidates: Candidate[] = accounts.filter((a) => a.allocatable);
        for (const strategy of strategies) {
          const config = { ...defaultPoolConfig, name: 'p', strategy };
          const command = { type: 'Allocate' as const, sessionId: 'next', count, holder: 'h', secretHash: 'x', filter, random, now };
          const reference = decideLedger({ ...command, candidates }, ledger, config);
          // Twice: the second walk goes by the views as the first left them.
          for (const walk of ['first', 'second']) {
            const walked = [...walkAs(orders.get(strategy)!, ledger, random, filter, byId)].map((id) => byId.get(id)!);
            const fromOrder = decideLedger({ ...command, candidates: walked, ranked: true }, ledger, config);
            assert.deepEqual(outcome(fromOrder), outcome(reference), `${strategy}, filter ${JSON.stringify(filter)}, count ${count}, ${walk} walk`);
          }
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
    assert.equal([...order.walk(ledger, 0.5, { tags: ['region:eu'] })].length, 1000);
    assert.equal([...order.walk(ledger, 0.5, { tags: ['region:us', 'capability:image'] })].length, 1000, 'the smaller of the two');
    assert.deepEqual([...order.walk(ledger, 0.5, { tags: ['region:asia'] })], []);
  });

  it('walks a view without the accounts left out of it, until they are due or placed again', () => {
    const ledger = initialLedger();
    const order = new FreeAccounts('round_robin');
    const ids = Array.from({ length: 10_000 }, (_, i) => `a${String(i).padStart(5, '0')}`);
    for (const id of ids) order.place(id, true, ledger);
    const cools = (id: string) => !id.endsWith('00');
    const walk = (at: number) => {
      const seen: string[] = [];
      for (const id of order.walk(ledger, 0, { views: ['model:m1'], now: at })) {
        seen.push(id);
        // Half cool for a minute, half for an hour.
        if (cools(id)) order.leaveOut('model:m1', id, at + (id.endsWith('1') ? 60_000 : 3_600_000));
      }
      return seen;
    };
    assert.equal(walk(now).length, 10_000, 'the first walk passes every account');
    assert.deepEqual(walk(now + 1000), ids.filter((id) => !cools(id)), 'the next passes only the 100 that serve');
    assert.equal([...order.walk(ledger, 0)].length, 10_000, 'the free order itself keeps them all');
    assert.equal(walk(now + 61_000).length, 100 + 1000, 'those cooling for a minute are back after it');
    order.place('a00042', true, ledger); // the account changed (an event): back until a walk finds it cools again
    assert.ok(walk(now + 62_000).includes('a00042'));
    assert.ok(!walk(now + 63_000).includes('a00042'));
    order.place('a00043', false, ledger); // disabled: out of the order and every view
    order.place('a00043', true, ledger);
    assert.ok(walk(now + 64_000).includes('a00043'));
    // A lease takes an account out of every view; its end puts it back.
    const data = { sessionId: 's', at: at(now) };
    const allocated: LedgerEvent = { type: 'SessionAllocated', data: { ...data, leases: [{ accountId: 'a00200', fence: 1 }], holder: 'h', secretHash: 'x', expiresAt: at(now + 60_000) } };
    const released: LedgerEvent = { type: 'SessionReleased', data: { ...data, accountIds: ['a00200'] } };
    evolveLedger(ledger, allocated);
    order.follow(allocated, ledger, () => true);
    assert.deepEqual(walk(now + 65_000).filter((id) => id === 'a00200'), []);
    evolveLedger(ledger, released);
    order.follow(released, ledger, () => true);
    assert.deepEqual(walk(now + 66_000).filter((id) => id === 'a00200'), ['a00200'], 'once, in its place');
  });

  it('applies what a walk leaves out once it ends, also when it is left early', () => {
    const ledger = initialLedger();
    const order = new FreeAccounts('lru');
    for (let i = 0; i < 10; i++) order.place(`a${i}`, true, ledger);
    for (const id of order.walk(ledger, 0, { views: ['credits'] })) {
      order.leaveOut('credits', id, Infinity);
      if (id === 'a2') break;
    }
    assert.deepEqual([...order.walk(ledger, 0, { views: ['credits'] })], ['a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9']);
    assert.deepEqual(firstOf(order.walk(ledger, 0, { views: ['model:other'] }), 3), ['a0', 'a1', 'a2'], 'another view keeps them');
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
