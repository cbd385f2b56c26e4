/**
 * What a provider is: the flows that register, refresh and probe its accounts, and the
 * limits Roster keeps to when it calls them. Providers run inside flow threads (see
 * `../flow.ts`); they get plain data and report each step.
 */
import type { Credentials } from '../../store/secrets.ts';
import { request, type Dispatcher } from 'undici';

export interface ProviderLimits {
  /** Never refresh one account more often than this. */
  minRefreshIntervalMs: number;
  /** Flows of this provider running at once, across all jobs and the refresher. */
  maxConcurrency: number;
  /** Refreshes and probes per second (token bucket; bursts up to `burst`). */
  ratePerSecond: number;
  burst: number;
}

export interface Identity {
  email: string;
  password?: string;
  extra: Record<string, string>;
}

export interface Issued {
  credentials: Credentials;
  /** When the access credentials expire; null when they do not. */
  expiresAt: string | null;
}

export interface Registered extends Issued {
  capabilities: string[];
  region?: string;
}

export interface Probe {
  healthy: boolean;
  credits: number | null;
  quota?: Record<string, number>;
}

/** What a running flow may use: its options, a step reporter and a cancellation signal. */
export interface FlowContext {
  options: Record<string, unknown>;
  /** Reports the step the flow has reached (shown in the run log and used as progress). */
  step(name: string): void;
  signal: AbortSignal;
  /** W3C trace context of the flow; `call` sends it upstream as the `traceparent` header. */
  traceparent?: string;
  /**
   * Waits for the turn of the flow's next upstream call: the provider's rate limit for
   * refreshes and probes, the pacer for registration (the flow's timeout does not run
   * meanwhile); `call` does it, so a provider that makes its own calls must call it first.
   */
  pace?(): Promise<void>;
}

export interface Provider {
  limits: ProviderLimits;
  register?(identity: Identity, ctx: FlowContext): Promise<Registered>;
  refresh?(credentials: Credentials, ctx: FlowContext): Promise<Issued>;
  probe?(credentials: Credentials, ctx: FlowContext): Promise<Probe>;
}

/** How a flow failed: `retryable` may succeed later, `permanent` will not, `revoked` means the credentials were rejected. */
export type FlowErrorKind = 'retryable' | 'permanent' | 'revoked';

/**
 * A typed flow failure.
 *
 * @example
 * throw new FlowError('revoked', 'refresh token rejected: invalid_grant');
 */
export class FlowError extends Error {
  constructor(readonly kind: FlowErrorKind, message: string, readonly retryAfterMs?: number) {
    super(message);
    this.name = 'FlowError';
  }
}

/** Whether `e` is a FlowError, also one from another copy of this module (a provider loaded by path has its own). */
export function isFlowError(e: unknown): e is FlowError {
  return e instanceof Error && e.name === 'FlowError' && ['retryable', 'permanent', 'revoked'].includes((e as FlowError).kind);
}

export const defaultLimits: ProviderLimits = { minRefreshIntervalMs: 3600_000, maxConcurrency: 8, ratePerSecond: 5, burst: 5 };

/**
 * Calls an upstream endpoint with a JSON or form body and maps its answer to a FlowError:
 * 429 and 5xx and network errors are retryable (honouring Retry-After), other 4xx permanent.
 *
 * @example
 * const body = await call(ctx, 'POST', `${base}/login`, { json: { email, password } });
 */
export async function call(
  ctx: FlowContext, method: string, url: string,
  body: { json?: unknown; form?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  let status: number;
  let headers: Record<string, string | string[] | undefined>;
  let text: string;
  await ctx.pace?.();
  try {
    // undici's request rather than fetch: a flow thread runs few flows, and fetch's code costs it several times the CPU.
    // No undici timeouts: the flow's own timeout aborts `ctx.signal`, and undici's timers
    // kept waking every thread that waits on its upstream.
    const res = await request(url, {
      method: method as Dispatcher.HttpMethod, signal: ctx.signal, headersTimeout: 0, bodyTimeout: 0,
      headers: { ...(body.json ? { 'content-type': 'application/json' } : {}), ...(body.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(ctx.traceparent ? { traceparent: ctx.traceparent } : {}), ...body.headers },
      body: body.json ? JSON.stringify(body.json) : body.form ? new URLSearchParams(body.form).toString() : undefined,
    });
    ({ statusCode: status, headers } = res);
    text = await res.body.text();
  } catch (e) {
    if (ctx.signal.aborted) throw new FlowError('retryable', 'cancelled');
    throw new FlowError('retryable', `${method} ${new URL(url).pathname}: ${(e as Error).message}`);
  }
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { text: text.slice(0, 200) };
  }
  if (status === 429 || status >= 500) {
    const after = Number(headers['retry-after']);
    throw new FlowError('retryable', `${method} ${new URL(url).pathname}: HTTP ${status}`, Number.isFinite(after) && after > 0 ? after * 1000 : undefined);
  }
  return { status, body: parsed };
}

/** The expiry `expires_in` seconds from now, or null. */
export function expiryOf(body: Record<string, unknown>): string | null {
  const seconds = Number(body.expires_in);
  return Number.isFinite(seconds) && seconds > 0 ? new Date(Date.now() + seconds * 1000).toISOString() : null;
}
