/**
 * The flow entry point: runs in a Piscina worker thread. A flow gets plain data and a
 * MessagePort; it posts `{ step }` as it goes and stops cooperatively when the port
 * says `cancel` or its time runs out. It holds no database connection.
 */
import { setPriority } from 'node:os';
import { threadId, workerData, type MessagePort } from 'node:worker_threads';
import type { Credentials } from '../store/secrets.ts';
import { FlowError, isFlowError, type FlowErrorKind, type Identity, type Provider } from './providers/provider.ts';
import { loadProvider } from './providers/registry.ts';
import { WorkClock } from './work-clock.ts';

export type FlowKind = 'register' | 'refresh' | 'probe';

export interface FlowTask {
  kind: FlowKind;
  module: string;
  options: Record<string, unknown>;
  input: Identity | Credentials;
  port: MessagePort;
  timeoutMs: number;
  /** How long after its timeout or cancel the flow may take to stop before the thread gives up on it. */
  graceMs: number;
  traceparent?: string;
  /** Whether each upstream call waits for its turn from the main thread's pacer. */
  paced?: boolean;
}

export type FlowResult =
  | { ok: true; value: unknown; step: string }
  | { ok: false; error: { kind: FlowErrorKind; message: string; retryAfterMs?: number }; step: string };

const providers = new Map<string, Promise<Provider>>();

// On Linux niceness is per thread: this thread yields the CPU to the threads serving requests.
if (workerData?.nice) setPriority(workerData.nice);

/**
 * Rejects `graceMs` after the signal aborts: a flow that ignores its signal is left to
 * itself, and its thread goes on running the other flows.
 */
function givenUp(signal: AbortSignal, graceMs: number): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => setTimeout(() => reject(new FlowError('retryable', 'did not stop')), graceMs).unref(), { once: true });
  });
}

export default async function flow(task: FlowTask): Promise<FlowResult> {
  const abort = new AbortController();
  let step = 'start';
  let go: (() => void) | undefined;
  task.port.on('message', (m) => {
    if (m === 'cancel') abort.abort();
    if (m === 'cancel' || m === 'go') go?.();
  });
  // The flow's time runs while it works, not while it waits for its turn (see `pace`).
  const clock = new WorkClock(task.timeoutMs, () => abort.abort());
  task.port.postMessage({ threadId });
  try {
    if (!providers.has(task.module)) providers.set(task.module, loadProvider(task.module));
    const provider = await providers.get(task.module)!;
    const run = provider[task.kind] as ((input: unknown, ctx: unknown) => Promise<unknown>) | undefined;
    if (!run) throw new FlowError('permanent', `the provider cannot ${task.kind}`);
    const ctx = {
      options: task.options, signal: abort.signal, traceparent: task.traceparent,
      step(name: string) {
        step = name;
        task.port.postMessage({ step: name });
      },
      async pace() {
        if (!task.paced || abort.signal.aborted) return;
        clock.pause();
        await new Promise<void>((resolve) => {
          go = resolve;
          task.port.postMessage({ pace: true });
        });
        go = undefined;
        clock.resume();
      },
    };
    const value = await Promise.race([run.call(provider, task.input, ctx), givenUp(abort.signal, task.graceMs)]);
    return { ok: true, value, step };
  } catch (e) {
    const timedOut = abort.signal.aborted;
    const error = isFlowError(e)
      ? { kind: e.kind, message: timedOut ? `timed out or cancelled at ${step}` : e.message, ...(e.retryAfterMs ? { retryAfterMs: e.retryAfterMs } : {}) }
      : { kind: 'retryable' as const, message: `flow threw: ${(e as Error)?.message ?? String(e)}` };
    return { ok: false, error, step };
  } finally {
    clock.stop();
    task.port.close();
  }
}
