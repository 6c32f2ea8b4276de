import type { SpanRecord } from '../../run/records.js';
import type { FaultWindow } from '../../run/timeline.js';
import { ancestors, spanDurationMs, spanEndMs, spanStartMs, type Trace } from './assemble.js';
import type { TraceAssertion, TraceRule } from './rule-schema.js';
import { attributeProblem, describeSelector, matchesSelector } from './span-selector.js';

/** Evaluates trace rules over assembled traces: pure, no I/O. */

/** What forgiving reads of a fault window (see run/timeline.ts for how windows are paired). */
type FaultSpan = Pick<FaultWindow, 'start' | 'end' | 'proxy'>;

export interface RuleContext {
  faultWindows?: readonly FaultSpan[];
}

export interface RuleFailure {
  traceId: string;
  spanId?: string;
  /** index of the assertion in the rule's `expect` */
  assertion: number;
  message: string;
}

export interface RuleResult {
  id: string;
  description?: string;
  /** skip: no trace matched the rule's `traces` selection */
  status: 'pass' | 'fail' | 'skip';
  tracesChecked: number;
  tracesFailed: number;
  /** failures forgiven because they overlapped a fault window */
  forgiven: number;
  /** the first failures (at most 20), for reports */
  failures: RuleFailure[];
}

const MAX_FAILURES_KEPT = 20;

export function evaluateTraceRules(traces: readonly Trace[], rules: readonly TraceRule[], context: RuleContext = {}): RuleResult[] {
  return rules.map((rule) => evaluateRule(traces, rule, context.faultWindows ?? []));
}

function evaluateRule(traces: readonly Trace[], rule: TraceRule, faults: readonly FaultSpan[]): RuleResult {
  const result: RuleResult = { id: rule.id, status: 'pass', tracesChecked: 0, tracesFailed: 0, forgiven: 0, failures: [] };
  if (rule.description) result.description = rule.description;
  for (const trace of traces) {
    if (rule.traces.root && !matchesSelector(trace.root, rule.traces.root)) continue;
    if (rule.traces.has && !trace.spans.some((s) => matchesSelector(s, rule.traces.has!))) continue;
    result.tracesChecked++;
    let failed = false;
    rule.expect.forEach((assertion, index) => {
      for (const failure of checkAssertion(trace, assertion, index)) {
        if (forgiven(failure, trace, assertion, faults)) {
          result.forgiven++;
          continue;
        }
        failed = true;
        if (result.failures.length < MAX_FAILURES_KEPT) result.failures.push(failure);
      }
    });
    if (failed) result.tracesFailed++;
  }
  result.status = result.tracesChecked === 0 ? 'skip' : result.tracesFailed > 0 ? 'fail' : 'pass';
  return result;
}

function checkAssertion(trace: Trace, a: TraceAssertion, index: number): RuleFailure[] {
  const selected = trace.spans.filter((s) => matchesSelector(s, a.spans));
  const failures: RuleFailure[] = [];
  const what = describeSelector(a.spans);
  const fail = (message: string, span?: SpanRecord) =>
    failures.push({ traceId: trace.traceId, assertion: index, message, ...(span ? { spanId: span.spanId } : {}) });

  if (a.count !== undefined) {
    const min = typeof a.count === 'number' ? a.count : a.count.min;
    const max = typeof a.count === 'number' ? a.count : a.count.max;
    if ((min !== undefined && selected.length < min) || (max !== undefined && selected.length > max)) {
      const want = min === max ? `${min}` : [min !== undefined ? `>= ${min}` : '', max !== undefined ? `<= ${max}` : ''].filter(Boolean).join(' and ');
      fail(`${selected.length} × ${what}, want ${want}`);
    }
  }
  for (const span of selected) {
    const label = `${span.service} ${span.kind} "${span.name}"`;
    if (a.status !== undefined) {
      const bad = typeof a.status === 'string' ? span.status !== a.status : span.status === a.status.not;
      if (bad) fail(`${label} has status ${span.status}${span.statusMessage ? ` (${span.statusMessage})` : ''}, want ${typeof a.status === 'string' ? a.status : `not ${a.status.not}`}`, span);
    }
    if (a.duration) {
      const ms = spanDurationMs(span);
      if (a.duration.max !== undefined && ms > a.duration.max) fail(`${label} took ${ms.toFixed(1)} ms, want <= ${a.duration.max} ms`, span);
      if (a.duration.min !== undefined && ms < a.duration.min) fail(`${label} took ${ms.toFixed(1)} ms, want >= ${a.duration.min} ms`, span);
    }
    for (const [key, matcher] of Object.entries(a.attributes ?? {})) {
      const problem = attributeProblem(span, key, matcher);
      if (problem) fail(`${label}: ${problem}`, span);
    }
    if (a.parent) {
      const parent = span.parentSpanId ? trace.byId.get(span.parentSpanId) : undefined;
      if (!parent) fail(`${label} has no parent in the trace, want a parent ${describeSelector(a.parent)}`, span);
      else if (!matchesSelector(parent, a.parent)) fail(`${label} has parent ${parent.service} ${parent.kind} "${parent.name}", want ${describeSelector(a.parent)}`, span);
    }
    if (a.ancestor && !ancestors(trace, span).some((p) => matchesSelector(p, a.ancestor!))) {
      fail(`${label} has no ancestor ${describeSelector(a.ancestor)}`, span);
    }
  }
  return failures;
}

/** With `unlessFault`, a span failure overlapping a fault window (a count failure: the trace) is forgiven. */
function forgiven(failure: RuleFailure, trace: Trace, a: TraceAssertion, faults: readonly FaultSpan[]): boolean {
  if (!a.unlessFault || faults.length === 0) return false;
  const span = failure.spanId ? trace.byId.get(failure.spanId) : undefined;
  const start = span ? spanStartMs(span) : trace.startMs;
  const end = span ? spanEndMs(span) : trace.endMs;
  const proxies = Array.isArray(a.unlessFault) ? a.unlessFault : undefined;
  return faults.some((f) => (!proxies || proxies.includes(f.proxy)) && f.start <= end && start <= f.end);
}
