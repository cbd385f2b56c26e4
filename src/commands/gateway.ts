/**
 * The gateway's core: which account serves a request, how many requests an account serves
 * at once, what a failure does to it (the pool's cooldown rules), and the usage meter,
 * which sums usage in memory and appends it as one event per flush, so that no count is
 * lost under concurrency and what a crash can lose is one flush interval.
 */
import { randomUUID } from 'node:crypto';
import { Gate } from '../effect.ts';
import { coolingUntil, type Outcome } from '../domain/account.ts';
import { DomainError } from '../domain/errors.ts';
import { FairWaiters, type Gone } from './fair-waiters.ts';
import { ANSWERED_SHOWS_HEALTHY_MS, blamedFailure, poolOrder, resolveRoute, spendOf, usageRowKey, type DefaultRoutes, type GatewayPrices, type GatewayRoutes, type ResolvedRoute, type UsageRow } from '../domain/gateway.ts';
import type { RoutesState } from '../domain/gateway-routes.ts';
import { nextUsageDay, usageDay } from '../domain/usage-day.ts';
import type { AccountIndex, IndexedAccount } from '../projections/account-index.ts';
import type { Strategy } from '../domain/pool.ts';
import type { LedgerState } from '../domain/ledger.ts';
import { GatewayOrder, type Rank } from './gateway-order.ts';
import { GatewayClaims } from './gateway-claims.ts';
import { DailyUse } from './daily-use.ts';
import type { Credentials } from '../store/secrets.ts';
import type { KeyDeps } from './api-keys.ts';
import { limitsOfKey } from './callers.ts';
import type { Quotas } from './quotas.ts';
import { keptIn, lateUsage, type KeptKind, type LateTokens, type LateUsage } from '../domain/kept.ts';
import { MemoryKeptObjects, RESPONSE_RETENTION_MS, type DueObject, type KeptObjects, type KeptOwner, type KeptQuery } from '../store/kept-objects.ts';
import type { RequestLog } from '../store/request-log.ts';
import type { EventStore, RecordedEvent } from '../store/port.ts';
import type { AccountUse } from '../projections/gateway-usage.ts';
import type { AccountDeps } from './accounts.ts';
import { recordUsage } from './usage.ts';
import type { UsageDays } from './allocator.ts';
import type { Allocators, LogFollower } from './allocators.ts';
import { systemContext, toNewEvents } from './context.ts';

export interface GatewaySettings {
  /** Routes and prices in configuration; those set through the API come from the log (`useLogged`). */
  routes: GatewayRoutes;
  prices: GatewayPrices;
  /** Other accounts tried after the first fails before the first byte. */
  retries: number;
  /** Requests one account serves at once. */
  maxInFlight: number;
  /** How long a claim on an account of an exclusive pool lasts unless renewed (see `GatewayClaims`). */
  claimTtlMs?: number;
  /** The route a pass-through request names when it names no model, by path. */
  defaultRoutes?: DefaultRoutes;
}

export interface GatewayDeps extends AccountDeps {
  allocators: Allocators;
  accounts: AccountIndex;
  days: UsageDays;
  /** Requests each account served well per model on a day, over every node (the usage read model), and its position. */
  useOn: (day: string) => Promise<AccountUse>;
  /** Which account made each response its upstream keeps (in memory when not given). */
  kept?: KeptObjects;
  /** The log of forwarded requests (none kept when not given). */
  requests?: RequestLog;
}

/** Owners of kept objects this node knows without asking the store, at most. */
const KNOWN_OWNERS = 10_000;

/** The account chosen for one try of a request. */
export interface Chosen {
  accountId: string;
  poolId: string;
  credentials: Credentials | null;
  /** Gives the account's place back; call once, when the try ends. */
  done(): void;
}

/**
 * No account can serve now. `retryAfterMs`: the soonest end of a cooldown when accounts
 * cool, or the start of the next usage day when `dailyLimit` (every other account has
 * reached its daily limit for the model).
 */
export interface NoneFree {
  retryAfterMs?: number;
  dailyLimit?: true;
}

/** How many of the accounts an exclusive pool's order offers next are claimed ahead of the requests. */
const CLAIM_AHEAD = 4;

/** An order not walked for this long is dropped when another order of its pool is made. */
const ORDER_IDLE_MS = 10 * 60_000;

