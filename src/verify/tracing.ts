import type { Budgets } from '../budgets/types.js';
import type { CheckResult, RequestRecord, SpanRecord } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import { fromDetails, pct, skipped } from './check-result.js';
import { readRunData, readSpans } from './run-data.js';

const ID = 'tracing';
const TITLE = 'Tracing completeness';

export interface Completeness {
  /** requests that carried a trace id */
  sent: number;
  /** of those, traces that arrived whole: spans present and every parent found, one root */
  complete: number;
  missing: string[];
  broken: string[];
}

/**
 * Of the requests the load engine sent with a `traceparent`, how many came back as whole traces:
 * at least one span, and exactly one span whose parent is not in the trace (the entry span, whose
 * parent is the load generator's own span id). An orphan means a hop lost its context or a
 * service failed to export.
 */
export function traceCompleteness(requests: readonly RequestRecord[], spans: readonly SpanRecord[]): Completeness {
  const byTrace = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const list = byTrace.get(s.traceId);
    if (list) list.push(s);
    else byTrace.set(s.traceId, [s]);
  }
  const out: Completeness = { sent: 0, complete: 0, missing: [], broken: [] };
  const seen = new Set<string>();
  for (const r of requests) {
    if (!r.traceId || seen.has(r.traceId)) continue;
    seen.add(r.traceId);
    out.sent++;
    const trace = byTrace.get(r.traceId);
    if (!trace) {
      out.missing.push(r.traceId);
      continue;
    }
    const ids = new Set(trace.map((s) => s.spanId));
    const roots = trace.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId)).length;
    if (roots === 1) out.complete++;
    else out.broken.push(r.traceId);
  }
  return out;
}

/** The share of sent traces that arrived complete, against `checks.tracing.completeness`. */
export function checkTracing(run: RunDirectory, budgets: Budgets): CheckResult {
  const limits = budgets.tracing;
  if (!limits.enabled) return skipped(ID, TITLE, `disabled in ${budgets.file}`);
  if (!run.has('traces')) return skipped(ID, TITLE, 'no traces.ndjson in the run (no OTLP receiver, or traces were sent elsewhere)');
  const { requests } = readRunData(run);
  const c = traceCompleteness(requests, readSpans(run));
  if (!c.sent) return skipped(ID, TITLE, 'no request carried a trace id (the load engine sent no traceparent)');
  const ratio = c.complete / c.sent;
  const examples = [...c.missing.slice(0, 3).map((id) => `${id} (missing)`), ...c.broken.slice(0, 3).map((id) => `${id} (broken)`)];
  const details: CheckResult['details'] = [
    {
      name: 'complete traces',
      status: ratio >= limits.completeness ? 'pass' : 'fail',
      figure: `${pct(ratio)} (${c.complete}/${c.sent})`,
      limit: `>= ${pct(limits.completeness)}`,
      note: examples.length ? `${c.missing.length} missing, ${c.broken.length} broken, e.g. ${examples.join(', ')}` : 'every trace arrived whole',
    },
  ];
  return fromDetails(ID, TITLE, pct(ratio), `>= ${pct(limits.completeness)}`, details);
}
