import type { Budgets } from '../budgets/types.js';
import type { CheckResult } from '../run/records.js';
import { faultWindows } from '../run/timeline.js';
import { assembleTraces, evaluateTraceRules, tracingCompleteness, type TraceRule } from '../telemetry/traces/index.js';
import type { JudgeOptions } from './check.js';
import { fromDetails, operatorWithout, pct, skipped } from './check-result.js';
import type { RunData } from '../run/run-data.js';

const ID = 'tracing';
const TITLE = 'Tracing';

/**
 * Two questions on the received spans (the telemetry room answers both): did the traces of the
 * requests we sent arrive whole (`checks.tracing.completeness`), and do they hold the shapes the
 * trace rules require (`checks.tracing.rules`, default scenarios/trace-rules.yaml), failures that
 * overlap a fault window forgiven where a rule says so.
 */
export function checkTracing(data: RunData, budgets: Budgets, options: JudgeOptions): CheckResult {
  const limits = budgets.tracing;
  if (!limits.enabled) return skipped(ID, TITLE, `disabled in ${budgets.file}`);
  if (!data.spans) return skipped(ID, TITLE, 'no traces.ndjson in the run (no OTLP receiver, or traces were sent elsewhere)');
  const { requests, timeline, span } = data;
  const traces = assembleTraces(data.spans);
  const details: CheckResult['details'] = [];

  const c = tracingCompleteness(requests, traces, limits.entryService ? { entryService: limits.entryService } : {});
  if (c.sent) {
    const reasons = Object.entries(c.reasons).map(([why, n]) => `${n} ${why}`);
    details.push({
      name: 'complete traces',
      status: c.ratio >= limits.completeness ? 'pass' : 'fail',
      figure: `${pct(c.ratio)} (${c.complete}/${c.sent})`,
      limit: `>= ${pct(limits.completeness)}`,
      note: reasons.length ? `${reasons.join(', ')}; e.g. ${c.missing.slice(0, 3).join(', ')}` : 'every trace arrived whole',
    });
  } else {
    details.push({ name: 'complete traces', status: 'skip', figure: '-', limit: `>= ${pct(limits.completeness)}`, note: operatorWithout(data, 'request records: completeness needs the trace ids the load sent') ?? 'no request carried a trace id' });
  }

  const results = evaluateTraceRules(traces, traceRules(options), { faultWindows: faultWindows(timeline, span.end) });
  for (const r of results) {
    const first = r.failures[0];
    const note = first ? `e.g. trace ${first.traceId}: ${first.message}` : r.status === 'skip' ? 'no trace matched the rule' : r.forgiven ? `${r.forgiven} failures forgiven during faults` : undefined;
    details.push({ name: `rule ${r.id}`, status: r.status, figure: `${r.tracesFailed}/${r.tracesChecked} traces failed`, limit: '0', ...(note ? { note } : {}) });
  }
  const headline = c.sent ? pct(c.ratio) + ' complete' : 'no traced requests';
  const failedRules = results.filter((r) => r.status === 'fail').length;
  return fromDetails(ID, TITLE, `${headline}, ${results.length - failedRules}/${results.length} rules`, `>= ${pct(limits.completeness)}, all rules`, details);
}

/** The rules loaded at the edge (loadTraceRulesFor); a file that would not load fails this check with its error. */
function traceRules(options: JudgeOptions): TraceRule[] {
  const loaded = options.traceRules;
  if (!loaded) throw new Error('no trace rules were given to the judge (judgeRun loads the file the budgets name)');
  if ('error' in loaded) throw new Error(loaded.error);
  return loaded.rules;
}
