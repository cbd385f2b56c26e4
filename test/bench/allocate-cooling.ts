/**
 * Allocation for a model in a pool where 99% of the accounts cool down for that model (or
 * have reached their daily limit for it): the allocator over an in-memory log, allocate and
 * release pairs with the model's filter after a warm-up round, in an `lru` pool (the
 * cooling accounts, never leased, come first in its order). Prints µs per pair and the
 * accounts looked up per pair at each pool size; never fails on a time.
 *
 *   npx tsx test/bench/allocate-cooling.ts
 */
import { PoolAllocator } from '../../src/commands/allocator.ts';
import { appendDecided } from '../../src/commands/runner.ts';
import { initialAccountState } from '../../src/domain/account.ts';
import { defaultPoolConfig } from '../../src/domain/pool.ts';
import { AccountIndex } from '../../src/projections/account-index.ts';
import { rosterCodec } from '../../src/store/codec.ts';
import { MemoryEventStore } from '../../src/store/memory.ts';

const ctx = { actor: 'bench', correlationId: 'bench' };
const sizes = (process.env.BENCH_SIZES ?? '1000,10000,100000').split(',').map(Number);
const pairs = Number(process.env.BENCH_PAIRS ?? 300);

class CountingIndex extends AccountIndex {
  looked = 0;
  override find(accountId: string) {
    this.looked++;
    return super.find(accountId);
  }
}

console.log('| accounts | cause | µs a pair | accounts looked up a pair |');
console.log('| ---: | --- | ---: | ---: |');
for (const n of sizes) {
  for (const cause of ['cooldown', 'daily limit'] as const) {
    const now = Date.now();
    const day = new Date(now).toISOString().slice(0, 10);
    const accounts = new CountingIndex();
    for (let i = 0; i < n; i++) {
      const serves = i % 100 === 0;
      const blocked = cause === 'cooldown' ? { cooldowns: [{ until: now + 3_600_000, reason: '429', model: 'm1' }] } : { usage: { day, units: { m1: 10 } } };
      accounts.set(`acct-${String(i).padStart(6, '0')}`, { ...initialAccountState(), exists: true, poolId: 'p', login: `a${i}`, status: 'active', ...(serves ? {} : blocked) }, 1);
    }
    const store = new MemoryEventStore(rosterCodec);
    const config = { ...defaultPoolConfig, name: 'p', strategy: 'lru' as const, dailyLimits: { m1: 10 } };
    await appendDecided(store, 'pool-p', [{ events: [{ type: 'PoolCreated', data: { poolId: 'p', config, at: new Date(now).toISOString() } }], ctx }], -1);
    const allocator = new PoolAllocator('p', store, accounts, { timeZone: 'UTC', rollover: '00:00' });
    await allocator.load();
    let s = 0;
    const pair = async () => {
      const sessionId = `s${s++}`;
      await allocator.submit({ type: 'Allocate', sessionId, count: 1, holder: 'h', secretHash: 'x', filter: { model: 'm1' } }, ctx);
      await allocator.submit({ type: 'Release', sessionId, secretHash: null }, ctx);
    };
    for (let i = 0; i < n / 100; i++) await pair(); // one round of the serving accounts
    accounts.looked = 0;
    const t0 = performance.now();
    for (let i = 0; i < pairs; i++) await pair();
    const us = ((performance.now() - t0) / pairs) * 1000;
    console.log(`| ${n} | ${cause} | ${us.toFixed(1)} | ${(accounts.looked / pairs).toFixed(1)} |`);
  }
}
