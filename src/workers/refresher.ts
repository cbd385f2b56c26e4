import type { RefreshResult, RefreshWork } from '../commands/work.ts';
import { inSpan, instruments } from '../telemetry.ts';
import type { AccountDeps } from '../commands/accounts.ts';
import { changeAccount, disableRevoked } from '../commands/accounts.ts';
import { systemContext, type CommandContext } from '../commands/context.ts';
import type { Allocators } from '../commands/allocators.ts';
import type { FlowPool } from './flows.ts';
import * as Effect from 'effect/Effect';
import { run } from '../effect.ts';
import { Backlogs, SingleFlight, type ProviderBuckets } from './limits.ts';
import type { Issued } from './providers/provider.ts';
import { activeCooldowns, type AccountState } from '../domain/account.ts';
import type { Providers, ProviderSpec } from './providers/registry.ts';

export interface UpkeepDeps extends AccountDeps {
  allocators: Allocators;
  flows: FlowPool;
  providers: Providers;
  buckets: ProviderBuckets;
  settings: {
    refreshWindowMs: number; flowTimeoutMs: number; probeIntervalMs: number;
    /** Refreshes (and probes) the scheduler, or a pool's refresh, has under way at once per pool. */
    upkeepConcurrency: number;
  };
  onError: (error: unknown) => void;
}


/** The cooldown of a credential the upstream refused, while it runs (no new credentials since). */
const refusalOf = (state: AccountState, now: number) => activeCooldowns(state, now).find((c) => c.untilRotated);

/** The provider of an account's pool, when it is configured. */
export async function providerOfPool(deps: UpkeepDeps, poolId: string): Promise<ProviderSpec | undefined> {
  const allocator = await deps.allocators.get(poolId).catch(() => undefined);
  return deps.providers.get(allocator?.current.config?.providerId ?? '');
}

/**
 * Keeps credentials fresh (DESIGN.md, Workers): refreshes those that expire within the
 * window, never an account more often than its provider's minimum interval (`force`
 * skips that wait, never the rate limit), through the provider's token bucket with
 * jitter and its concurrency gate, one refresh in flight per account. A rotated secret is
 * stored before its event is written; a rejected refresh token disables the account with
 * the reason "credentials revoked".
 *
 * @example
 * await refresher.refresh(accountId, { force: false }, ctx); // → { accountId, outcome: 'refreshed' }
 */
export class Refresher implements RefreshWork {
  private readonly inFlight = new SingleFlight<string, RefreshResult>();
  /** accountId → no automatic retry before this time (after a failure or a 429). */
  private readonly backoff = new Map<string, number>();
  private readonly backlogs: Backlogs;

  constructor(private readonly deps: UpkeepDeps) {
    this.backlogs = new Backlogs(deps.settings.upkeepConcurrency, (id) => this.refresh(id, { force: false }).catch(deps.onError));
  }

  refresh(accountId: string, options: { force: boolean }, ctx: CommandContext = systemContext('refresher')): Promise<RefreshResult> {
    return this.inFlight.run(accountId, () => inSpan('refresh', ctx.traceparent, { 'roster.account': accountId }, async (traceparent) => {
      const result = await this.run(accountId, options.force, { ...ctx, traceparent });
      instruments.refreshes.add(1, { outcome: result.outcome });
      return result;
    }));
  }

  private due(accountId: string, spec: ProviderSpec, force: boolean, now: number): string | null {
    const entry = this.deps.accounts.find(accountId);
    if (!entry || entry.state.status !== 'active') return 'the account is not active';
    if (!entry.state.credentials.version) return 'the account has no credentials';
    if (force) return null;
    const last = Date.parse(entry.state.credentials.rotatedAt ?? '') || 0;
    if (now - last < spec.limits.minRefreshIntervalMs) return `refreshed less than ${spec.limits.minRefreshIntervalMs} ms ago`;
    if ((this.backoff.get(accountId) ?? 0) > now) return 'backing off after a failure';
    return null;
  }

