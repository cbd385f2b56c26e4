/**
 * The guard on credentials: failed sign-ins and failed token or key checks are counted per
 * client IP and per account (an email, an API key's id), and once either passes its limit
 * in the window, the next try is answered 429 before any password hash is computed.
 */
import { tooMany, type RateLimits, type Verdict } from '../store/rate-limits.ts';

export interface GuardSettings {
  /** Failures from one IP in the window, at most. */
  failsPerIp: number;
  /** Failures against one account in the window, at most. */
  failsPerAccount: number;
  windowSeconds: number;
}

const refusal = (v: Verdict & { allowed: false }) => tooMany(v, 'failed attempts');

/**
 * @example
 * await guard.before(ip, email);          // 429 when either is locked out
 * try { … } catch (e) { await guard.failed(ip, email); throw e; }
 */
export class AuthGuard {
  constructor(private readonly limits: RateLimits, private readonly settings: GuardSettings) {}

  private get perIp() {
    return this.limits.limiter('fail-ip', this.settings.failsPerIp, this.settings.windowSeconds);
  }

  private get perAccount() {
    return this.limits.limiter('fail-account', this.settings.failsPerAccount, this.settings.windowSeconds);
  }

  /** Refuses (429) when the IP or the account has used up its failures. */
  async before(ip: string, account?: string): Promise<void> {
    const [byIp, byAccount] = await Promise.all([this.perIp.check(ip), account === undefined ? undefined : this.perAccount.check(account)]);
    for (const v of [byIp, byAccount]) if (v && !v.allowed) throw refusal(v);
  }

  /** Counts a failure; when it is one too many, the answer becomes 429 instead of `error`. */
  async failed(ip: string, account: string | undefined, error: unknown): Promise<never> {
    const [byIp, byAccount] = await Promise.all([this.perIp.consume(ip), account === undefined ? undefined : this.perAccount.consume(account)]);
    for (const v of [byIp, byAccount]) if (v && !v.allowed) throw refusal(v);
    throw error;
  }

  /** A success clears the account's failures. */
  async succeeded(account: string): Promise<void> {
    await this.perAccount.reset(account);
  }
}