/**
 * @example
 * const route = gateway.route('gpt-small');
 * const chosen = await gateway.choose(route, tried);
 */
export class GatewayCore {
  private readonly inFlight = new Map<string, number>();
  /** When this node last gave each account a request (a sequence number), for the lru strategy. */
  private readonly lastUsed = new Map<string, number>();
  private uses = 0;
  /** The account each pool gave its last request to (round_robin goes on after it). */
  private readonly cursor = new Map<string, string>();
  /** Each pool's accounts in its strategy's order, one per model (least_used: per model and day). */
  private readonly orders = new Map<string, Map<string, { order: GatewayOrder; day: string; used: number }>>();
  /** When each account last answered a request for a model, here or on a node heard from (`{account}\n{model}`). */
  private readonly answers = new Map<string, number>();
  private answersSwept = 0;
  /** Requests waiting for an account to finish a request, fairly between keys. */
  private readonly waiters = new FairWaiters();
  readonly meter: UsageMeter;
  /** This node's usage stream (the others' are heard from the log). */
  private readonly usageStream: string;
  /** This node's leases on the accounts of exclusive pools it uses. */
  readonly claims: GatewayClaims;
  private readonly daily: DailyUse;
  /** Routes and prices in effect: configuration's, then the log's (`useLogged`). */
  private effective: RoutesState;
  /** The revision of the routes' stream last taken in. */
  private loggedRevision = -1;
  private readonly kept: KeptObjects;
  /** Owners of kept objects looked up or made lately, oldest first. */
  private readonly knownOwners = new Map<string, KeptOwner>();

  constructor(private readonly deps: GatewayDeps, readonly settings: GatewaySettings, store: EventStore, nodeId: string = randomUUID()) {
    this.effective = { routes: settings.routes, prices: settings.prices };
    this.meter = new UsageMeter(store, nodeId);
    this.usageStream = `gatewayusage-${nodeId}`;
    this.claims = new GatewayClaims(deps.allocators, nodeId, settings.claimTtlMs ?? 60_000);
    this.kept = deps.kept ?? new MemoryKeptObjects();
    this.daily = new DailyUse(deps.useOn, (accountId) => {
      const poolId = deps.accounts.find(accountId)?.state.poolId;
      if (poolId !== undefined) this.touch(poolId, accountId);
    });
    deps.allocators.shareWith({
      inUse: (accountId) => this.serving(accountId),
      waiting: (poolId, leases) => this.claims.yieldTo(poolId, leases, (accountId) => this.inFlight.get(accountId) ?? 0),
    });
    deps.accounts.onChange((poolId, accountId) => this.touch(poolId, accountId));
  }

  /** Renews the claims in use and releases the idle ones (run every sixth of a claim's time to live, at least once a second). */
  keepClaims(): Promise<void> {
    return this.claims.keep((accountId) => this.serving(accountId));
  }

  /** The log of forwarded requests, when one is kept. */
  get requests(): RequestLog | undefined {
    return this.deps.requests;
  }

  /** Appends the usage counted, writes the request log and gives up every claim: the gateway no longer serves. */
  async stop(): Promise<void> {
    await Promise.all([this.meter.flush(), this.deps.requests?.flush(), this.claims.releaseAll()]);
  }

  /**
   * Hears every node's usage from the log tail, so that daily limits count other nodes'
   * requests within a flush (and a notification) of being served, not at the next read,
   * and this node's once; and so that an account another node had answer a request counts
   * as answering here too (`blamed`).
   *
   * @example
   * await allocators.follow(from, signal, report, [gateway.usageFollower()]);
   */
  usageFollower(): LogFollower {
    return {
      streamPrefix: 'gatewayusage-',
      apply: async (event: RecordedEvent) => {
        if (event.type !== 'GatewayUsageRecorded') return;
        const { rows, at } = event.data as { rows: UsageRow[]; at: string };
        const own = event.stream === this.usageStream;
        this.daily.hear(event.position, rows, own);
        if (!own) for (const r of rows) if (r.requests > r.failures) this.answered(r.accountId, r.model, Date.parse(at));
      },
    };
  }

  /** Requests waiting on this node for an account to have a place. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Whether an account is serving a gateway request on this node now. */
  serving(accountId: string): boolean {
    return this.inFlight.has(accountId);
  }

