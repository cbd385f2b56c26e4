/**
 * The gateway's claims (commands/gateway-claims.ts) over real allocators on the in-memory
 * log: a claim is a lease in the pool's ledger; upkeep renews the claims in use and
 * releases idle ones, and a wait for accounts drains the claims serving fewest requests
 * first, whose accounts rest before they are claimed again. (Claims given up for their age:
 * test/integration/exclusive-pools.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Allocators } from '../../src/commands/allocators.ts';
import { GatewayClaims } from '../../src/commands/gateway-claims.ts';
import { GatewayCore, type Chosen } from '../../src/commands/gateway.ts';
import type { SecretVault } from '../../src/store/secrets.ts';
import { appendDecided } from '../../src/commands/runner.ts';
import { initialAccountState } from '../../src/domain/account.ts';
import { defaultPoolConfig } from '../../src/domain/pool.ts';
import { AccountIndex } from '../../src/projections/account-index.ts';
import { rosterCodec } from '../../src/store/codec.ts';
import { MemoryEventStore } from '../../src/store/memory.ts';
import type { RosterEvent } from '../../src/domain/catalog.ts';

const ctx = { actor: 'test', correlationId: 'claims' };
const TTL = 60_000;
const ids = ['a0', 'a1', 'a2', 'a3'];

/** An in-memory log whose appends fail while `failing` (the store out of reach). */
class FlakyStore extends MemoryEventStore<RosterEvent> {
  failing = false;
  override append(...args: Parameters<MemoryEventStore<RosterEvent>['append']>): ReturnType<MemoryEventStore<RosterEvent>['append']> {
    return this.failing ? Promise.reject(new Error('connection refused')) : super.append(...args);
  }
}

async function claimsOn() {
  const store = new FlakyStore(rosterCodec);
  const accounts = new AccountIndex();
  // a3 alone is in region eu.
  for (const id of ids) accounts.set(id, { ...initialAccountState(), exists: true, poolId: 'p', login: `${id}@example.test`, status: 'active', region: id === 'a3' ? 'eu' : null }, 1);
  await appendDecided(store, 'pool-p', [{ events: [{ type: 'PoolCreated', data: { poolId: 'p', config: { ...defaultPoolConfig, name: 'p', exclusive: true }, at: new Date().toISOString() } }], ctx }], -1);
  const allocators = new Allocators(store, accounts);
  const claims = new GatewayClaims(allocators, 'node-1', TTL);
  const pool = await allocators.get('p');
  const ledger = () => pool.current.ledger;
  const holderOf = (id: string) => ledger().sessions.get(ledger().leasedTo.get(id) ?? '')?.holder;
  /** The types of the pool's events after the first `from`. */
  const events = async (from = 0) => (await store.readStream('pool-p', { from })).map((e) => e.type);
  return { claims, pool, ledger, holderOf, events, store, accounts, allocators };
}

