import type { SpanRecord } from '../../run/records.js';
import { spanEndMs, spanStartMs, type Trace } from './assemble.js';

/**
 * Broken context propagation, found from the spans alone:
 * - `orphan`: a span whose parent never arrived (lost export, or a parent id invented by a
 *   service that did not continue the incoming context);
 * - `new-trace-hop`: a SERVER span that started a new trace although its caller's CLIENT span is
 *   in another trace (the callee ignored `traceparent`, or the caller did not send it); the
 *   caller is found by time (the server span lies within the client span, allowing clock skew)
 *   and by address (the client's `url.full` path and `server.port` match the server's);
 * - `missing-client-root`: a trace whose entry SERVER span has no parent at all, although the
 *   load engine starts every trace itself (W3C trace context: the client's `traceparent` makes
 *   the first server span a child of the client's span), so the entry service dropped it.
 */

export type PropagationProblemKind = 'orphan' | 'new-trace-hop' | 'missing-client-root';

export interface PropagationProblem {
  kind: PropagationProblemKind;
  traceId: string;
  spanId: string;
  service: string;
  name: string;
  detail: string;
  /** new-trace-hop: the trace and span of the caller's CLIENT span */
  callerTraceId?: string;
  callerSpanId?: string;
}

export interface PropagationOptions {
  /** every trace should continue a client's context (true for load-engine runs; default true) */
  clientStarted?: boolean;
  /** allowed clock skew between processes when matching a caller, ms (default 5) */
  skewMs?: number;
}

export function findPropagationProblems(traces: readonly Trace[], options: PropagationOptions = {}): PropagationProblem[] {
  const skew = options.skewMs ?? 5;
  const problems: PropagationProblem[] = [];
  const clientsByTarget = indexClientSpans(traces);
  for (const trace of traces) {
    for (const span of trace.orphans) {
      problems.push({
        ...where(trace, span),
        kind: 'orphan',
        detail: span.parentSpanId ? `parent span ${span.parentSpanId} never arrived` : 'a second span without parent in the trace',
      });
    }
    const root = trace.root;
    if (root.kind !== 'SERVER' || root.parentSpanId) continue;
    const caller = findCaller(root, trace.traceId, clientsByTarget, skew);
    if (caller) {
      problems.push({
        ...where(trace, root),
        kind: 'new-trace-hop',
        detail: `${root.service} started a new trace although its caller ${caller.span.service} ("${caller.span.name}") is in trace ${caller.traceId}`,
        callerTraceId: caller.traceId,
        callerSpanId: caller.span.spanId,
      });
    } else if (options.clientStarted ?? true) {
      problems.push({
        ...where(trace, root),
        kind: 'missing-client-root',
        detail: `${root.service} started the trace itself instead of continuing the client's traceparent`,
      });
    }
  }
  return problems;
}

function where(trace: Trace, span: SpanRecord) {
  return { traceId: trace.traceId, spanId: span.spanId, service: span.service, name: span.name };
}

type ClientRef = { traceId: string; span: SpanRecord; start: number; end: number };

/** Key of the address a call went to / a server was called on: "port path". */
function clientTarget(span: SpanRecord): string | undefined {
  const full = span.attributes['url.full'];
  if (typeof full !== 'string') return undefined;
  try {
    const url = new URL(full);
    return `${span.attributes['server.port'] ?? url.port} ${url.pathname}`;
  } catch {
    return undefined;
  }
}

function serverTarget(span: SpanRecord): string | undefined {
  const path = span.attributes['url.path'];
  return typeof path === 'string' ? `${span.attributes['server.port'] ?? ''} ${path}` : undefined;
}

function indexClientSpans(traces: readonly Trace[]): Map<string, ClientRef[]> {
  const index = new Map<string, ClientRef[]>();
  for (const trace of traces) {
    for (const span of trace.spans) {
      if (span.kind !== 'CLIENT') continue;
      const target = clientTarget(span);
      if (!target) continue;
      const ref = { traceId: trace.traceId, span, start: spanStartMs(span), end: spanEndMs(span) };
      const list = index.get(target);
      if (list) list.push(ref);
      else index.set(target, [ref]);
      // behind a balancer or fault proxy the port differs: index the path alone too
      const byPath = `* ${target.split(' ')[1]}`;
      (index.get(byPath) ?? index.set(byPath, []).get(byPath)!).push(ref);
    }
  }
  for (const list of index.values()) list.sort((a, b) => a.start - b.start);
  return index;
}

/**
 * Candidate callers are sorted by start; the caller starts shortly before the server span, so a
 * binary search finds the latest client that started in time and a short backward scan checks
 * containment (bounded, so thousands of broken hops to one path stay fast).
 */
function findCaller(server: SpanRecord, traceId: string, index: Map<string, ClientRef[]>, skew: number): ClientRef | undefined {
  const target = serverTarget(server);
  if (!target) return undefined;
  const start = spanStartMs(server);
  const end = spanEndMs(server);
  for (const key of [target, `* ${target.split(' ')[1]}`]) {
    const list = index.get(key);
    if (!list) continue;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.start <= start + skew) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo - 1, scanned = 0; i >= 0 && scanned < 256; i--, scanned++) {
      const c = list[i]!;
      if (c.traceId !== traceId && c.span.service !== server.service && end <= c.end + skew) return c;
    }
  }
  return undefined;
}