  /** Whether an account is cooling for a model at `now` (its upstream asked for rest, or it failed). */
  cooling(accountId: string, model: string, now = Date.now()): boolean {
    const entry = this.deps.accounts.find(accountId);
    return entry !== undefined && coolingUntil(entry.state.cooldowns, model, now) !== undefined;
  }

  /** The routes in effect: configuration's and those set through the API. */
  get routes(): GatewayRoutes {
    return this.effective.routes;
  }

  /** The prices in effect: configuration's, and those of routes set through the API. */
  get prices(): GatewayPrices {
    return this.effective.prices;
  }

  /**
   * Takes in the routes set through the API as of a revision of their stream (a later one
   * than last time, else nothing changes: a follower may lag behind a local change).
   */
  useLogged(logged: RoutesState, revision: number): void {
    if (revision <= this.loggedRevision) return;
    this.loggedRevision = revision;
    this.effective = { routes: { ...logged.routes, ...this.settings.routes }, prices: { ...logged.prices, ...this.settings.prices } };
  }

  /** The route of a model the client asked for; 404 `model_not_found` when there is none. */
  route(model: string): ResolvedRoute {
    const route = resolveRoute(this.routes, model);
    if (!route) throw new DomainError('not_found', `no route for model ${model}`, [{ field: 'model', message: 'has no route' }]);
    return route;
  }

  /** The models a key may use: every route, or those its scope names. */
  models(allowed: string[] | null): string[] {
    return Object.keys(this.routes).filter((m) => allowed === null || allowed.includes(m));
  }

  /** Marks an account whose place in its pool's orders may have changed. */
  private touch(poolId: string, accountId: string): void {
    const orders = this.orders.get(poolId);
    if (orders) for (const { order } of orders.values()) order.touch(accountId);
  }

  /**
   * A pool's order for a strategy and model (and, for least_used, the day: it ranks by
   * today's use); made from the pool's accounts on first use.
   */
  private orderOf(poolId: string, strategy: Strategy, model: string, today: string): GatewayOrder {
    const day = strategy === 'least_used' ? today : '';
    const name = `${strategy}\u0000${model}\u0000${day}`;
    let orders = this.orders.get(poolId);
    if (!orders) this.orders.set(poolId, (orders = new Map()));
    const now = Date.now();
    let made = orders.get(name);
    if (!made) {
      // Orders of another strategy or day are of no more use, and one not walked for a while
      // (a model no longer asked for) gives its memory back: it is made again when needed.
      for (const [other, o] of orders) if (o.order.strategy !== strategy || o.day !== day || now - o.used > ORDER_IDLE_MS) orders.delete(other);
      made = { order: new GatewayOrder(strategy, this.rankIn(poolId, strategy, model, day)), day, used: now };
      for (const accountId of this.deps.accounts.pool(poolId).keys()) made.order.touch(accountId);
      orders.set(name, made);
    }
    made.used = now;
    return made.order;
  }

  /**
   * How an order ranks the pool's active accounts: out until its end while cooling for the
   * model; lru by this node's last request to each, least_used by requests now, then today.
   */
  private rankIn(poolId: string, strategy: Strategy, model: string, day: string): Rank {
    return (accountId, now) => {
      const entry = this.deps.accounts.find(accountId);
      if (!entry || entry.state.poolId !== poolId || entry.state.status !== 'active') return undefined;
      const until = coolingUntil(entry.state.cooldowns, model, now);
      if (until !== undefined) return { until };
      if (strategy === 'lru') return [this.lastUsed.get(accountId) ?? 0, 0];
      if (strategy === 'least_used') return [this.inFlight.get(accountId) ?? 0, this.usedToday(entry, accountId, model, day)];
      return [0, 0];
    };
  }

  /** Units the account's leases reported today for the model, and requests the gateway served (or is serving) today. */
  private usedToday(entry: IndexedAccount, accountId: string, model: string, day: string): number {
    return (entry.state.usage.day === day ? entry.state.usage.units[model] ?? 0 : 0) + this.daily.used(accountId, model);
  }

