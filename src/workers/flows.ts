import { Piscina } from 'piscina';
import { setFlagsFromString } from 'node:v8';
import { MessageChannel } from 'node:worker_threads';
import type { Credentials } from '../store/secrets.ts';
import type { FlowsStatus } from '../commands/work.ts';
import type { FlowKind, FlowResult, FlowTask } from './flow.ts';
import { flowEntry } from './flow-entry.ts';
import { inSpan, instruments } from '../telemetry.ts';
import { Gate } from '../effect.ts';
import { SharedGate } from './limits.ts';
import type { RequestSlots } from '../store/request-slots.ts';
import type { Pacer } from './pacer.ts';
import { WorkClock } from './work-clock.ts';
import type { Identity } from './providers/provider.ts';
import type { ProviderSpec } from './providers/registry.ts';

export interface FlowOptions {
  timeoutMs: number;
  /** Cancels the flow cooperatively (the flow sees its signal abort). */
  signal?: AbortSignal;
  /** Called with each step the flow reports. */
  onStep?: (step: string) => void;
  /** Trace context of the work that asks for the flow. */
  traceparent?: string;
  /**
   * Waited for, in this thread, before each upstream call the flow makes (a provider's rate
   * limit): the limit then holds for the calls themselves, whatever the thread dispatch
   * took. The wait does not count against the flow's timeout. Registration flows wait for
   * the pacer instead.
   */
  turn?: (signal: AbortSignal) => Promise<void>;
}

/**
 * How long a flow has after its timeout to stop by itself. Past it, its thread gives up
 * on the flow (which then fails alone); if the thread has not answered after a second
 * grace, its event loop is stuck and the thread is terminated.
 */
const GRACE_MS = 2000;

/** Registration threads per Piscina pool: Piscina wraps every thread of a pool for each task it places. */
const THREADS_PER_POOL = 8;

/**
 * The Piscina pools that run provider flows in worker threads (registration, and upkeep:
 * refresh and probe), several flows per thread at a time (flows mostly wait on their
 * upstream). A flow that throws or runs past its timeout fails alone; a thread that
 * crashes, or whose event loop a flow blocks past its timeout, is terminated and fails
 * only the flows it ran, which their jobs retry by policy. Each provider's flows also
 * pass its concurrency gate.
 *
 * @example
 * const flows = new FlowPool({ threads: 2, flowsPerThread: 32 });
 * const result = await flows.run(spec, 'probe', credentials, { timeoutMs: 10_000 });
 */
export class FlowPool {
  /**
   * Registration flows: bulk work, in threads at a lower priority (`nice`), split over
   * pools of at most `THREADS_PER_POOL` threads.
   */
  private readonly registration: Array<{ piscina: Piscina; running: number }>;
  /** Refresh and probe flows: few, rate-limited and due on time, in threads at normal priority. */
  private readonly upkeep: Piscina;

  private readonly gates = new Map<string, Gate | SharedGate>();
  /** Where a provider's flows under way are counted across nodes, when given. */
  private readonly slots?: RequestSlots;
  private running = 0;
  /** Thread ids of the threads running a flow now (as their flows report them), with how many each runs. */
  readonly busyThreads = new Map<number, number>();
  private readonly graceMs: number;

  /** Paces registration's upstream calls, when given. */
  readonly pacer?: Pacer;

  constructor(options: { threads: number; flowsPerThread?: number; nice?: number; idleTimeoutMs?: number; pacer?: Pacer; graceMs?: number; slots?: RequestSlots }) {
    this.pacer = options.pacer;
    this.slots = options.slots;
    this.graceMs = options.graceMs ?? GRACE_MS;
    const perThread = options.flowsPerThread ?? 1;
    // V8's memory reducer runs full collections in an isolate that has gone quiet, and a
    // flow waiting on its upstream is quiet: with 200 flows waiting, those collections kept
    // V8's helper threads (normal priority) about 15% of a CPU busy. Isolates made after
    // this go without it: the flow threads; the main thread's, made before, keeps it.
    setFlagsFromString('--no-memory-reducer');
    const pool = (threads: number, nice: number, warm: number) => new Piscina({
      filename: flowEntry(),
      // Threads start as plain Node: the entry is JavaScript, and a TypeScript loader inherited per thread costs seconds of CPU each.
      execArgv: [],
      workerData: { nice },
      minThreads: warm, maxThreads: threads, concurrentTasksPerWorker: perThread, idleTimeout: options.idleTimeoutMs ?? 30_000,
    });
    const pools = Math.ceil(options.threads / THREADS_PER_POOL);
    this.registration = Array.from({ length: pools }, (_, i) => ({
      piscina: pool(Math.floor(options.threads / pools) + (i < options.threads % pools ? 1 : 0), options.nice ?? 0, 0), running: 0,
    }));
    // One thread kept started (it runs many flows): a refresh leaves the provider's token
    // bucket when it is due, and a thread starting meanwhile would bunch refreshes up at
    // the upstream. Up to 4 when flows queue.
    this.upkeep = pool(Math.min(options.threads, 4), 0, 1);
  }

  /** The registration threads started now. */
  get threads(): Array<Piscina['threads'][number]> {
    return this.registration.flatMap((r) => r.piscina.threads);
  }

