/**
 * What a gateway client's key has left of its requests and tokens per minute, as headers in
 * its SDK's own names: OpenAI's `x-ratelimit-*` (the reset as a duration) or Anthropic's
 * `anthropic-ratelimit-*` (the reset as a time). The upstream's own headers of these names
 * speak of one pooled account and never reach the client (`workers/upstream.ts`).
 */
import type { Allowance, Allowances } from '../domain/limits.ts';
import type { Dialect } from './sse-usage.ts';

/**
 * A duration as OpenAI writes its resets: `250ms`, `12s`, `1m3s`.
 *
 * @example
 * resetIn(63_200) // → '1m4s'
 */
export function resetIn(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const seconds = Math.ceil(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return `${minutes ? `${minutes}m` : ''}${seconds % 60}s`;
}

/**
 * The headers for a caller's allowances (none for a limit it does not have).
 *
 * @example
 * allowanceHeaders({ requests: { limit: 60, remaining: 59, resetMs: 60_000 } }, 'openai')
 * // → { 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '59', 'x-ratelimit-reset-requests': '1m0s' }
 */
export function allowanceHeaders(allowances: Allowances | undefined, dialect: Dialect, now = Date.now()): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const what of ['requests', 'tokens'] as const) {
    const a: Allowance | undefined = allowances?.[what];
    if (!a) continue;
    if (dialect === 'anthropic') {
      headers[`anthropic-ratelimit-${what}-limit`] = String(a.limit);
      headers[`anthropic-ratelimit-${what}-remaining`] = String(Math.max(0, a.remaining));
      headers[`anthropic-ratelimit-${what}-reset`] = new Date(Math.ceil((now + a.resetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    } else {
      headers[`x-ratelimit-limit-${what}`] = String(a.limit);
      headers[`x-ratelimit-remaining-${what}`] = String(Math.max(0, a.remaining));
      headers[`x-ratelimit-reset-${what}`] = resetIn(a.resetMs);
    }
  }
  return headers;
}
