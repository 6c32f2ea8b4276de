import { BadTraceAnswer, isObject } from './trace-api.js';

/**
 * Jaeger's own JSON trace (the query service's `GET /api/traces/<id>`, model of
 * jaegertracing.io/docs/latest/apis/ and jaeger-idl's model.proto) to an OTLP/JSON TracesData
 * object, reversing the mapping Jaeger applies to OTLP spans it stores
 * (opentelemetry-collector-contrib's jaeger translator): `process.serviceName` and process tags
 * were the resource, the `span.kind` tag the kind, `otel.status_code` / `otel.status_description`
 * (or, from Jaeger's own clients, `error=true`) the status, the CHILD_OF reference the parent.
 * The OTLP decoder then makes the SpanRecords, as for any other answer. Arrays, which Jaeger
 * stores as JSON text, stay text.
 */

interface JaegerTag {
  key: string;
  type?: string;
  value: unknown;
}

const KINDS: Record<string, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const STATUS: Record<string, number> = { OK: 1, ERROR: 2 };
/** tags that carried OTLP fields (kind, status, scope, trace state) rather than attributes */
const FIELD_TAGS = new Set(['span.kind', 'otel.status_code', 'otel.status_description', 'otel.scope.name', 'otel.scope.version', 'otel.library.name', 'otel.library.version', 'w3c.tracestate', 'internal.span.format']);

/** One element of the answer's `data`: `{traceID, spans, processes}`. */
export function jaegerTraceToOtlp(trace: unknown): { resourceSpans: unknown[] } {
  if (!isObject(trace) || !Array.isArray(trace.spans)) throw new BadTraceAnswer('a Jaeger trace must have "spans"');
  const processes = isObject(trace.processes) ? trace.processes : {};
  const byProcess = new Map<string, { process: unknown; spans: unknown[] }>();
  for (const span of trace.spans) {
    if (!isObject(span)) throw new BadTraceAnswer('a Jaeger span must be an object');
    const key = typeof span.processID === 'string' ? span.processID : JSON.stringify(span.process ?? null);
    const group = byProcess.get(key) ?? byProcess.set(key, { process: span.process ?? processes[key], spans: [] }).get(key)!;
    group.spans.push(otlpSpan(span));
  }
  return { resourceSpans: [...byProcess.values()].map(({ process, spans }) => ({ resource: { attributes: resourceAttributes(process) }, scopeSpans: [{ spans }] })) };
}

function resourceAttributes(process: unknown): unknown[] {
  if (!isObject(process)) return [];
  const tags = tagList(process.tags).filter((t) => t.key !== 'service.name');
  const service = typeof process.serviceName === 'string' ? [{ key: 'service.name', value: { stringValue: process.serviceName } }] : [];
  return [...service, ...tags.map(attribute)];
}

function otlpSpan(span: Record<string, unknown>): Record<string, unknown> {
  const tags = tagList(span.tags);
  const tag = (key: string) => tags.find((t) => t.key === key)?.value;
  const start = micros(span.startTime);
  const statusCode = STATUS[String(tag('otel.status_code'))] ?? (tag('error') === true || tag('error') === 'true' ? 2 : 0);
  const description = tag('otel.status_description');
  return {
    traceId: paddedHex(span.traceID, 32),
    spanId: paddedHex(span.spanID, 16),
    parentSpanId: parentOf(span),
    name: typeof span.operationName === 'string' ? span.operationName : '',
    kind: KINDS[String(tag('span.kind')).toLowerCase()] ?? 0,
    startTimeUnixNano: (start * 1000n).toString(),
    endTimeUnixNano: ((start + micros(span.duration)) * 1000n).toString(),
    status: { code: statusCode, ...(typeof description === 'string' && description ? { message: description } : {}) },
    attributes: tags.filter((t) => !FIELD_TAGS.has(t.key) && !(t.key === 'error' && statusCode === 2)).map(attribute),
  };
}

/** The CHILD_OF reference (Jaeger's parent), or the older top-level `parentSpanID`. */
function parentOf(span: Record<string, unknown>): string {
  const references = Array.isArray(span.references) ? span.references.filter(isObject) : [];
  const parent = references.find((r) => r.refType === 'CHILD_OF')?.spanID ?? span.parentSpanID;
  return parent === undefined ? '' : paddedHex(parent, 16);
}

function tagList(v: unknown): JaegerTag[] {
  return Array.isArray(v) ? v.filter((t): t is JaegerTag => isObject(t) && typeof t.key === 'string') : [];
}

function attribute(tag: JaegerTag): { key: string; value: Record<string, unknown> } {
  switch (tag.type) {
    case 'bool':
      return { key: tag.key, value: { boolValue: tag.value === true || tag.value === 'true' } };
    case 'int64':
      return { key: tag.key, value: { intValue: Number(tag.value) } };
    case 'float64':
      return { key: tag.key, value: { doubleValue: Number(tag.value) } };
    case 'binary':
      return { key: tag.key, value: { bytesValue: String(tag.value) } };
    default:
      return { key: tag.key, value: { stringValue: String(tag.value) } };
  }
}

/** Jaeger prints a 64-bit trace id (high half zero) in 16 characters; SpanRecords hold 32. */
function paddedHex(v: unknown, length: number): string {
  return typeof v === 'string' ? v.toLowerCase().padStart(length, '0') : '';
}

function micros(v: unknown): bigint {
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.round(v));
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  return 0n;
}