  private async run(accountId: string, force: boolean, ctx: CommandContext): Promise<RefreshResult> {
    const { deps } = this;
    const entry = deps.accounts.find(accountId);
    const spec = entry && (await providerOfPool(deps, entry.state.poolId));
    const now = Date.now();
    // A refused credential keeps the account due each round: one that cannot be refreshed yet is left until it can.
    const refusal = entry && !force ? refusalOf(entry.state, now) : undefined;
    const leaveUntil = (until: number) => {
      if (refusal) this.backoff.set(accountId, Math.max(this.backoff.get(accountId) ?? 0, until));
    };
    if (!spec?.can.refresh) {
      leaveUntil(refusal?.until ?? 0);
      return { accountId, outcome: 'skipped', detail: 'the pool\'s provider cannot refresh' };
    }
    const notDue = this.due(accountId, spec, force, now);
    if (notDue) {
      leaveUntil((Date.parse(entry!.state.credentials.rotatedAt ?? '') || 0) + spec.limits.minRefreshIntervalMs);
      return { accountId, outcome: 'skipped', detail: notDue };
    }
    const credentials = await deps.vault.get(accountId);
    if (!credentials) return { accountId, outcome: 'skipped', detail: 'no credentials stored' };
    // The provider's token bucket is taken right before each upstream call, inside the flow.
    const result = await deps.flows.run(spec, 'refresh', credentials, {
      timeoutMs: deps.settings.flowTimeoutMs, traceparent: ctx.traceparent, turn: (signal) => deps.buckets.take(spec, signal),
    });
    if (result.ok) {
      const issued = result.value as Issued;
      await deps.vault.put(accountId, issued.credentials);
      await changeAccount(deps, {
        type: 'RotateCredentials', accountId, fingerprint: deps.vault.fingerprint(issued.credentials), expiresAt: issued.expiresAt,
      }, ctx);
      this.backoff.delete(accountId);
      return { accountId, outcome: 'refreshed' };
    }
    if (result.error.kind === 'revoked') {
      await disableRevoked(deps, accountId, ctx);
      return { accountId, outcome: 'revoked', detail: result.error.message };
    }
    this.backoff.set(accountId, Date.now() + (result.error.retryAfterMs ?? 60_000));
    return { accountId, outcome: 'failed', detail: result.error.message };
  }

  /** Refreshes one account of a pool or all of them (`upkeepConcurrency` at a time); resolves when each has been tried. */
  async request(poolId: string, options: { accountId?: string; force: boolean }, ctx: CommandContext): Promise<RefreshResult[]> {
    const ids = options.accountId ? [options.accountId] : [...this.deps.accounts.pool(poolId).keys()];
    return run(Effect.forEach(ids, (id) => Effect.tryPromise({ try: () => this.refresh(id, { force: options.force }, ctx), catch: (e) => e }), {
      concurrency: this.deps.settings.upkeepConcurrency,
    }));
  }

  /**
   * Refreshes, `upkeepConcurrency` at a time per pool, every account whose credentials
   * expire within the window or were refused by the upstream (the scheduler calls this
   * each round; a round's list replaces what was left of the last). Returns how many are due.
   */
  scan(now = Date.now()): number {
    let due = 0;
    for (const poolId of this.deps.accounts.pools()) {
      const ids: string[] = [];
      for (const [id, entry] of this.deps.accounts.pool(poolId)) {
        const expiresAt = Date.parse(entry.state.credentials.expiresAt ?? '');
        const wanted = expiresAt - now < this.deps.settings.refreshWindowMs || refusalOf(entry.state, now) !== undefined;
        if (entry.state.status !== 'active' || !wanted || this.inFlight.has(id)) continue;
        if ((this.backoff.get(id) ?? 0) > now) continue;
        ids.push(id);
      }
      due += ids.length;
      this.backlogs.of(poolId).replace(ids);
    }
    return due;
  }

  /** Refreshes the scheduler has under way now. */
  get underWay(): number {
    return this.backlogs.size;
  }
}