  /**
   * Remembers the account that made an object its upstream keeps (a response, a file, a
   * batch), so that requests naming it reach that account (on any node), before the client
   * learns its id; with the object, to list it.
   *
   * @example
   * await gateway.remember('resp_1', 'response', { accountId: chosen.accountId, poolId: chosen.poolId, model: route.model, userId });
   */
  async remember(id: string, kind: KeptKind, owner: KeptOwner, object?: object, late = false): Promise<void> {
    // An object known already with nothing new to show is not written again.
    const known = this.knownOwners.has(id);
    if (object === undefined && known) return;
    // Its first owner stays, as the store keeps it: a later read by another key of its user,
    // or naming another model, changes neither whose it is nor the model it counts on.
    if (!known) this.know(id, owner);
    await this.kept.remember(id, kind, owner, object, late);
  }

  /**
   * Remembers what an answer made or read through an account shows of kept objects, and
   * forgets one it deleted. Answers the tokens a finished batch, background response or
   * run reports, the first time any gateway reads it finished (to count them then), else none.
   *
   * @example
   * const late = await gateway.keepShown(await res.body.json(), { accountId, poolId, model: route.model, userId });
   */
  async keepShown(answer: Record<string, unknown>, owner: KeptOwner): Promise<LateUsage | undefined> {
    const { kept, deleted } = keptIn(answer);
    for (const k of kept) await this.remember(k.id, k.kind, owner, k.object, k.late);
    if (deleted !== undefined) await this.forget(deleted);
    const late = lateUsage(answer);
    return late && (await this.kept.claimLateUsage(late.id)) ? late : undefined;
  }

  /**
   * Objects made more than `afterMs` ago whose tokens no read has counted yet (nor looked
   * for within `afterMs`), up to `limit`, for the sweeper to read at their accounts.
   */
  dueLateUsage(afterMs: number, limit: number, now = Date.now()): Promise<DueObject[]> {
    return this.kept.dueLateUsage(new Date(now - afterMs), new Date(now - RESPONSE_RETENTION_MS), limit, new Date(now));
  }

  /**
   * Counts tokens an object showed after it was made, outside a request of the key that
   * made it (read by the sweeper, or by another key of its user): against that key, at the
   * route's prices (a batch's at its batch prices), on the usage day it finished (today when
   * it does not say), with no request. Answers what they cost.
   */
  countLate(owner: KeptOwner & { keyId: string }, tokens: LateTokens): number {
    const spend = spendOf(this.prices, owner.model, tokens, tokens.batch);
    this.count({
      keyId: owner.keyId, userId: owner.userId, accountId: owner.accountId, poolId: owner.poolId, model: owner.model, day: this.lateDay(tokens),
      requests: 0, failures: 0, inputTokens: tokens.input, outputTokens: tokens.output, estimated: 0, spend,
    });
    return spend;
  }

  /** A kept object as its upstream last showed it (undefined for a response, or one never kept). */
  shown(id: string): Promise<Record<string, unknown> | undefined> {
    return this.kept.shown(id);
  }

  /** Claims the counting of an object's late tokens (a background response's, read from its stream; a message batch's, from its results): false when another read counted them. */
  claimLateUsage(id: string): Promise<boolean> {
    return this.kept.claimLateUsage(id);
  }

  /** Forgets a kept object (deleted, or unknown to its upstream). */
  async forget(id: string): Promise<void> {
    this.knownOwners.delete(id);
    await this.kept.forget(id);
  }

  /** The account that made a kept object, if a gateway remembered it. */
  async ownerOf(id: string): Promise<KeptOwner | undefined> {
    const known = this.knownOwners.get(id);
    if (known) return known;
    const found = await this.kept.find(id);
    if (found) this.know(id, found);
    return found;
  }

  /** A page of a user's files or batches, as their upstreams last showed them. */
  keptList(query: KeptQuery): Promise<object[]> {
    return this.kept.list(query);
  }

  private know(id: string, owner: KeptOwner): void {
    this.knownOwners.delete(id);
    this.knownOwners.set(id, owner);
    if (this.knownOwners.size > KNOWN_OWNERS) this.knownOwners.delete(this.knownOwners.keys().next().value!);
  }

