import { identity } from './env.js';
import { spanContextOf, type TraceContext } from './telemetry.js';

/**
 * JSON lines on stdout, one object per event. A line about work done for a request carries its
 * trace and span ids: pass the request's trace context (there is no implicit active span).
 */

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const threshold = ORDER[(process.env.LOG_LEVEL ?? 'info') as Level] ?? ORDER.info;

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}, trace?: TraceContext): void {
  if (ORDER[level] < threshold) return;
  const ctx = spanContextOf(trace);
  const line: Record<string, unknown> = {
    time: new Date().toISOString(),
    level,
    service: identity.service,
    replica: identity.replica,
    msg,
    ...fields,
  };
  if (ctx && ctx.traceFlags !== undefined && ctx.traceId !== '00000000000000000000000000000000') {
    line.trace_id = ctx.traceId;
    line.span_id = ctx.spanId;
  }
  process.stdout.write(JSON.stringify(line) + '\n');
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
