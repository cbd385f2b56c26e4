/**
 * The gateway's claims in exclusive pools. Before this node's gateway sends a request
 * through an account of an exclusive pool, it leases the account to itself: a session of
 * one account whose holder is `gateway:<node>`, allocated by the pool's allocator like any
 * other. So no allocator on any node leases the account while the gateway uses it, and no
 * other node's gateway uses it either (it is leased). A claim serves many requests; it is
 * renewed while the account is in use and released once it has been idle for half its time
 * to live, or, when allocations of the pool wait on this node, as soon as its requests end.
 * A claim older than twice its time to live is given up too once its requests end, and the
 * account rests a second before this node claims it again: so an allocation waiting on
 * another node (which this node cannot see) gets an account even when the gateway keeps
 * every one busy. When the node dies, its claims expire like any lease.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DomainError } from '../domain/errors.ts';
import { GATEWAY_HOLDER, type LedgerState, type Session } from '../domain/ledger.ts';
import type { PoolState } from '../domain/pool.ts';
import type { WaitingLease } from './allocator.ts';
import type { Allocators } from './allocators.ts';
import { systemContext } from './context.ts';

/** How long an account given up by a drained claim rests before this node claims it again. */
const REST_MS = 1000;

interface Claim {
  poolId: string;
  sessionId: string;
  ttlMs: number;
  claimedAt: number;
  /** When a request last took the account. */
  usedAt: number;
  /**
   * `held`: the gateway takes the account. `draining`: no more (leases wait), released when
   * its last request ends. `releasing`: its release is submitted. The gateway takes the
   * account again only through a new claim.
   */
  state: 'held' | 'draining' | 'releasing';
}

/** The claim's session in the ledger, while it still holds the account. */
function sessionOf(ledger: LedgerState, accountId: string, claim: Claim): Session | undefined {
  return ledger.leasedTo.get(accountId) === claim.sessionId ? ledger.sessions.get(claim.sessionId) : undefined;
}

/**
 * @example
 * if (!claims.holds(ledger, accountId, now) && !(await claims.claim(poolId, accountId))) skip();
 */
export class GatewayClaims {
  /** accountId → this node's claim on it. */
  private readonly held = new Map<string, Claim>();
  /** Accounts given up by a drained claim → until when this node does not claim them again. */
  private readonly resting = new Map<string, number>();
  /** The pools this node has claimed accounts in. */
  private readonly pools = new Set<string>();
  /** Claims being allocated, so that concurrent requests for one account wait for one claim. */
  private readonly claiming = new Map<string, Promise<boolean>>();
  readonly holder: string;
  /**
   * The claims' secret hash, known to this node only (no secret hashes to it: random bytes).
   * Renewals and releases present it, since an operator may not release a gateway's claim.
   */
  private readonly secretHash = randomBytes(32).toString('hex');

  constructor(private readonly allocators: Allocators, nodeId: string, private readonly ttlMs: number) {
    this.holder = `${GATEWAY_HOLDER}${nodeId}`;
  }

  /**
   * Whether this node may send requests through the account now: its claim is the
   * account's lease in the pool's ledger, is not being released, and has more than half its
   * time to live left (so a request started now ends before it could lapse, renewals
   * failing or not).
   */
  holds(ledger: LedgerState, accountId: string, now: number): boolean {
    const claim = this.held.get(accountId);
    if (!claim || claim.state !== 'held') return false;
    const session = sessionOf(ledger, accountId, claim);
    return session !== undefined && session.expiresAt - now > claim.ttlMs / 2;
  }

  /** Leases the account to this node's gateway; answers false when it cannot be (another holds it). */
  claim(poolId: string, accountId: string): Promise<boolean> {
    const rest = this.resting.get(accountId);
    if (rest !== undefined) {
      if (rest > Date.now()) return Promise.resolve(false);
      this.resting.delete(accountId);
    }
    let pending = this.claiming.get(accountId);
    if (!pending) {
      pending = this.allocate(poolId, accountId).finally(() => this.claiming.delete(accountId));
      this.claiming.set(accountId, pending);
    }
    return pending;
  }

  private async allocate(poolId: string, accountId: string): Promise<boolean> {
    const allocator = await this.allocators.get(poolId);
    const ttlMs = Math.min(this.ttlMs, allocator.current.config?.maxLeaseTtlMs ?? this.ttlMs);
    const sessionId = `gateway-${randomUUID()}`;
    try {
      await allocator.submit({ type: 'Allocate', sessionId, count: 1, ttlMs, holder: this.holder, secretHash: this.secretHash, accountIds: [accountId] }, systemContext('gateway'));
    } catch (error) {
      if (error instanceof DomainError) return false;
      throw error;
    }
    const now = Date.now();
    this.pools.add(poolId);
    this.held.set(accountId, { poolId, sessionId, ttlMs, claimedAt: now, usedAt: now, state: 'held' });
    return true;
  }

  /** A request took the account. */
  used(accountId: string, now: number): void {
    const claim = this.held.get(accountId);
    if (claim) claim.usedAt = now;
  }

