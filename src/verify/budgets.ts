import { evaluateBudget, samplesNeeded, type BudgetOutcome } from '../budgets/evaluate.js';
import { aggregationName } from '../budgets/threshold-expression.js';
import { BUDGET_METRICS } from '../budgets/types.js';
import type { Budgets } from '../budgets/types.js';
import type { CheckDetail, CheckResult } from '../run/records.js';
import { fromDetails, operatorWithout, skipped } from './check-result.js';
import type { RunData } from '../run/run-data.js';

const ID = 'budgets';
const TITLE = 'Performance budgets';

/** Every threshold of the budgets file, judged exactly on requests.ndjson (whole run, windows, phases). */
export function checkBudgets(data: RunData, budgets: Budgets): CheckResult {
  if (!budgets.thresholds.length) return skipped(ID, TITLE, `${budgets.file} declares no thresholds`);
  if (!data.requestsRecorded) return skipped(ID, TITLE, operatorWithout(data, 'request records') ?? 'the run recorded no requests (requests.ndjson missing)');
  const outcomes = budgets.thresholds.map((b) => evaluateBudget(b, data.requests, { intervals: data.intervals, span: data.span }));
  const details = outcomes.map((o) => {
    const note = noteOf(o, data);
    return { name: o.budget.label, status: o.status, figure: o.figure, limit: o.limit, ...(note ? { note } : {}), ...timingOf(o, data) };
  });
  const judged = outcomes.filter((o) => o.status !== 'skip');
  const passed = judged.filter((o) => o.status === 'pass').length;
  return fromDetails(ID, TITLE, `${passed}/${judged.length} met`, 'all met', details, 'no threshold matched any request');
}

/**
 * A latency limit missed: when the judged requests ran and by how much, so the judge can ask
 * whether the test rig's own delay accounts for the miss (src/verify/rig.ts).
 */
function timingOf(o: BudgetOutcome, data: RunData): Pick<CheckDetail, 'timing'> {
  const { metric, operator, value } = o.budget;
  if (o.status !== 'fail' || BUDGET_METRICS[metric] !== 'trend' || !operator.startsWith('<') || o.actual === undefined) return {};
  const interval = o.window ?? o.scope ?? data.span;
  const medianOverMs = o.median !== undefined ? { medianOverMs: o.median - value } : {};
  return { timing: { start: interval.start, end: interval.end, overMs: o.actual - value, ...medianOverMs } };
}

/** Where the figure came from, and on how many requests: a percentile on too few is said to be so. */
function noteOf(o: BudgetOutcome, data: RunData): string | undefined {
  const needed = samplesNeeded(o.budget);
  const name = aggregationName(o.budget.aggregation);
  if (o.window) {
    const seconds = Math.round((o.window.end - o.window.start) / 1000);
    const from = `from +${Math.round((o.window.start - data.span.start) / 1000)}s`;
    if (o.widenedFor) return `worst window ${from}, widened to ${seconds}s to hold the ${o.widenedFor} requests a ${name} needs`;
    return `worst ${seconds}s window ${from}, ${o.samples} requests`;
  }
  if (o.status === 'skip') return o.note;
  return o.samples < needed ? `${o.samples} requests: fewer than the ${needed} a ${name} needs to be precise` : `${o.samples} requests`;
}
