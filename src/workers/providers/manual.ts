/** The manual provider: accounts are only imported; nothing is registered, refreshed or probed. */
import { defaultLimits, type Provider } from './provider.ts';

export function createProvider(): Provider {
  return { limits: defaultLimits };
}
