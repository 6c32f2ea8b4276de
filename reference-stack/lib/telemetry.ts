import { createRequire } from 'node:module';
import { NodeTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';

/**
 * OpenTelemetry tracing for a reference-stack replica. It must run before node:http, undici and
 * pg are loaded by the service code: each service's main.ts calls `startTelemetry()` and then
 * imports the service module dynamically. W3C trace context is the default propagator, so every
 * hop continues the caller's trace (the load generator starts it).
 *
 * Environment (OpenTelemetry SDK semantics):
 *   OTEL_SDK_DISABLED=true            no provider, no instrumentation, no propagation
 *   OTEL_EXPORTER_OTLP_ENDPOINT       base URL (the exporter appends /v1/traces); unset = spans are
 *                                     created and propagated but not exported
 *   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  full URL, wins over the base URL
 *   OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL  http/protobuf (the spec default) or http/json
 *   OTEL_BSP_*                        BatchSpanProcessor tuning (read by the SDK)
 */

const PROBES = new Set(['/healthz', '/readyz', '/metrics']);
let provider: NodeTracerProvider | undefined;

export function tracingEnabled(): boolean {
  return provider !== undefined;
}

export async function startTelemetry(serviceName: string): Promise<void> {
  if ((process.env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return;
  const exporter = await exporterFromEnv();
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': process.env.OTEL_SERVICE_NAME ?? serviceName,
      'service.instance.id': process.env.REPLICA_ID ?? `${serviceName}-${process.pid}`,
      'service.namespace': 'peakready-reference',
    }),
    spanProcessors: exporter ? [new BatchSpanProcessor(exporter)] : [],
  });
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => PROBES.has((req.url ?? '').split('?')[0] ?? ''),
        // our outgoing calls go through undici (instrumented below); node:http clients are only the exporter
        disableOutgoingRequestInstrumentation: true,
      }),
      new UndiciInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ],
  });
  // require-in-the-middle patches a module when it is next required: load node:http now, so the
  // server (whichever way it is imported later) runs through the patched prototype.
  const require = createRequire(import.meta.url);
  require('node:http');
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
  await provider?.shutdown().catch(() => undefined);
}
