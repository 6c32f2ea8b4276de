import type { SpanRecord } from '../../run/records.js';
import { spanDurationMs, spanEndMs, spanStartMs, type Trace } from './assemble.js';

/** What `peakready traces` and the reports show about a run's traces: pure functions. */

export interface TraceSummary {
  traceId: string;
  root: string;
  service: string;
  durationMs: number;
  spans: number;
  errors: number;
  startMs: number;
}

export function summarizeTrace(trace: Trace): TraceSummary {
  return {
    traceId: trace.traceId,
    root: trace.root.name,
    service: trace.root.service,
    durationMs: trace.durationMs,
    spans: trace.spans.length,
    errors: trace.errorCount,
    startMs: trace.startMs,
  };
}

export function slowestTraces(traces: readonly Trace[], limit = 10, filter?: (t: Trace) => boolean): TraceSummary[] {
  return traces
    .filter((t) => !filter || filter(t))
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, limit)
    .map(summarizeTrace);
}

export interface ServiceErrors {
  service: string;
  spans: number;
  errors: number;
  /** CLIENT spans marked ERROR for a 4xx answer their caller took in its stride (not counted in `errors`) */
  handled?: number;
  /** the most frequent error messages or span names, most frequent first */
  top: Array<{ what: string; count: number }>;
}

/**
 * Error spans per service, judged by span status and what the caller expected: a span with status
 * ERROR is an error, except a CLIENT span failed only for a 4xx answer (semconv marks every
 * client 4xx: a lookup that finds nothing, an out-of-stock 409) whose caller did not fail with
 * it. That answer was part of the route's contract; it is counted as `handled`, not as an error.
 */
export function errorsByService(traces: readonly Trace[]): ServiceErrors[] {
  const by = new Map<string, { spans: number; errors: number; handled: number; what: Map<string, number> }>();
  for (const trace of traces) {
    for (const span of trace.spans) {
      let entry = by.get(span.service);
      if (!entry) by.set(span.service, (entry = { spans: 0, errors: 0, handled: 0, what: new Map() }));
      entry.spans++;
      if (span.status !== 'ERROR') continue;
      if (handledClientAnswer(trace, span)) {
        entry.handled++;
        continue;
      }
      entry.errors++;
      const what = `${span.name}${span.statusMessage ? `: ${span.statusMessage}` : span.attributes['error.type'] !== undefined ? `: ${String(span.attributes['error.type'])}` : ''}`;
      entry.what.set(what, (entry.what.get(what) ?? 0) + 1);
    }
  }
  return [...by]
    .map(([service, e]) => ({
      service,
      spans: e.spans,
      errors: e.errors,
      ...(e.handled ? { handled: e.handled } : {}),
      top: [...e.what].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([what, count]) => ({ what, count })),
    }))
    .sort((a, b) => b.errors - a.errors || a.service.localeCompare(b.service));
}

/** A CLIENT span in ERROR only for a 4xx answer, under a caller span (its parent) that did not fail. */
function handledClientAnswer(trace: Trace, span: SpanRecord): boolean {
  if (span.kind !== 'CLIENT') return false;
  const status = Number(span.attributes['http.response.status_code']);
  if (!(status >= 400 && status < 500)) return false;
  const parent = span.parentSpanId ? trace.byId.get(span.parentSpanId) : undefined;
  return parent !== undefined && parent.status !== 'ERROR';
}

export interface CriticalPathStep {
  spanId: string;
  service: string;
  name: string;
  kind: string;
  startMs: number;
  durationMs: number;
  /** time of this span on the critical path not spent in a child on the path */
  selfMs: number;
}

/**
 * The critical path: the chain of work that decided the trace's duration. From the root, walk
 * back from its end: the child that finished last (before the cursor) is on the path, the cursor
 * moves to that child's start, and the walk repeats among earlier children (sequential calls);
 * each chosen child is expanded the same way. Time not covered by a chosen child is the span's own.
 */
export function criticalPath(trace: Trace): CriticalPathStep[] {
  const steps: CriticalPathStep[] = [];
  walk(trace, trace.root, spanEndMs(trace.root), steps, new Set());
  return steps.sort((a, b) => a.startMs - b.startMs);
}

function walk(trace: Trace, span: SpanRecord, until: number, steps: CriticalPathStep[], seen: Set<string>): void {
  if (seen.has(span.spanId)) return;
  seen.add(span.spanId);
  const start = spanStartMs(span);
  const end = Math.min(spanEndMs(span), until);
  let cursor = end;
  let covered = 0;
  const kids = [...(trace.children.get(span.spanId) ?? [])].sort((a, b) => spanEndMs(b) - spanEndMs(a));
  for (const kid of kids) {
    const kidEnd = Math.min(spanEndMs(kid), end);
    if (kidEnd > cursor || kidEnd <= start) continue;
    const kidStart = Math.max(spanStartMs(kid), start);
    covered += kidEnd - kidStart;
    walk(trace, kid, kidEnd, steps, seen);
    cursor = kidStart;
  }
  steps.push({
    spanId: span.spanId,
    service: span.service,
    name: span.name,
    kind: span.kind,
    startMs: start,
    durationMs: spanDurationMs(span),
    selfMs: Math.max(0, end - start - covered),
  });
}