  /** The account's last request on this node ended: a draining claim is released. */
  finished(accountId: string): void {
    const claim = this.held.get(accountId);
    if (claim?.state === 'draining') void this.release(accountId, claim).catch(() => undefined);
  }

  /**
   * Allocations of the pool wait: for each, as many of this node's claims in the pool as it
   * wants accounts, among those it could take (those serving fewest requests first), take
   * no more requests and are released once their requests end. Claims already on their way
   * back count toward the allocations that could take them.
   *
   * @example
   * claims.yieldTo('p', [{ count: 1, takes: () => true }], (id) => inFlight.get(id) ?? 0);
   */
  yieldTo(poolId: string, leases: WaitingLease[], inFlight: (accountId: string) => number): void {
    if (this.held.size === 0) return;
    const wants = leases.map((lease) => ({ takes: lease.takes, left: lease.count }));
    const open: string[] = [];
    for (const [accountId, claim] of this.held) {
      if (claim.poolId !== poolId) continue;
      if (claim.state === 'held') open.push(accountId);
      else {
        const want = wants.find((w) => w.left > 0 && w.takes(accountId));
        if (want) want.left--;
      }
    }
    // Usually one or two: each found by a pass rather than by sorting every claim of the pool.
    for (const want of wants) {
      for (; want.left > 0; want.left--) {
        let best = -1;
        for (let i = 0; i < open.length; i++) {
          if (want.takes(open[i]!) && (best < 0 || inFlight(open[i]!) < inFlight(open[best]!))) best = i;
        }
        if (best < 0) break;
        const accountId = open.splice(best, 1)[0]!;
        this.held.get(accountId)!.state = 'draining';
        if (inFlight(accountId) === 0) this.finished(accountId);
      }
    }
  }

  /**
   * One pass of upkeep: drains the claims older than twice their time to live (and those of
   * pools no longer exclusive), renews the
   * claims in use (or used within half their time to live) once a third of that time has
   * passed, releases the others (and the draining ones no longer in use), and forgets
   * those the ledger no longer names (expired).
   */
  async keep(inUse: (accountId: string) => boolean, now = Date.now()): Promise<void> {
    const work: Array<Promise<unknown>> = [];
    for (const [accountId, until] of this.resting) if (until <= now) this.resting.delete(accountId);
    const pools = new Map<string, PoolState>();
    for (const claim of this.held.values()) if (!pools.has(claim.poolId)) pools.set(claim.poolId, (await this.allocators.get(claim.poolId)).current);
    for (const [accountId, claim] of this.held) {
      if (claim.state === 'releasing') continue;
      const { ledger, config } = pools.get(claim.poolId)!;
      const session = sessionOf(ledger, accountId, claim);
      // Old claims give way to allocations waiting on other nodes; a pool no longer exclusive needs none.
      if (claim.state === 'held' && (now - claim.claimedAt > 2 * claim.ttlMs || !config?.exclusive)) claim.state = 'draining';
      if (!session || session.expiresAt <= now) {
        this.held.delete(accountId);
      } else if ((claim.state === 'draining' || now - claim.usedAt > claim.ttlMs / 2) && !inUse(accountId)) {
        work.push(this.release(accountId, claim));
      } else if (session.expiresAt - now < (claim.ttlMs * 2) / 3) {
        work.push(this.submit(claim, { type: 'Renew', sessionId: claim.sessionId, secretHash: this.secretHash, ttlMs: claim.ttlMs }));
      }
    }
    const failed = (await Promise.allSettled(work)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** Releases every claim (the node stops; its gateway no longer serves). */
  async releaseAll(): Promise<void> {
    await Promise.allSettled([...this.held].filter(([, c]) => c.state !== 'releasing').map(([id, c]) => this.release(id, c)));
  }

  /** The claim is given up at once; its account is free again once the release is stored (or when the claim expires). */
  private release(accountId: string, claim: Claim): Promise<unknown> {
    if (claim.state === 'draining') this.resting.set(accountId, Date.now() + REST_MS);
    claim.state = 'releasing';
    return this.submit(claim, { type: 'Release', sessionId: claim.sessionId, secretHash: this.secretHash }).finally(() => {
      if (this.held.get(accountId) === claim) this.held.delete(accountId);
    });
  }

  private async submit(claim: Claim, command: { type: 'Renew'; sessionId: string; secretHash: string; ttlMs: number } | { type: 'Release'; sessionId: string; secretHash: string }): Promise<unknown> {
    return (await this.allocators.get(claim.poolId)).submit(command, systemContext('gateway'));
  }

  /** How many accounts this node holds claims on. */
  get size(): number {
    return this.held.size;
  }

  /**
   * How many accounts this node holds claims on, per pool it has ever claimed in (0 when
   * none now: a gauge left without a figure would go on showing its last one).
   */
  perPool(): Map<string, number> {
    const counts = new Map([...this.pools].map((poolId) => [poolId, 0]));
    for (const { poolId } of this.held.values()) counts.set(poolId, (counts.get(poolId) ?? 0) + 1);
    return counts;
  }
}