  /** Registration flows waiting for a thread. */
  get queued(): number {
    return this.registration.reduce((n, r) => n + r.piscina.queueSize, 0);
  }

  /** Flows running now (not counting those waiting for a gate or a thread). */
  get active(): number {
    return this.running;
  }

  /** Threads, flows and pacing now, for operators. */
  status(): FlowsStatus {
    const paced = this.pacer && this.pacer.rate !== Infinity;
    return {
      active: this.running, threads: this.threads.length, queued: this.queued,
      pacing: { callsPerSecond: paced ? Math.round(this.pacer!.rate) : null, waiting: this.pacer?.queued ?? 0 },
    };
  }

  /** The provider's `maxConcurrency`: on every node together when the pool has `slots`, else on this one. */
  private gate(spec: ProviderSpec): Gate | SharedGate {
    let gate = this.gates.get(spec.id);
    if (!gate) {
      const size = spec.limits.maxConcurrency;
      gate = this.slots ? new SharedGate(size, this.slots, `provider:${spec.id}`) : new Gate(size);
      this.gates.set(spec.id, gate);
    }
    return gate;
  }

  /** Runs one flow; never throws for the flow's own failure, which comes back as `{ ok: false }`. */
  run(spec: ProviderSpec, kind: FlowKind, input: Identity | Credentials, options: FlowOptions): Promise<FlowResult> {
    return this.gate(spec).run(() => inSpan(`flow ${kind}`, options.traceparent, { 'roster.provider': spec.id }, async (traceparent, span) => {
      const started = performance.now();
      const result = await this.start(spec, kind, input, { ...options, traceparent });
      const outcome = result.ok ? 'ok' : result.error.kind;
      span.setAttributes({ 'roster.flow.outcome': outcome, 'roster.flow.step': result.step });
      instruments.flowDuration.record((performance.now() - started) / 1000, { kind, provider: spec.id, outcome });
      return result;
    }));
  }

  private async start(spec: ProviderSpec, kind: FlowKind, input: Identity | Credentials, options: FlowOptions): Promise<FlowResult> {
    const { port1, port2 } = new MessageChannel();
    let step = 'queued';
    let thread: number | undefined;
    let done = false;
    // Once the flow has started on a thread and worked past its timeout and two graces,
    // the thread's event loop is stuck (else the thread would have given the flow up) and
    // the thread is terminated. The clock stops while the flow waits for the pacer, as
    // the flow's own does. (Piscina's own abort signal would keep a thread to one task.)
    let hard = false;
    let killer: WorkClock | undefined;
    const piscina = () => registration?.piscina ?? this.upkeep;
    const terminate = () => {
      hard = true;
      void piscina().threads.find((w) => w.threadId === thread)?.terminate();
    };
    const started = performance.now();
    const turns = new AbortController();
    const pacer = kind === 'register' ? this.pacer : undefined;
    const turn = options.turn ?? (pacer && ((signal: AbortSignal) => pacer.acquire(signal, started)));
    port1.on('message', (m: { step?: string; threadId?: number; pace?: true }) => {
      if (done) return; // a step that arrives after the result
      if (m.threadId !== undefined && thread === undefined) {
        thread = m.threadId;
        this.busyThreads.set(thread, (this.busyThreads.get(thread) ?? 0) + 1);
        killer = new WorkClock(options.timeoutMs + 2 * this.graceMs, terminate);
      }
      if (m.step) options.onStep?.((step = m.step));
      if (m.pace && turn) {
        killer?.pause();
        turn(turns.signal).then(() => {
          killer?.resume();
          port1.postMessage('go');
        }, () => killer?.resume());
      }
    });
    const cancel = () => {
      port1.postMessage('cancel');
      killer?.resume();
    };
    options.signal?.addEventListener('abort', cancel, { once: true });
    const task: FlowTask = {
      kind, module: spec.module, options: spec.options, input, port: port2, timeoutMs: options.timeoutMs, graceMs: this.graceMs, traceparent: options.traceparent,
      paced: turn !== undefined,
    };
    this.running++;
    // A registration flow goes to the registration pool with the fewest running.
    const registration = kind === 'register' ? this.registration.reduce((a, b) => (b.running < a.running ? b : a)) : undefined;
    if (registration) registration.running++;
    try {
      return (await piscina().run(task, { transferList: [port2] })) as FlowResult;
    } catch (e) {
      const message = hard ? `timed out after ${options.timeoutMs} ms; thread terminated` : `worker thread failed: ${(e as Error).message}`;
      return { ok: false, error: { kind: 'retryable', message }, step };
    } finally {
      done = true;
      this.running--;
      if (registration) registration.running--;
      if (thread !== undefined) {
        const left = this.busyThreads.get(thread)! - 1;
        if (left) this.busyThreads.set(thread, left);
        else this.busyThreads.delete(thread);
      }
      killer?.stop();
      turns.abort();
      options.signal?.removeEventListener('abort', cancel);
      port1.close();
    }
  }

  async close(): Promise<void> {
    this.pacer?.close();
    await Promise.all([...this.registration.map((r) => r.piscina.destroy()), this.upkeep.destroy()]);
  }
}
