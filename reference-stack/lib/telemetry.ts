import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { TraceState, W3CBaggagePropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  NoopSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { SpanRecorder } from './span-recorder.js';
import { formatTraceparent, parseTraceparent } from './trace-context.js';

/**
 * OpenTelemetry tracing for a reference-stack replica, instrumented by hand: the stack's own thin
 * layers start the spans (http-server.ts SERVER spans, http-client.ts and db.ts CLIENT spans) and
 * hand the trace context on explicitly (`RequestContext.trace` -> every upstream call and query).
 * Spans are recorded by span-recorder.ts (lean), sampled, batched and exported by the SDK.
 * No auto-instrumentation and no global context manager: on Node 20 the AsyncLocalStorage
 * context manager enables promise hooks, which made every promise of a traced request dearer
 * (the stack's CPU per request doubled). W3C trace context (and baggage) is read from and written
 * to every hop, so each call continues the caller's trace (the load generator starts it).
 *
 * Environment (OpenTelemetry SDK semantics):
 *   OTEL_SDK_DISABLED=true            no provider, no spans, no propagation
 *   OTEL_SERVICE_NAME                 service.name (default: the service)
 *   OTEL_EXPORTER_OTLP_ENDPOINT       base URL (the exporter appends /v1/traces); unset = spans are
 *                                     created and propagated but not exported
 *   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  full URL, wins over the base URL
 *   OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL  http/protobuf (the spec default) or http/json
 *   OTEL_EXPORTER_OTLP_(TRACES_)HEADERS / _TIMEOUT / _COMPRESSION  read by the exporter
 *   OTEL_TRACES_SAMPLER(_ARG)         always_on, always_off, traceidratio, parentbased_* (default
 *                                     parentbased_always_on), as the SDK reads them
 *   OTEL_BSP_*                        BatchSpanProcessor tuning (read by the SDK)
 */

export type TraceContext = Context;
export type { Span };

/** the context of a call made outside any request (migrations, sweeps): spans start new traces */
export const NO_TRACE: TraceContext = ROOT_CONTEXT;

let tracer: SpanRecorder | undefined;
const baggage = new W3CBaggagePropagator();

export function tracingEnabled(): boolean {
  return tracer !== undefined;
}

export async function startTelemetry(serviceName: string): Promise<void> {
  if ((process.env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return;
  const exporter = await exporterFromEnv();
  const resource = resourceFromAttributes({
    'service.name': process.env.OTEL_SERVICE_NAME ?? serviceName,
    'service.instance.id': process.env.REPLICA_ID ?? `${serviceName}-${process.pid}`,
    'service.namespace': 'peakready-reference',
  });
  tracer = new SpanRecorder(samplerFromEnv(), exporter ? new BatchSpanProcessor(exporter) : new NoopSpanProcessor(), resource, { name: 'peakready-reference-stack' });
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG as the SDK's provider reads them. */
export function samplerFromEnv(env: NodeJS.ProcessEnv = process.env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase() || 'parentbased_always_on';
  const ratio = () => {
    const raw = (env.OTEL_TRACES_SAMPLER_ARG ?? '').trim();
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value) || value < 0 || value > 1) {
      process.stderr.write(`telemetry: OTEL_TRACES_SAMPLER_ARG="${raw}" is not a ratio between 0 and 1; sampling everything\n`);
      return 1;
    }
    return value;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    default:
      process.stderr.write(`telemetry: OTEL_TRACES_SAMPLER="${name}" is not supported here; using parentbased_always_on\n`);
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

async function exporterFromEnv(): Promise<SpanExporter | undefined> {
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  const protocol = (process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf').trim();
  if (protocol === 'http/protobuf') {
    try {
      // optional dependency: resolved at run time so the JSON path works without it
      const moduleName = '@opentelemetry/exporter-trace-otlp-proto';
      const { OTLPTraceExporter } = (await import(moduleName)) as { OTLPTraceExporter: new () => SpanExporter };
      return new OTLPTraceExporter();
    } catch {
      process.stderr.write('telemetry: @opentelemetry/exporter-trace-otlp-proto is not installed; exporting OTLP/HTTP JSON instead\n');
    }
  } else if (protocol !== 'http/json') {
    process.stderr.write(`telemetry: OTEL_EXPORTER_OTLP_PROTOCOL="${protocol}" is not supported here (use http/protobuf or http/json); exporting http/json\n`);
  }
  return new OTLPJsonExporter();
}

/** Flushes buffered spans; called on graceful shutdown. */
export async function stopTelemetry(): Promise<void> {
  await tracer?.shutdown().catch(() => undefined);
}

/** The caller's context from W3C `traceparent`/`tracestate` (and `baggage`) request headers. */
export function extractContext(headers: Record<string, string | string[] | undefined>): TraceContext {
  if (!tracer) return ROOT_CONTEXT;
  let context = ROOT_CONTEXT;
  const caller = parseTraceparent(headers.traceparent);
  if (caller) {
    const state = headers.tracestate;
    if (state !== undefined && state !== '') caller.traceState = new TraceState(Array.isArray(state) ? state.join(',') : state);
    context = trace.setSpanContext(context, caller);
  }
  // baggage is rare here: its propagator runs only when a caller sent some
  if (headers.baggage !== undefined) context = baggage.extract(context, headers, defaultTextMapGetter);
  return context;
}

/**
 * A span of this replica, child of `parent`; undefined when tracing is off. A sampled-out span
 * comes back non-recording (setting attributes on it costs nothing) and still carries ids on.
 * The span keeps `attributes` (pass a fresh object).
 */
export function startSpan(name: string, kind: SpanKind, attributes: Attributes, parent: TraceContext): Span | undefined {
  return tracer?.start(name, kind, attributes, parent);
}

/** `parent` with `span` as the current span: what the work done for the span is given. */
export function withSpan(parent: TraceContext, span: Span | undefined): TraceContext {
  return span ? trace.setSpan(parent, span) : parent;
}

/** Writes `traceparent` (+ `tracestate`, `baggage`) for a call made as `span` into `headers`. */
export function injectContext(parent: TraceContext, span: Span, headers: Record<string, string>): void {
  const ids = span.spanContext();
  headers.traceparent = formatTraceparent(ids);
  const state = ids.traceState?.serialize();
  if (state) headers.tracestate = state;
  if (propagation.getBaggage(parent)) baggage.inject(parent, headers, defaultTextMapSetter);
}

/** The `traceresponse` header value of a request served as `span`. */
export function traceResponse(span: Span): string {
  return formatTraceparent(span.spanContext());
}

/** The ids a log line of work done in `context` carries, if it is traced. */
export function spanContextOf(context: TraceContext | undefined): SpanContext | undefined {
  return context ? trace.getSpanContext(context) : undefined;
}

/** Marks `span` failed with a low-cardinality `error.type` (semconv) and the message. */
export function failSpan(span: Span, errorType: string, message?: string): void {
  span.setAttribute('error.type', errorType);
  span.setStatus(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
}

export { SpanKind };
