// The peer side of bench/otlp-ingest.mjs: the OpenTelemetry SDK producing the same checkout
// traces (10 spans, same attributes) and exporting them with the OTLP/HTTP protobuf exporter, as
// the reference stack's services do. Reports its own CPU time per span.
import { context, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

const url = process.env.OTLP_URL;
const traces = Number(process.env.TRACES ?? 3000);
const providers = new Map();
const processors = [];
function tracerFor(service) {
  if (!providers.has(service)) {
    const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url }), { maxQueueSize: traces * 12, maxExportBatchSize: 512, scheduledDelayMillis: 100 });
    processors.push(processor);
    providers.set(service, new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}#1` }), spanProcessors: [processor] }).getTracer('bench'));
  }
  return providers.get(service);
}

const server = (path, port) => ({ 'http.request.method': 'POST', 'url.path': path, 'url.scheme': 'http', 'http.route': path, 'http.response.status_code': 201, 'server.port': port });
const client = (path, port) => ({ 'http.request.method': 'POST', 'url.full': `http://127.0.0.1:${port}${path}`, 'server.address': '127.0.0.1', 'server.port': port, 'http.response.status_code': 201 });

function span(service, name, kind, attributes, parent, body) {
  const s = tracerFor(service).startSpan(name, { kind, attributes }, parent ? trace.setSpan(context.active(), parent) : undefined);
  body?.(s);
  s.end();
}

function checkoutTrace() {
  span('gateway', 'POST /api/checkout', SpanKind.SERVER, server('/api/checkout', 7100), undefined, (gw) =>
    span('gateway', 'POST', SpanKind.CLIENT, client('/checkout', 7105), gw, (gc) =>
      span('checkout', 'POST /checkout', SpanKind.SERVER, server('/checkout', 7105), gc, (co) => {
        span('checkout', 'POST', SpanKind.CLIENT, client('/reservations', 7107), co, (c1) =>
          span('inventory', 'POST /reservations', SpanKind.SERVER, server('/reservations', 7107), c1, (inv) =>
            span('inventory', 'UPDATE peakready', SpanKind.CLIENT, { 'db.system.name': 'postgresql', 'db.operation.name': 'UPDATE', 'db.collection.name': 'inventory.stock', 'server.address': '127.0.0.1', 'server.port': 7110 }, inv),
          ),
        );
        span('checkout', 'POST', SpanKind.CLIENT, client('/charges', 7106), co, (c2) => span('payments', 'POST /charges', SpanKind.SERVER, server('/charges', 7106), c2));
        span('checkout', 'POST', SpanKind.CLIENT, client('/orders', 7108), co, (c3) => span('orders', 'POST /orders', SpanKind.SERVER, server('/orders', 7108), c3));
      }),
    ),
  );
}

const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < traces; i++) {
  checkoutTrace();
  if (i % 200 === 199) await new Promise((r) => setImmediate(r));
}
await Promise.all(processors.map((p) => p.forceFlush()));
const cpu = process.cpuUsage(cpu0);
process.send({ spans: traces * 10, cpuSeconds: (cpu.user + cpu.system) / 1e6, wallSeconds: (performance.now() - t0) / 1000 });
await Promise.all(processors.map((p) => p.shutdown()));
process.exit(0);
