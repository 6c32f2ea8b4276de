import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest } from './otlp-proto.js';

/**
 * Realistic checkout traces as an instrumented reference stack would export them (10 spans:
 * gateway SERVER + CLIENT, checkout SERVER + 3 CLIENTs, inventory/payments/orders SERVERs, one
 * db span), with current HTTP semantic-convention attributes. Used by tests and by
 * bench/otlp-ingest.mjs to build protobuf and OTLP/JSON request bodies.
 */

interface SpanPlan {
  service: string;
  name: string;
  kind: 2 | 3 | 1;
  parent: number | 'client';
  attrs: Record<string, string | number>;
}

const PLAN: SpanPlan[] = [
  { service: 'gateway', name: 'POST /api/checkout', kind: 2, parent: 'client', attrs: { 'http.request.method': 'POST', 'url.path': '/api/checkout', 'url.scheme': 'http', 'http.route': '/api/checkout', 'http.response.status_code': 201, 'server.port': 7100 } },
  { service: 'gateway', name: 'POST', kind: 3, parent: 0, attrs: { 'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:7105/checkout', 'server.address': '127.0.0.1', 'server.port': 7105, 'http.response.status_code': 201 } },
  { service: 'checkout', name: 'POST /checkout', kind: 2, parent: 1, attrs: { 'http.request.method': 'POST', 'url.path': '/checkout', 'url.scheme': 'http', 'http.route': '/checkout', 'http.response.status_code': 201, 'server.port': 7105 } },
  { service: 'checkout', name: 'POST', kind: 3, parent: 2, attrs: { 'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:7107/reservations', 'server.address': '127.0.0.1', 'server.port': 7107, 'http.response.status_code': 201 } },
  { service: 'inventory', name: 'POST /reservations', kind: 2, parent: 3, attrs: { 'http.request.method': 'POST', 'url.path': '/reservations', 'url.scheme': 'http', 'http.route': '/reservations', 'http.response.status_code': 201, 'server.port': 7107 } },
  { service: 'inventory', name: 'UPDATE peakready', kind: 3, parent: 4, attrs: { 'db.system.name': 'postgresql', 'db.operation.name': 'UPDATE', 'db.collection.name': 'inventory.stock', 'server.address': '127.0.0.1', 'server.port': 7110 } },
  { service: 'checkout', name: 'POST', kind: 3, parent: 2, attrs: { 'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:7106/charges', 'server.address': '127.0.0.1', 'server.port': 7106, 'http.response.status_code': 201 } },
  { service: 'payments', name: 'POST /charges', kind: 2, parent: 6, attrs: { 'http.request.method': 'POST', 'url.path': '/charges', 'url.scheme': 'http', 'http.route': '/charges', 'http.response.status_code': 201, 'server.port': 7106 } },
  { service: 'checkout', name: 'POST', kind: 3, parent: 2, attrs: { 'http.request.method': 'POST', 'url.full': 'http://127.0.0.1:7108/orders', 'server.address': '127.0.0.1', 'server.port': 7108, 'http.response.status_code': 201 } },
  { service: 'orders', name: 'POST /orders', kind: 2, parent: 8, attrs: { 'http.request.method': 'POST', 'url.path': '/orders', 'url.scheme': 'http', 'http.route': '/orders', 'http.response.status_code': 201, 'server.port': 7108 } },
];

export const SPANS_PER_CHECKOUT_TRACE = PLAN.length;

export interface SampleTrace {
  traceId: string;
  /** the span id the (load engine's) client put in traceparent */
  clientSpanId: string;
  /** per service: protobuf-shaped resourceSpans entries */
  spans: Array<{ service: string; span: Record<string, unknown> }>;
}

/** One checkout trace starting at `startMs`, ids random. */
export function sampleCheckoutTrace(startMs: number, options: { traceId?: string; clientSpanId?: string } = {}): SampleTrace {
  const traceId = options.traceId ?? randomBytes(16).toString('hex');
  const clientSpanId = options.clientSpanId ?? randomBytes(8).toString('hex');
  const ids = PLAN.map(() => randomBytes(8).toString('hex'));
  const startNs = BigInt(startMs) * 1_000_000n;
  const spans = PLAN.map((p, i) => {
    const offset = BigInt(i) * 1_000_000n;
    const duration = BigInt((PLAN.length - i) * 2) * 1_000_000n;
    return {
      service: p.service,
      span: {
        traceId,
        spanId: ids[i]!,
        parentSpanId: p.parent === 'client' ? clientSpanId : ids[p.parent]!,
        name: p.name,
        kind: p.kind,
        startTimeUnixNano: (startNs + offset).toString(),
        endTimeUnixNano: (startNs + offset + duration).toString(),
        attributes: Object.entries(p.attrs).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: v } : { stringValue: v } })),
        status: { code: 0 },
      },
    };
  });
  return { traceId, clientSpanId, spans };
}

/** Groups traces' spans by service into one OTLP/JSON ExportTraceServiceRequest object. */
export function otlpJsonRequest(traces: readonly SampleTrace[]): { resourceSpans: unknown[] } {
  const byService = new Map<string, unknown[]>();
  for (const t of traces) for (const s of t.spans) (byService.get(s.service) ?? byService.set(s.service, []).get(s.service)!).push(s.span);
  return {
    resourceSpans: [...byService].map(([service, spans]) => ({
      resource: {
        attributes: [
          { key: 'service.name', value: { stringValue: service } },
          { key: 'service.instance.id', value: { stringValue: `${service}#1` } },
          { key: 'telemetry.sdk.language', value: { stringValue: 'nodejs' } },
          { key: 'telemetry.sdk.name', value: { stringValue: 'opentelemetry' } },
        ],
      },
      scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-http', version: '0.223.0' }, spans }],
    })),
  };
}

/** The same request as protobuf bytes (ids as bytes, as the protobuf encoding wants). */
export function otlpProtobufRequest(traces: readonly SampleTrace[]): Uint8Array {
  const json = otlpJsonRequest(traces) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
  for (const rs of json.resourceSpans)
    for (const ss of rs.scopeSpans)
      ss.spans = ss.spans.map((span) => ({
        ...span,
        traceId: Buffer.from(span.traceId as string, 'hex'),
        spanId: Buffer.from(span.spanId as string, 'hex'),
        parentSpanId: Buffer.from(span.parentSpanId as string, 'hex'),
      }));
  return ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(json)).finish();
}