  /**
   * An account of the route's pools that can serve `model` now: pools by priority and
   * weight, and within a pool by its strategy. Eligible: active, not tried yet for this
   * request, not cooling for the model, under its daily limit for the model, with credits
   * if counted, under its in-flight limit, and not held by an exclusive lease (in an
   * exclusive pool: claimed by this node, or claimed now). When the only eligible accounts
   * are at their in-flight limit, waits up to `waitMs` for one, in turn with other
   * callers' requests (`who`, the key), unless its client goes (`gone`). With `only`, that
   * account or none (a request that must reach the account that made a response).
   */
  async choose(route: ResolvedRoute, tried: Set<string>, waitMs = 30_000, only?: string, who = '', gone?: Gone): Promise<Chosen | NoneFree> {
    const deadline = Date.now() + waitMs;
    /** Accounts of exclusive pools this request could not claim (another holds them). */
    const refused = new Set<string>();
    /** Woken once already: waiting again, the request keeps its place at the head of its key's queue. */
    let woken = false;
    for (;;) {
      const found = await this.pick(route, tried, refused, Date.now(), only);
      if ('claim' in found) {
        const { poolId, accountId } = found.claim;
        // A claim that cannot be written (the store out of reach) leaves the request to the accounts already claimed.
        if (!(await this.claims.claim(poolId, accountId).catch(() => false))) refused.add(accountId);
        continue;
      }
      // Every eligible account is serving its most: wait for one to finish (each key in turn), up to the deadline.
      if (!('busy' in found)) return found;
      if (Date.now() >= deadline || gone?.aborted) return {};
      woken = await this.waiters.wait(who, deadline - Date.now(), woken, gone);
    }
  }

  private async pick(route: ResolvedRoute, tried: Set<string>, refused: Set<string>, now: number, only?: string): Promise<Chosen | NoneFree | { busy: true } | { claim: { poolId: string; accountId: string } }> {
    let soonest: number | undefined;
    let busy = false;
    let limited = false;
    for (const poolId of poolOrder(route.pools, Math.random)) {
      if (this.deps.accounts.pool(poolId).size === 0) continue;
      const { ledger, config } = (await this.deps.allocators.get(poolId)).current;
      const limit = config?.dailyLimits[route.model];
      const strategy = config?.strategy ?? 'round_robin';
      const exclusive = config?.exclusive === true;
      // Today's counts matter for a daily limit and for least_used.
      const day = limit === undefined && strategy !== 'least_used' ? '' : this.dayOf(now);
      if (day) await this.daily.ready(day);
      // The first eligible account in the order is the strategy's choice.
      const order = this.orderOf(poolId, strategy, route.model, day);
      for (const accountId of only === undefined ? order.walk({ after: this.cursor.get(poolId), random: Math.random(), now }) : [only]) {
        const entry = this.deps.accounts.find(accountId);
        if (!entry || entry.state.poolId !== poolId || entry.state.status !== 'active') continue;
        // The order leaves out accounts cooling for the model; one asked for by name is checked
        // here (first: when its try has just cooled it, the answer is when it is back).
        const cooling = only === undefined ? undefined : coolingUntil(entry.state.cooldowns, route.model, now);
        if (cooling !== undefined) {
          soonest = soonest === undefined ? cooling : Math.min(soonest, cooling);
          continue;
        }
        if (tried.has(accountId) || refused.has(accountId)) continue;
        // In an exclusive pool this node's claim is a lease of its own; any other lease excludes the account.
        const claimed = exclusive && this.claims.holds(ledger, accountId, now);
        if (ledger.leasedTo.has(accountId) && !claimed) continue;
        if ((this.inFlight.get(accountId) ?? 0) >= this.settings.maxInFlight) {
          busy = true;
          continue;
        }
        if (entry.state.credits !== null && entry.state.credits <= 0) continue;
        if (limit !== undefined && this.usedToday(entry, accountId, route.model, day) >= limit) {
          limited = true;
          continue;
        }
        if (exclusive && !claimed) return { claim: { poolId, accountId } };
        if (exclusive) this.claimAhead(poolId, ledger, order, accountId);
        return this.take(poolId, accountId, day ? route.model : undefined, order);
      }
      // The accounts cooling for the model are out of the order: when the first comes back.
      const back = only === undefined ? order.soonest : undefined;
      if (back !== undefined) soonest = soonest === undefined ? back : Math.min(soonest, back);
    }
    if (busy) return { busy: true };
    if (soonest !== undefined) return { retryAfterMs: Math.max(1, soonest - now) };
    if (limited) return { retryAfterMs: Math.max(1, nextUsageDay(now, this.deps.days.timeZone, this.deps.days.rollover) - now), dailyLimit: true };
    return {};
  }

