/**
 * Requests to upstream APIs for the gateway: the provider's base URL and credential
 * scheme, the account's credential put on the request, keep-alive connections per origin.
 */
import type { EventEmitter } from 'node:events';
import { Agent, request, type Dispatcher } from 'undici';
import type { Credentials } from '../store/secrets.ts';
import type { Providers } from './providers/registry.ts';

/** How a provider's accounts are used upstream: `options.gateway` of its configuration. */
export interface UpstreamTarget {
  baseUrl: string;
  /** `bearer`, `x-api-key`, `header:<Name>` or `cookie:<name>`. */
  auth: string;
  /** Which credential goes there: `accessToken` (default), `idToken`, `password`, or `extra:<field>`. */
  credential: string;
}

/** Headers never sent upstream: hop-by-hop (RFC 9110 §7.6.1), the client's own credentials, and what identifies the client. */
export const STRIP_UPSTREAM = [
  'host', 'connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'content-length', 'authorization', 'x-api-key', 'cookie', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip',
];
/** Headers never sent back to the client: hop-by-hop, cookies, and what identifies the upstream account. */
const STRIP_DOWNSTREAM = new Set([
  'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'set-cookie', 'openai-organization', 'openai-project',
  'anthropic-organization-id', 'x-organization-id', 'www-authenticate',
]);
/** Header names never sent back either: an upstream account's own rate limits, which are not the client's (its key's are, set by the gateway). */
const ACCOUNT_RATE_LIMITS = /^(?:x|anthropic)-ratelimit-/;

/** The credential a target uses, from an account's credentials. */
function credentialOf(target: UpstreamTarget, c: Credentials | null): string | undefined {
  if (!c) return undefined;
  if (target.credential.startsWith('extra:')) return c.extra?.[target.credential.slice(6)];
  return (c as Record<string, unknown>)[target.credential] as string | undefined;
}

/**
 * The headers that carry a credential under a scheme.
 *
 * @example
 * authHeaders('x-api-key', 'sk-1') // → { 'x-api-key': 'sk-1' }
 */
export function authHeaders(auth: string, secret: string): Record<string, string> {
  if (auth === 'bearer') return { authorization: `Bearer ${secret}` };
  if (auth === 'x-api-key') return { 'x-api-key': secret };
  if (auth.startsWith('header:')) return { [auth.slice(7).toLowerCase()]: secret };
  if (auth.startsWith('cookie:')) return { cookie: `${auth.slice(7)}=${secret}` };
  throw new Error(`unknown credential scheme ${auth}`);
}

export interface UpstreamSettings {
  /** Time to the upstream's response headers; then between body chunks. */
  timeoutMs: number;
  /** Extra request headers to strip (lower case). */
  strip: string[];
}

/**
 * @example
 * const res = await upstreams.send(target, credentials, { method: 'POST', path: '/v1/chat/completions', headers, body });
 */
export class Upstreams {
  private readonly agent: Agent;
  private readonly strip: Set<string>;

  constructor(private readonly providers: Providers, private readonly settings: UpstreamSettings) {
    this.agent = new Agent({ connections: 256, keepAliveTimeout: 30_000, headersTimeout: settings.timeoutMs, bodyTimeout: settings.timeoutMs });
    this.strip = new Set([...STRIP_UPSTREAM, ...settings.strip]);
  }

  private readonly targets = new Map<string, UpstreamTarget | undefined>();

  /** The upstream of a provider, or undefined when it has none configured (worked out once per provider). */
  targetOf(providerId: string): UpstreamTarget | undefined {
    if (!this.targets.has(providerId)) this.targets.set(providerId, this.readTarget(providerId));
    return this.targets.get(providerId);
  }

  private readTarget(providerId: string): UpstreamTarget | undefined {
    const options = this.providers.get(providerId)?.options ?? {};
    const gateway = (options.gateway ?? {}) as Partial<UpstreamTarget>;
    const baseUrl = gateway.baseUrl ?? (typeof options.baseUrl === 'string' ? options.baseUrl : undefined);
    return baseUrl ? { baseUrl: baseUrl.replace(/\/$/, ''), auth: gateway.auth ?? 'bearer', credential: gateway.credential ?? 'accessToken' } : undefined;
  }

  /** The client's headers that may go upstream. */
  forwardable(headers: Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || this.strip.has(name) || name.startsWith('x-roster-')) continue;
      out[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return out;
  }

  /** Sends a request with the account's credential; throws `missing_credential` when the account has none to send. */
  async send(target: UpstreamTarget, credentials: Credentials | null, req: { method: Dispatcher.HttpMethod; path: string; headers: Record<string, string>; body?: string | Buffer; signal?: AbortSignal | EventEmitter }): Promise<Dispatcher.ResponseData> {
    const secret = credentialOf(target, credentials);
    if (!secret) throw Object.assign(new Error('the account has no credential for this upstream'), { code: 'missing_credential' });
    return request(`${target.baseUrl}${req.path}`, {
      method: req.method, dispatcher: this.agent, headers: { ...req.headers, ...authHeaders(target.auth, secret) },
      ...(req.body !== undefined ? { body: req.body } : {}), ...(req.signal ? { signal: req.signal } : {}),
    });
  }

  /** The credential an account sends to a target (to keep it out of what the client sees). */
  secretOf(target: UpstreamTarget, credentials: Credentials | null): string | undefined {
    return credentialOf(target, credentials);
  }

  /** The upstream's response headers a client may see. */
  downstream(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined && !STRIP_DOWNSTREAM.has(name) && !ACCOUNT_RATE_LIMITS.test(name)) out[name] = value;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
