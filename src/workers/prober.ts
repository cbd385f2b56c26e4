import { changeAccount } from '../commands/accounts.ts';
import { systemContext } from '../commands/context.ts';
import type { Probe } from './providers/provider.ts';
import { providerOfPool, type UpkeepDeps } from './refresher.ts';

const DAY = 86_400_000;

/**
 * Probes accounts: their health and credits. It probes an account soon after usage is
 * reported, every account once a day, and cooling accounts whose cooldown a probe may end
 * every `probeIntervalMs`. Probes share the provider's token bucket with refreshes.
 *
 * @example
 * await prober.probe(accountId); // records CreditsChecked, and may end a cooldown
 */
export class Prober {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly soon = new Map<string, NodeJS.Timeout>();
  private readonly lastTry = new Map<string, number>();

  constructor(private readonly deps: UpkeepDeps) {}

  probe(accountId: string): Promise<void> {
    let running = this.inFlight.get(accountId);
    if (!running) {
      running = this.run(accountId).finally(() => this.inFlight.delete(accountId));
      this.inFlight.set(accountId, running);
    }
    return running;
  }

  private async run(accountId: string): Promise<void> {
    const { deps } = this;
    this.lastTry.set(accountId, Date.now());
    const entry = deps.accounts.find(accountId);
    if (!entry || entry.state.status !== 'active') return;
    const spec = await providerOfPool(deps, entry.state.poolId);
    const credentials = await deps.vault.get(accountId);
    if (!spec?.can.probe || !credentials) return;
    await deps.buckets.take(spec);
    const result = await deps.flows.run(spec, 'probe', credentials, { timeoutMs: deps.settings.flowTimeoutMs });
    const ctx = systemContext('prober');
    if (result.ok) {
      const { healthy, credits } = result.value as Probe;
      await changeAccount(deps, { type: 'RecordProbe', accountId, healthy, credits }, ctx);
    } else if (result.error.kind === 'revoked') {
      await changeAccount(deps, { type: 'DisableAccount', accountId, reason: 'credentials revoked' }, ctx);
    }
  }

  /** Probes the account after `delayMs`; calls in between are folded into one probe. */
  probeSoon(accountId: string, delayMs = 1000): void {
    if (this.soon.has(accountId)) return;
    this.soon.set(accountId, setTimeout(() => {
      this.soon.delete(accountId);
      void this.probe(accountId).catch(this.deps.onError);
    }, delayMs).unref());
  }

  /** Starts the probes that are due: daily credit checks, and cooling accounts a probe may bring back. */
  scan(now = Date.now()): number {
    let started = 0;
    for (const poolId of this.deps.accounts.pools()) {
      for (const [id, { state }] of this.deps.accounts.pool(poolId)) {
        if (state.status !== 'active' || !state.credentials.version || this.inFlight.has(id)) continue;
        const cooling = state.cooldowns.some((c) => c.endsOnProbe && c.until > now);
        const last = Math.max(this.lastTry.get(id) ?? 0, Date.parse(state.creditsCheckedAt ?? '') || 0);
        if (now - last >= DAY || (cooling && now - last >= this.deps.settings.probeIntervalMs)) {
          started++;
          void this.probe(id).catch(this.deps.onError);
        }
      }
    }
    return started;
  }
}