  /**
   * In an exclusive pool, claims in the background the next accounts the order offers
   * that no one holds, so that a request seldom waits for a claim of its own.
   */
  private claimAhead(poolId: string, ledger: LedgerState, order: GatewayOrder, after: string): void {
    for (const accountId of order.upcoming(CLAIM_AHEAD, after)) {
      if (!ledger.leasedTo.has(accountId)) void this.claims.claim(poolId, accountId).catch(() => undefined);
    }
  }

  /** Takes a place on an account for one try; with `limitedModel`, the try counts toward that model's daily limit while it runs. */
  private async take(poolId: string, accountId: string, limitedModel: string | undefined, order: GatewayOrder): Promise<Chosen> {
    this.cursor.set(poolId, accountId);
    this.lastUsed.set(accountId, ++this.uses);
    const unhold = limitedModel === undefined ? undefined : this.daily.hold(accountId, limitedModel);
    const chosen = await this.occupy(poolId, accountId, unhold);
    // The credentials of the accounts the pool offers next are opened ahead, a batch in
    // one read, so that in a pool larger than the cache a request seldom waits for its own.
    this.deps.vault.readAhead((n) => order.upcoming(n, accountId));
    return chosen;
  }

  /**
   * A place on one named account for a request Roster sends of its own (a route check),
   * when the gateway could send a client's through it now: active, under its in-flight
   * limit and, in an exclusive pool, claimed by this node (claimed now when no one leases
   * it). Cooldowns and daily limits are for a model; such a request is for none.
   *
   * @example
   * const chosen = await gateway.lend('p', accountId);
   * if (chosen) try { await send(chosen.credentials); } finally { chosen.done(); }
   */
  async lend(poolId: string, accountId: string): Promise<Chosen | undefined> {
    const { ledger, config } = (await this.deps.allocators.get(poolId)).current;
    const entry = this.deps.accounts.find(accountId);
    if (!entry || entry.state.poolId !== poolId || entry.state.status !== 'active') return undefined;
    if ((this.inFlight.get(accountId) ?? 0) >= this.settings.maxInFlight) return undefined;
    if (config?.exclusive && !this.claims.holds(ledger, accountId, Date.now())) {
      if (ledger.leasedTo.has(accountId) || !(await this.claims.claim(poolId, accountId).catch(() => false))) return undefined;
    }
    return this.occupy(poolId, accountId);
  }

  /** Counts a try on the account until `done` (which also runs `unhold`), and opens its credentials. */
  private async occupy(poolId: string, accountId: string, unhold?: () => void): Promise<Chosen> {
    this.claims.used(accountId, Date.now());
    this.inFlight.set(accountId, (this.inFlight.get(accountId) ?? 0) + 1);
    this.touch(poolId, accountId);
    let released = false;
    const done = () => {
      if (released) return;
      released = true;
      unhold?.();
      const n = (this.inFlight.get(accountId) ?? 1) - 1;
      if (n > 0) this.inFlight.set(accountId, n);
      else {
        this.inFlight.delete(accountId);
        this.claims.finished(accountId);
      }
      this.touch(poolId, accountId);
      this.waiters.wakeOne();
    };
    try {
      return { accountId, poolId, credentials: await this.deps.vault.get(accountId), done };
    } catch (error) {
      done();
      throw error;
    }
  }

