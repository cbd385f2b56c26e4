/**
 * The allocator (commands/allocator.ts) over an account index and an in-memory log: an
 * allocation for a model does not pass again, one by one, the free accounts it found
 * cooling down for that model, over their daily limit for it, or out of credits; and it
 * leases what a scan of every account would.
 */
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { PoolAllocator } from '../../src/commands/allocator.ts';
import { appendDecided } from '../../src/commands/runner.ts';
import { initialAccountState, type AccountState } from '../../src/domain/account.ts';
import type { AllocationFilter, LedgerEvent } from '../../src/domain/ledger.ts';
import { defaultPoolConfig } from '../../src/domain/pool.ts';
import { AccountIndex } from '../../src/projections/account-index.ts';
import { rosterCodec } from '../../src/store/codec.ts';
import { MemoryEventStore } from '../../src/store/memory.ts';

const start = Date.parse('2026-12-05T12:00:00Z');
const ctx = { actor: 'test', correlationId: 'views' };
const idOf = (i: number) => `acct-${String(i).padStart(5, '0')}`;

/** An index that counts the accounts the allocator looks up. */
class CountingIndex extends AccountIndex {
  looked = 0;
  override find(accountId: string) {
    this.looked++;
    return super.find(accountId);
  }
}

async function poolOf(states: AccountState[], dailyLimits: Record<string, number> = {}) {
  const store = new MemoryEventStore(rosterCodec);
  const accounts = new CountingIndex();
  states.forEach((state, i) => accounts.set(idOf(i), state, 1));
  const config = { ...defaultPoolConfig, name: 'p', strategy: 'round_robin' as const, dailyLimits };
  await appendDecided(store, 'pool-p', [{ events: [{ type: 'PoolCreated', data: { poolId: 'p', config, at: new Date(start).toISOString() } }], ctx }], -1);
  const allocator = new PoolAllocator('p', store, accounts);
  assert.ok(await allocator.load());
  let n = 0;
  /** Allocates one account for the filter: the account or the refusal's code, and the accounts looked up for it. */
  const allocate = async (filter: AllocationFilter) => {
    accounts.looked = 0;
    const sessionId = `s${n++}`;
    try {
      const { events } = await allocator.submit({ type: 'Allocate', sessionId, count: 1, holder: 'h', secretHash: 'x', filter }, ctx);
      const allocated = (events as LedgerEvent[]).find((e) => e.type === 'SessionAllocated');
      return { sessionId, accountId: allocated?.type === 'SessionAllocated' ? allocated.data.leases[0]!.accountId : undefined, looked: accounts.looked };
    } catch (error) {
      return { refused: (error as { code: string }).code, looked: accounts.looked };
    }
  };
  const release = (sessionId: string) => allocator.submit({ type: 'Release', sessionId, secretHash: null }, ctx);
  return { allocate, release, accounts, allocator };
}

const active = (i: number, extra: Partial<AccountState> = {}): AccountState =>
  ({ ...initialAccountState(), exists: true, poolId: 'p', login: `${idOf(i)}@example.test`, status: 'active', ...extra });

describe('the allocator\'s walk for a model, for credits', () => {
  it('passes the accounts cooling for the model once, then only those that serve', async () => {
    mock.timers.enable({ apis: ['Date'], now: start });
    try {
      // 5,000 accounts; every fiftieth serves m1, the others cool for it for a minute.
      const states = Array.from({ length: 5000 }, (_, i) => active(i, i % 50 === 0 ? {} : { cooldowns: [{ until: start + 60_000, reason: '429', model: 'm1' }] }));
      const { allocate, release, accounts } = await poolOf(states);
      /** Leases every account that serves m1, one allocation each, then releases them all. */
      const round = async () => {
        const taken: Array<string | undefined> = [];
        const sessions: string[] = [];
        let looked = 0;
        for (let i = 0; i < 100; i++) {
          const next = await allocate({ model: 'm1' });
          taken.push(next.accountId);
          sessions.push(next.sessionId!);
          looked += next.looked;
        }
        const refused = await allocate({ model: 'm1' });
        for (const sessionId of sessions) await release(sessionId);
        return { taken: taken.sort(), looked: looked + refused.looked, refused: refused.refused };
      };
      const serving = Array.from({ length: 100 }, (_, i) => idOf(i * 50));
      const first = await round();
      assert.deepEqual(first.taken, serving, 'every serving account once, none that cools');
      assert.equal(first.refused, 'no_account_available');
      assert.ok(first.looked >= 4900, `the first round passes each cooling account (${first.looked})`);
      const second = await round();
      assert.deepEqual(second.taken, serving);
      assert.ok(second.looked < 500, `the second looks at the accounts it leases, not the 4,900 cooling (${second.looked})`);
      // Without the model, cooling accounts serve; once the cooldowns end, all serve m1.
      assert.ok((await allocate({})).accountId);
      mock.timers.tick(61_000);
      accounts.refreshCandidates('p', Date.now()); // as the reaper does
      const after = await round();
      assert.equal(after.taken.length, 100);
      assert.ok(after.taken.some((id) => !serving.includes(id!)), 'accounts that cooled serve again');
    } finally {
      mock.timers.reset();
    }
  });

  it('leaves out the accounts over their daily limit for the model until the next day', async () => {
    mock.timers.enable({ apis: ['Date'], now: start });
    try {
      const day = '2026-12-05';
      const states = Array.from({ length: 1000 }, (_, i) => active(i, i < 998 ? { usage: { day, units: { m2: 10 } } } : {}));
      const { allocate, release } = await poolOf(states, { m2: 10 });
      assert.equal((await allocate({ model: 'm2' })).accountId, idOf(998));
      assert.equal((await allocate({ model: 'm2' })).accountId, idOf(999));
      const none = await allocate({ model: 'm2' });
      assert.equal(none.refused, 'no_account_available');
      assert.ok(none.looked <= 3, `the 998 over their limit are not looked at again (${none.looked})`);
      await release('s0');
      mock.timers.tick(24 * 3600_000);
      assert.equal((await allocate({ model: 'm2' })).accountId, idOf(0), 'a new day: every account serves again');
    } finally {
      mock.timers.reset();
    }
  });

  it('leaves out the accounts without credits until they change', async () => {
    const states = Array.from({ length: 1000 }, (_, i) => active(i, { credits: i === 500 ? 3 : 0 }));
    const { allocate, accounts, allocator } = await poolOf(states);
    assert.equal((await allocate({ needsCredits: true })).accountId, idOf(500));
    assert.equal((await allocate({ needsCredits: true })).refused, 'no_account_available');
    accounts.set(idOf(7), active(7, { credits: 12 }), 2);
    allocator.accountChanged(idOf(7));
    const again = await allocate({ needsCredits: true });
    assert.equal(again.accountId, idOf(7), 'credits probed again: the account serves');
    assert.ok(again.looked <= 3, `the others are not looked at again (${again.looked})`);
  });
});
