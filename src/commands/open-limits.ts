/**
 * Limits on the open routes that cost Roster something whoever calls: a sign-up hashes a
 * password, creates a user and mails; a password reset mails; `check-username` tells
 * whether an email is taken. Counted per client IP and per address in the rate-limit store
 * (shared by every node), and checked before any of that work is done.
 */
import { normalizeEmail } from '../domain/user.ts';
import { tooMany, type RateLimits } from '../store/rate-limits.ts';

export interface OpenLimitSettings {
  /** Sign-ups and password-reset requests from one IP in the window, at most. */
  mailRequestsPerIp: number;
  /** Sign-up and reset requests for one address in the window, at most (each may mail it). */
  mailsPerAddress: number;
  /** `check-username` questions from one IP in the window, at most. */
  lookupsPerIp: number;
  windowSeconds: number;
}

/**
 * @example
 * await openLimits.mail(req.ip, 'ada@example.test'); // 429 once the IP or the address is over its limit
 * await signUp(…);
 */
export class OpenLimits {
  constructor(private readonly limits: RateLimits, private readonly settings: OpenLimitSettings) {}

  /**
   * Counts a request that may mail `email`: 429 when its IP, or then its address, is over
   * the limit. An IP over its limit spends none of the address's allowance.
   */
  async mail(ip: string, email: string): Promise<void> {
    const { mailRequestsPerIp, mailsPerAddress, windowSeconds } = this.settings;
    const byIp = await this.limits.limiter('mail-ip', mailRequestsPerIp, windowSeconds).consume(ip);
    if (!byIp.allowed) throw tooMany(byIp, 'requests that send mail from this IP');
    const byAddress = await this.limits.limiter('mail-to', mailsPerAddress, windowSeconds).consume(normalizeEmail(email));
    if (!byAddress.allowed) throw tooMany(byAddress, 'mails to this email');
  }

  /** Counts a question whether an email is taken; 429 when the IP is over the limit. */
  async lookup(ip: string): Promise<void> {
    const v = await this.limits.limiter('lookup-ip', this.settings.lookupsPerIp, this.settings.windowSeconds).consume(ip);
    if (!v.allowed) throw tooMany(v, 'lookups');
  }
}