describe('gateway claims', () => {
  it('leases the account to the node\'s gateway, and refuses one leased to someone else', async () => {
    const { claims, pool, ledger, holderOf } = await claimsOn();
    assert.equal(await claims.claim('p', 'a0'), true);
    assert.equal(holderOf('a0'), 'gateway:node-1');
    assert.equal(claims.holds(ledger(), 'a0', Date.now()), true);
    await pool.submit({ type: 'Allocate', sessionId: 's', count: 1, holder: 'client', secretHash: 'x', accountIds: ['a1'] }, ctx);
    assert.equal(await claims.claim('p', 'a1'), false);
    assert.equal(claims.holds(ledger(), 'a1', Date.now()), false);
    // Not with half its time to live gone: a request started then could outlive it.
    assert.equal(claims.holds(ledger(), 'a0', Date.now() + TTL / 2 + 1), false);
  });

  it('renews the claims in use and releases the idle ones', async () => {
    const { claims, holderOf, events } = await claimsOn();
    for (const id of ['a0', 'a1', 'a2']) assert.equal(await claims.claim('p', id), true);
    // 15 s on: nothing to do yet (a claim is renewed once a third of its time to live has passed).
    await claims.keep(() => true, Date.now() + 15_000);
    assert.deepEqual(await events(4), []);
    // 35 s on: a0 in use is renewed; a1 and a2, idle for more than half the TTL, are released.
    claims.used('a0', Date.now() + 35_000);
    await claims.keep((id) => id === 'a0', Date.now() + 35_000);
    assert.deepEqual((await events(4)).sort(), ['SessionReleased', 'SessionReleased', 'SessionRenewed']);
    assert.deepEqual([holderOf('a1'), holderOf('a2')], [undefined, undefined]);
    assert.equal(claims.size, 1);
    assert.equal(await claims.claim('p', 'a1'), true, 'released idle: claimed again at once');
  });

  it('gives up the claims of a pool that is no longer exclusive', async () => {
    const { claims, pool, holderOf } = await claimsOn();
    assert.equal(await claims.claim('p', 'a0'), true);
    await pool.submit({ type: 'ConfigurePool', poolId: 'p', changes: { exclusive: false } }, ctx);
    await claims.keep(() => false);
    assert.equal(holderOf('a0'), undefined);
    assert.equal(claims.size, 0);
  });

  it('drains as many claims as accounts are waited for, those serving fewest first', async () => {
    const { claims, ledger, holderOf } = await claimsOn();
    for (const id of ids) assert.equal(await claims.claim('p', id), true);
    const inFlight = new Map([['a0', 3], ['a1', 1], ['a2', 0], ['a3', 2]]);
    const any = [{ count: 2, takes: () => true }];
    claims.yieldTo('p', any, (id) => inFlight.get(id)!);
    const now = Date.now();
    assert.deepEqual(ids.map((id) => claims.holds(ledger(), id, now)), [true, false, false, true]);
    // Asked again for the same wait, it drains no more: two are on their way.
    claims.yieldTo('p', any, (id) => inFlight.get(id)!);
    assert.deepEqual(ids.map((id) => claims.holds(ledger(), id, now)), [true, false, false, true]);
    // a2 served nothing: released at once. a1 when its request ends.
    for (let i = 0; i < 50 && holderOf('a2'); i++) await new Promise((r) => setTimeout(r, 2));
    assert.equal(holderOf('a2'), undefined);
    assert.equal(holderOf('a1'), 'gateway:node-1');
    claims.finished('a1');
    for (let i = 0; i < 50 && holderOf('a1'); i++) await new Promise((r) => setTimeout(r, 2));
    assert.equal(holderOf('a1'), undefined);
    // Given up for a wait, an account rests before this node claims it again (the waiting allocation comes first).
    assert.equal(await claims.claim('p', 'a2'), false);
  });

  it('drains only claims a waiting allocation could take: its filter decides, not the fewest requests', async () => {
    const { claims, allocators, pool, holderOf } = await claimsOn();
    for (const id of ids) assert.equal(await claims.claim('p', id), true);
    const inFlight = new Map([['a0', 0], ['a1', 0], ['a2', 0], ['a3', 2]]);
    allocators.shareWith({ inUse: (id) => inFlight.get(id)! > 0, waiting: (poolId, leases) => claims.yieldTo(poolId, leases, (id) => inFlight.get(id)!) });
    // Only a3 is in eu: the allocation parks, a3 drains (though busiest), and is leased once its requests end.
    const waited = pool.submit({ type: 'Allocate', sessionId: 'eu', count: 1, holder: 'client', secretHash: 'x', waitMs: 5_000, filter: { region: 'eu' } }, ctx);
    for (let i = 0; i < 100 && claims.holds(pool.current.ledger, 'a3', Date.now()); i++) await new Promise((r) => setTimeout(r, 2));
    assert.equal(claims.holds(pool.current.ledger, 'a3', Date.now()), false, 'a3 drains');
    assert.deepEqual(['a0', 'a1', 'a2'].map(holderOf), ['gateway:node-1', 'gateway:node-1', 'gateway:node-1'], 'the idle claims outside eu stay');
    inFlight.set('a3', 0);
    claims.finished('a3');
    await waited;
    assert.equal(holderOf('a3'), 'client');
  });

  it('leaves a request to the accounts already claimed when a claim cannot be written', async () => {
    const { store, accounts, allocators } = await claimsOn();
    const vault = { get: async () => null, readAhead: () => undefined } as unknown as SecretVault;
    const gateway = new GatewayCore(
      { store, vault, accounts, allocators, days: { timeZone: 'UTC', rollover: '00:00' }, useOn: async () => ({ rows: [], position: '' }) },
      { routes: {}, prices: {}, retries: 0, maxInFlight: 2, claimTtlMs: TTL }, store, 'node-1',
    );
    const route = { model: 'm', upstreamModel: 'm', pools: [{ poolId: 'p', weight: 1, priority: 0, upstreamModel: 'm' }] };
    const first = await gateway.choose(route, new Set()) as Chosen;
    assert.equal(first.accountId, 'a0');
    for (let i = 0; i < 50 && gateway.claims.size < 4; i++) await new Promise((r) => setTimeout(r, 2));
    await gateway.claims.keep((id) => id === 'a0', Date.now() + 35_000); // a1 to a3, claimed ahead and idle, are released
    assert.equal(gateway.claims.size, 1);
    store.failing = true;
    // a1 comes first in the order now, but cannot be claimed: a0, claimed, serves a second request.
    const second = await gateway.choose(route, new Set(), 50) as Chosen;
    assert.equal(second.accountId, 'a0');
    // With a0 at its in-flight limit and no claim to be had, the answer is none (not a failure).
    assert.deepEqual(await gateway.choose(route, new Set(), 50), {});
  });
});