  /**
   * Records a failed try against the account (429, 5xx, timeout): the pool's cooldown
   * rules decide whether it cools, for this model; `unblamed`, a failure the request may
   * have caused, is recorded and not counted toward the failure threshold.
   */
  async failed(chosen: Pick<Chosen, 'accountId' | 'poolId'>, model: string, outcome: Exclude<Outcome, 'success'>, retryAfterSeconds?: number, unblamed = false): Promise<void> {
    await recordUsage(this.deps, chosen.poolId, 'gateway', {
      accountId: chosen.accountId, outcome, model, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}), ...(unblamed ? { unblamed } : {}),
    }, systemContext('gateway'));
  }

  /** The account answered a request for the model (any status but a failure's) at `at`: it works for it then. */
  answered(accountId: string, model: string, at = Date.now()): void {
    const key = `${accountId}\n${model}`;
    if (!((this.answers.get(key) ?? 0) >= at)) this.answers.set(key, at);
    // Answers too old to show anything leave, a sweep a minute at most.
    if (at - this.answersSwept > ANSWERED_SHOWS_HEALTHY_MS) {
      this.answersSwept = at;
      for (const [k, t] of this.answers) if (at - t > ANSWERED_SHOWS_HEALTHY_MS) this.answers.delete(k);
    }
  }

  /**
   * Whether the account is blamed for a request's failure (a 5xx, timeout or broken
   * connection) when the request failed on every account it tried (`blamedFailure`).
   */
  blamed(accountId: string, model: string, first: boolean, now = Date.now()): boolean {
    return blamedFailure({ first, answeredAt: this.answers.get(`${accountId}\n${model}`), now });
  }

  /**
   * Counts a try in the usage meter (and, when it was served well, in the account's
   * daily use of the model).
   */
  count(row: UsageRow): void {
    this.meter.add(row);
    if (row.failures === 0 && this.daily.add(row.accountId, row.model, row.day)) this.touch(row.poolId, row.accountId);
  }

  /** The usage day late tokens go to: the day their object finished, if it said (and not after now), else today. */
  lateDay(tokens: Pick<LateTokens, 'finishedAt'>, now = Date.now()): string {
    if (tokens.finishedAt === undefined || tokens.finishedAt >= now) return this.dayOf(now);
    return usageDay(tokens.finishedAt, this.deps.days.timeZone, this.deps.days.rollover);
  }

  private day = { second: -1, day: '' };

  /** The usage day of an instant, as the pools count it (worked out once a second: it is costly). */
  dayOf(now: number): string {
    const second = Math.floor(now / 1000);
    if (second !== this.day.second) this.day = { second, day: usageDay(now, this.deps.days.timeZone, this.deps.days.rollover) };
    return this.day.day;
  }
}

/**
 * Counts tokens an object showed after the request that made it against the key that made
 * it (not the one that read it), and charges that key's and its user's budgets their cost.
 *
 * @example
 * await countForMaker({ gateway, quotas, callers }, { ...owner, keyId }, { input: 20, output: 8 });
 */
export async function countForMaker(deps: { gateway: GatewayCore; quotas: Quotas; callers: KeyDeps }, owner: KeptOwner & { keyId: string }, tokens: LateTokens): Promise<void> {
  const spend = deps.gateway.countLate(owner, tokens);
  await deps.quotas.charge(await limitsOfKey(deps.callers, owner.keyId, owner.userId), spend);
}

/**
 * Usage summed in memory by key, account, model and day, appended as one
 * `GatewayUsageRecorded` event per flush to this node's own stream (so nodes never
 * contend). A flush that fails keeps its rows for the next.
 *
 * @example
 * meter.add({ keyId, userId, accountId, poolId, model, day, requests: 1, failures: 0, inputTokens: 12, outputTokens: 30, estimated: 0, spend: 0.04 });
 * await meter.flush();
 */
export class UsageMeter {
  private rows = new Map<string, UsageRow>();
  /** One append at a time. */
  private readonly writing = new Gate(1);

  constructor(private readonly store: EventStore, private readonly nodeId: string) {}

  add(row: UsageRow): void {
    const key = usageRowKey(row);
    const known = this.rows.get(key);
    if (!known) {
      this.rows.set(key, { ...row });
      return;
    }
    known.requests += row.requests;
    known.failures += row.failures;
    known.inputTokens += row.inputTokens;
    known.outputTokens += row.outputTokens;
    known.estimated += row.estimated;
    known.spend += row.spend;
    known.rateLimited = (known.rateLimited ?? 0) + (row.rateLimited ?? 0);
    known.timeouts = (known.timeouts ?? 0) + (row.timeouts ?? 0);
  }

  /**
   * Appends what was counted before it was asked for (after the flush under way, if any:
   * one at a time); answers the rows it wrote.
   */
  flush(): Promise<number> {
    return this.writing.run(() => this.write());
  }

  private async write(): Promise<number> {
    if (this.rows.size === 0) return 0;
    const rows = [...this.rows.values()];
    this.rows = new Map();
    try {
      const event = { type: 'GatewayUsageRecorded' as const, data: { rows, at: new Date().toISOString() } };
      await this.store.append(`gatewayusage-${this.nodeId}`, toNewEvents([event], systemContext('gateway')), 'any');
      return rows.length;
    } catch (error) {
      for (const row of rows) this.add(row);
      throw error;
    }
  }
}
