/**
 * OpenTelemetry for Roster: one tracer and one meter per process, set up when this module
 * is first imported.
 *
 * - Traces always get ids (events and logs carry them). They are recorded and exported over OTLP
 *   (http/json) only when the standard variables ask for it: `OTEL_TRACES_EXPORTER=otlp`,
 *   or `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` set. The exporter
 *   reads the other `OTEL_*` variables itself; `OTEL_SDK_DISABLED=true` turns tracing off.
 * - Metrics are read by Prometheus at `/metrics` (see `metricsHandler`).
 *
 * Context crosses threads and processes as a W3C `traceparent` string: in request
 * contexts, event metadata and flow tasks.
 */
import { INVALID_SPAN_CONTEXT, metrics, propagation, ROOT_CONTEXT, SpanKind, trace, type Attributes, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { AlwaysOffSampler, BatchSpanProcessor, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { IncomingMessage, ServerResponse } from 'node:http';

export { SpanKind };

const env = process.env;
const exportTraces = env.OTEL_SDK_DISABLED !== 'true'
  && (env.OTEL_TRACES_EXPORTER?.split(',').includes('otlp') || !!env.OTEL_EXPORTER_OTLP_ENDPOINT || !!env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
const resource = resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'roster' });
// The exporter is loaded only when traces are exported, not at every start.
const spanProcessors: SpanProcessor[] = exportTraces
  ? [new BatchSpanProcessor(new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter())]
  : [];
// Not exported: spans are not recorded (nothing would read them), yet still get ids to propagate.
const tracerProvider = new NodeTracerProvider({ resource, spanProcessors, ...(exportTraces ? {} : { sampler: new AlwaysOffSampler() }) });
// Context is passed explicitly (a `traceparent` string), so no context manager: it would
// put an async hook on every promise.
if (env.OTEL_SDK_DISABLED !== 'true') tracerProvider.register({ contextManager: null, propagator: new W3CTraceContextPropagator() });

/**
 * Whether spans are recorded (and exported). When they are not, only the spans whose ids
 * are passed on are made (request and background work); the others are skipped.
 */
export const tracesRecorded = exportTraces;
/** Stands in for a span that is not made. */
const noSpan = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const prometheus = new PrometheusExporter({ preventServerStart: true });
metrics.setGlobalMeterProvider(new MeterProvider({ resource, readers: [prometheus] }));

export const tracer = trace.getTracer('roster');
export const meter = metrics.getMeter('roster');

/**
 * A counter for hot paths: an add is one map update under a key made of the attribute
 * values (callers pass attributes in one order), and OpenTelemetry reads the sums at
 * collection, as an observable counter. The SDK's own counter hashes the attributes on
 * every add.
 *
 * @example
 * const tokens = new Tally('roster_gateway_tokens', 'Tokens through the gateway');
 * tokens.add(12, { pool: 'p', model: 'm', direction: 'input' });
 */
export class Tally {
  private readonly sums = new Map<string, { attributes: Attributes; value: number }>();

  constructor(name: string, description: string) {
    meter.createObservableCounter(name, { description }).addCallback((result) => {
      for (const { attributes, value } of this.sums.values()) result.observe(value, attributes);
    });
  }

  add(value: number, attributes: Record<string, string>): void {
    let key = '';
    for (const name in attributes) key += `${attributes[name]}\u0000`;
    const sum = this.sums.get(key);
    if (sum) sum.value += value;
    else this.sums.set(key, { attributes, value });
  }
}

/** The metrics Roster records as it works (gauges read at scrape time are registered by the service). */
export const instruments = {
  allocations: new Tally('roster_allocations', 'Allocation requests by pool and outcome'),
  leaseDuration: meter.createHistogram('roster_lease_duration_seconds', {
    description: 'How long sessions held their accounts, by pool and end', unit: 's',
    advice: { explicitBucketBoundaries: [1, 10, 60, 300, 900, 1800, 3600, 7200, 21600, 86400] },
  }),
  flowDuration: meter.createHistogram('roster_flow_duration_seconds', {
    description: 'Provider flows by kind, provider and outcome', unit: 's',
    advice: { explicitBucketBoundaries: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] },
  }),
  refreshes: meter.createCounter('roster_refreshes', { description: 'Credential refreshes by provider and outcome' }),
  feedClosed: meter.createCounter('roster_feed_closed', { description: 'Feed connections the server closed, by reason' }),
  gatewayRequests: new Tally('roster_gateway_requests', 'Gateway tries upstream, by pool, account, model and outcome'),
  gatewayDuration: meter.createHistogram('roster_gateway_request_duration_seconds', {
    description: 'Gateway requests from arrival to the last byte, by model and outcome', unit: 's',
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] },
  }),
  gatewayTokens: new Tally('roster_gateway_tokens', 'Tokens through the gateway, by pool, model and direction (input, output)'),
};

/** Serves the Prometheus text format. */
export function metricsHandler(request: IncomingMessage, response: ServerResponse): void {
  prometheus.getMetricsRequestHandler(request, response);
}

/** Flushes spans not yet exported (at shutdown). */
export async function flushTelemetry(): Promise<void> {
  await tracerProvider.forceFlush();
}

/** The W3C `traceparent` of a span (undefined for a span that is not sampled or not real). */
export function traceparentOf(span: Span): string | undefined {
  if (span === noSpan) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier.traceparent;
}

/** The ids logs carry for a `traceparent`. */
export function traceIds(traceparent: string | undefined): { trace_id?: string; span_id?: string } {
  const [, traceId, spanId] = traceparent?.split('-') ?? [];
  return traceId && spanId ? { trace_id: traceId, span_id: spanId } : {};
}

/**
 * Starts a span whose parent is the given `traceparent` (a new trace when there is none).
 *
 * @example
 * const span = startSpan('append', events[0]?.metadata.traceparent, { 'roster.stream': stream });
 */
export function startSpan(name: string, parent: string | undefined, attributes?: Attributes, kind = SpanKind.INTERNAL): Span {
  const ctx = parent ? propagation.extract(ROOT_CONTEXT, { traceparent: parent }) : ROOT_CONTEXT;
  return tracer.startSpan(name, { attributes, kind }, ctx);
}

/**
 * A span when spans are recorded; otherwise a stand-in that costs nothing, whose
 * `traceparentOf` is undefined (so the caller passes its parent's on). For hot paths.
 *
 * @example
 * const span = recordedSpan('gateway POST', req.headers.traceparent, {}, SpanKind.SERVER);
 * const upstreamParent = traceparentOf(span) ?? req.headers.traceparent;
 */
export function recordedSpan(name: string, parent: string | undefined, attributes?: Attributes, kind = SpanKind.INTERNAL): Span {
  return tracesRecorded ? startSpan(name, parent, attributes, kind) : noSpan;
}

/**
 * Runs `work` inside a span (child of `parent`), ending it when the work settles and
 * recording a thrown error. `work` gets the span's own `traceparent` to pass on. When
 * spans are not recorded and there is a parent, no span is made: `work` gets the parent's.
 *
 * @example
 * await inSpan('command Allocate', ctx.traceparent, {}, (traceparent) => allocate({ ...ctx, traceparent }));
 */
export async function inSpan<T>(name: string, parent: string | undefined, attributes: Attributes, work: (traceparent: string | undefined, span: Span) => Promise<T>): Promise<T> {
  if (!tracesRecorded && parent) return work(parent, noSpan);
  const span = startSpan(name, parent, attributes);
  try {
    return await work(traceparentOf(span) ?? parent, span);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: 2, message: (error as Error)?.message });
    throw error;
  } finally {
    span.end();
  }
}
