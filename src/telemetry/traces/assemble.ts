import type { SpanRecord } from '../../run/records.js';

/** One trace: its spans, indexed for walking the tree. Times in epoch milliseconds. */
export interface Trace {
  traceId: string;
  /** sorted by start time */
  spans: SpanRecord[];
  byId: Map<string, SpanRecord>;
  /** parent span id -> children, each sorted by start time */
  children: Map<string, SpanRecord[]>;
  /**
   * The entry span: the earliest span whose parent is not in the trace. For a request the load
   * engine started, it is the gateway SERVER span whose parent is the engine's (never exported)
   * client span.
   */
  root: SpanRecord;
  /** other spans whose parent did not arrive (or a second parentless span): broken propagation */
  orphans: SpanRecord[];
  startMs: number;
  endMs: number;
  durationMs: number;
  services: string[];
  errorCount: number;
}

/** Epoch nanoseconds (decimal string) -> epoch milliseconds (sub-µs precision is not needed). */
export function nanosToMs(nanos: string): number {
  return Number(nanos) / 1e6;
}

export function spanStartMs(span: SpanRecord): number {
  return nanosToMs(span.startTimeUnixNano);
}

export function spanEndMs(span: SpanRecord): number {
  return nanosToMs(span.endTimeUnixNano);
}

export function spanDurationMs(span: SpanRecord): number {
  return Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6;
}

/** Groups spans by trace id (a span seen twice, e.g. from a retried export, counts once). */
export function assembleTraces(spans: readonly SpanRecord[]): Trace[] {
  const groups = new Map<string, Map<string, SpanRecord>>();
  for (const span of spans) {
    let group = groups.get(span.traceId);
    if (!group) groups.set(span.traceId, (group = new Map()));
    if (!group.has(span.spanId)) group.set(span.spanId, span);
  }
  const traces: Trace[] = [];
  for (const [traceId, byId] of groups) traces.push(buildTrace(traceId, byId));
  return traces.sort((a, b) => a.startMs - b.startMs);
}

function buildTrace(traceId: string, byId: Map<string, SpanRecord>): Trace {
  const spans = [...byId.values()].sort((a, b) => compareNanos(a.startTimeUnixNano, b.startTimeUnixNano));
  const children = new Map<string, SpanRecord[]>();
  const parentless: SpanRecord[] = [];
  let startMs = Infinity;
  let endMs = -Infinity;
  let errorCount = 0;
  const services = new Set<string>();
  for (const span of spans) {
    if (span.parentSpanId && byId.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId);
      if (list) list.push(span);
      else children.set(span.parentSpanId, [span]);
    } else parentless.push(span);
    startMs = Math.min(startMs, spanStartMs(span));
    endMs = Math.max(endMs, spanEndMs(span));
    if (span.status === 'ERROR') errorCount++;
    services.add(span.service);
  }
  // the entry is the earliest parentless span; prefer a SERVER span when one starts first or together
  const root = parentless.find((s) => s.kind === 'SERVER' && s.startTimeUnixNano === parentless[0]!.startTimeUnixNano) ?? parentless[0]!;
  return {
    traceId,
    spans,
    byId,
    children,
    root,
    orphans: parentless.filter((s) => s !== root),
    startMs,
    endMs,
    durationMs: endMs - startMs,
    services: [...services].sort(),
    errorCount,
  };
}

function compareNanos(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** The span's parent chain, nearest first (stops where a parent is missing). */
export function ancestors(trace: Trace, span: SpanRecord): SpanRecord[] {
  const out: SpanRecord[] = [];
  const seen = new Set<string>();
  let current = span.parentSpanId ? trace.byId.get(span.parentSpanId) : undefined;
  while (current && !seen.has(current.spanId)) {
    out.push(current);
    seen.add(current.spanId);
    current = current.parentSpanId ? trace.byId.get(current.parentSpanId) : undefined;
  }
  return out;
}
