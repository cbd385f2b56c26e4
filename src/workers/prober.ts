import type { ProbeWork } from '../commands/work.ts';
import { changeAccount, disableRevoked } from '../commands/accounts.ts';
import { systemContext } from '../commands/context.ts';
import type { Probe } from './providers/provider.ts';
import type { AccountState } from '../domain/account.ts';
import { Backlogs, SingleFlight } from './limits.ts';
import { providerOfPool, type UpkeepDeps } from './refresher.ts';

const DAY = 86_400_000;

/**
 * Probes accounts: their health and credits. It probes an account's credits soon after
 * usage is reported and every account once a day; cooling accounts whose cooldown a probe
 * may end it probes every `probeIntervalMs`, and a healthy answer ends that cooldown.
 * Probes share the provider's token bucket with refreshes.
 *
 * @example
 * await prober.probe(accountId); // records CreditsChecked, and may end a cooldown
 */
export class Prober implements ProbeWork {
  private readonly inFlight = new SingleFlight<string, void>();
  private readonly soon = new Map<string, NodeJS.Timeout>();
  private readonly lastTry = new Map<string, number>();
  private readonly backlogs: Backlogs;

  constructor(private readonly deps: UpkeepDeps) {
    this.backlogs = new Backlogs(deps.settings.upkeepConcurrency, (id) => this.queued(id));
  }

  /** Probes now; with `recover`, a healthy answer ends the cooldowns a probe may end. */
  probe(accountId: string, recover = true): Promise<void> {
    return this.inFlight.run(accountId, () => this.run(accountId, recover));
  }

  private async run(accountId: string, recover: boolean): Promise<void> {
    const { deps } = this;
    this.lastTry.set(accountId, Date.now());
    const entry = deps.accounts.find(accountId);
    if (!entry || entry.state.status !== 'active') return;
    const spec = await providerOfPool(deps, entry.state.poolId);
    // Credentials are opened only for a provider that probes.
    if (!spec?.can.probe) return;
    const credentials = await deps.vault.get(accountId);
    if (!credentials) return;
    const result = await deps.flows.run(spec, 'probe', credentials, { timeoutMs: deps.settings.flowTimeoutMs, turn: (signal) => deps.buckets.take(spec, signal) });
    const ctx = systemContext('prober');
    if (result.ok) {
      const { healthy, credits } = result.value as Probe;
      await changeAccount(deps, { type: 'RecordProbe', accountId, healthy, credits, recover }, ctx);
    } else if (result.error.kind === 'revoked') {
      await disableRevoked(deps, accountId, ctx);
    }
  }

  /** Probes the account's credits after `delayMs` (after use); calls in between are folded into one probe. It ends no cooldown. */
  probeSoon(accountId: string, delayMs = 1000): void {
    if (this.soon.has(accountId)) return;
    this.soon.set(accountId, setTimeout(() => {
      this.soon.delete(accountId);
      void this.probe(accountId, false).catch(this.deps.onError);
    }, delayMs).unref());
  }

  /**
   * Probes, `upkeepConcurrency` at a time per pool, the accounts that are due: cooling
   * accounts a probe may bring back first, then daily credit checks (the scheduler calls
   * this each round; a round's list replaces what was left of the last). A pool whose
   * provider does not probe has none due. Returns how many are due.
   */
  async scan(now = Date.now()): Promise<number> {
    let due = 0;
    for (const poolId of this.deps.accounts.pools()) {
      if (!(await providerOfPool(this.deps, poolId))?.can.probe) {
        this.backlogs.of(poolId).replace([]);
        continue;
      }
      const recover: string[] = [];
      const daily: string[] = [];
      for (const [id, { state }] of this.deps.accounts.pool(poolId)) {
        if (this.inFlight.has(id)) continue;
        const why = this.dueFor(id, state, now);
        if (why) (why === 'recover' ? recover : daily).push(id);
      }
      due += recover.length + daily.length;
      this.backlogs.of(poolId).replace([...recover, ...daily]);
    }
    return due;
  }

  /** Probes the scheduler has under way now. */
  get underWay(): number {
    return this.backlogs.size;
  }

  /** Why an account is due a probe: `recover`, cooling and not probed for `probeIntervalMs`; `daily`, credits not checked for a day. */
  private dueFor(accountId: string, state: AccountState, now: number): 'recover' | 'daily' | undefined {
    if (state.status !== 'active' || !state.credentials.version) return undefined;
    const cooling = state.cooldowns.some((c) => (c.endsOnProbe || c.untilCredits) && c.until > now);
    const last = Math.max(this.lastTry.get(accountId) ?? 0, Date.parse(state.creditsCheckedAt ?? '') || 0);
    if (cooling && now - last >= this.deps.settings.probeIntervalMs) return 'recover';
    return now - last >= DAY ? 'daily' : undefined;
  }

  /** A probe the scheduler queued, when its turn comes: only if the account is still due (another probe may have run meanwhile). */
  private queued(accountId: string): Promise<void> {
    const entry = this.deps.accounts.find(accountId);
    const why = entry && this.dueFor(accountId, entry.state, Date.now());
    return why ? this.probe(accountId, why === 'recover').catch(this.deps.onError) : Promise.resolve();
  }
}
