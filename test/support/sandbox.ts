import { buildSandbox, type SandboxOptions, type Stats, type Switches } from '../../src/sandbox/server.ts';

export interface TestSandbox {
  url: string;
  switches: Switches;
  stats(): Stats;
  close(): Promise<void>;
}

/** The sandbox upstream on a free loopback port. */
export async function startSandbox(switches: Partial<Switches> = {}, options: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = buildSandbox(switches, options);
  const url = await sandbox.app.listen({ host: '127.0.0.1', port: 0 });
  return { url, switches: sandbox.switches, stats: sandbox.stats, close: () => sandbox.app.close() };
}

/** `ROSTER_PROVIDERS` with a `sandbox` provider on this sandbox. */
export function sandboxProvider(url: string, limits: Record<string, number> = {}, options: Record<string, string> = {}): string {
  return JSON.stringify({ sandbox: { use: 'sandbox', options: { baseUrl: url, ...options }, limits } });
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
