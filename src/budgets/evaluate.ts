import { didYouMean } from '../errors.js';
import type { RequestRecord } from '../run/records.js';
import { requestsDuring, type Interval } from '../run/timeline.js';
import { aggregationName, compare, type Aggregation } from './threshold-expression.js';
import { BUDGET_METRICS, type BudgetMetric, type ThresholdBudget } from './types.js';

export interface BudgetOutcome {
  budget: ThresholdBudget;
  status: 'pass' | 'fail' | 'skip';
  /** the aggregate (the worst window's for `over`) */
  actual?: number;
  figure: string;
  limit: string;
  /** requests the aggregate was computed on */
  samples: number;
  /** a trend's median over the same requests (ms), beside a tail aggregate: where the middle lay */
  median?: number;
  /** for `over`: the window that decided the outcome */
  window?: Interval;
  /** the `over` window was widened to hold this many requests (samplesNeeded) */
  widenedFor?: number;
  /** otherwise: the stretch judged (the run, or the `during` phase from its first to its last interval) */
  scope?: Interval;
  note?: string;
}

export interface EvaluationContext {
  /** named phases and `outage` (see namedIntervals) */
  intervals: Map<string, Interval[]>;
  /** the whole run */
  span: Interval;
}

/**
 * Judges one budget on the run's request records, exactly (every request, no sampling). Pure.
 * `over W` slides a window of length W in steps of W/6 across the run (or across each interval of
 * the `during` phase) and fails on the worst window: a bad minute cannot hide in a whole-run p95.
 */
export function evaluateBudget(budget: ThresholdBudget, requestsByTime: readonly RequestRecord[], ctx: EvaluationContext): BudgetOutcome {
  const limit = budget.label.slice(budget.metricKey.length + 1);
  let pool = requestsByTime.filter((r) => matchesTags(r, budget.tags));
  let scopes: Interval[] = [ctx.span];
  if (budget.during !== undefined) {
    const during = requestsDuring(budget.during, pool, ctx.intervals);
    const phaseExists = ctx.intervals.has(budget.during) || requestsByTime.some((r) => r.scenario === budget.during);
    if (!during) {
      const note = phaseExists
        ? `no ${budget.metricKey} requests during ${budget.during}`
        : unknownPhase(budget.during, [...ctx.intervals.keys(), ...new Set(requestsByTime.map((r) => r.scenario))]);
      return { budget, status: 'skip', figure: '-', limit, samples: 0, note };
    }
    pool = during.requests;
    scopes = during.intervals;
  }
  if (!pool.length) return { budget, status: 'skip', figure: '-', limit, samples: 0, note: `no requests matched ${budget.metricKey}` };

  if (budget.overMs === undefined) {
    const seconds = scopes.reduce((s, i) => s + (i.end - i.start), 0) / 1000;
    const actual = aggregate(budget.metric, budget.aggregation, pool, seconds);
    return { ...outcome(budget, actual, pool, limit), scope: { start: scopes[0]!.start, end: scopes.at(-1)!.end } };
  }

  let worst: BudgetOutcome | undefined;
  const needed = samplesNeeded(budget);
  for (const scope of scopes) {
    for (const slid of slidingWindows(scope, budget.overMs)) {
      const { records: inWindow, window } = widenedToHold(pool, slid, needed);
      if (!inWindow.length) continue;
      const actual = aggregate(budget.metric, budget.aggregation, inWindow, (window.end - window.start) / 1000);
      const result = { ...outcome(budget, actual, inWindow, limit), window, ...(window.end - window.start > budget.overMs ? { widenedFor: needed } : {}) };
      if (!worst || isWorse(result, worst)) worst = result;
    }
  }
  return worst ?? { budget, status: 'skip', figure: '-', limit, samples: 0, note: 'no window held any request' };
}

/** A percentile's tail must hold this many requests before the figure means anything. */
export const TAIL_SAMPLES = 5;

/**
 * How many requests a window needs for its aggregate to be judged as a figure, not as noise: a
 * p(q) needs TAIL_SAMPLES requests above it (p(95): 100, p(99): 500, med: 10); avg, min, max,
 * rates and counts need none.
 */
export function samplesNeeded(budget: Pick<ThresholdBudget, 'metric' | 'aggregation'>): number {
  if (BUDGET_METRICS[budget.metric] !== 'trend') return 1;
  const q = budget.aggregation.kind === 'p' ? budget.aggregation.percentile : budget.aggregation.kind === 'med' ? 50 : undefined;
  return q === undefined || q >= 100 ? 1 : Math.ceil(TAIL_SAMPLES / (1 - q / 100));
}

/**
 * A window that holds fewer requests than its aggregate needs is widened (later, then earlier)
 * until it holds them, or the whole pool: a quiet stretch is judged on enough requests, and a bad
 * stretch still shows, since the widened window holds all of it.
 */
function widenedToHold(sorted: readonly RecordWithT[], window: Interval, needed: number): { records: RequestRecord[]; window: Interval } {
  let from = lowerBound(sorted, window.start);
  let to = lowerBound(sorted, window.end);
  if (to - from >= needed || to === from) return { records: sorted.slice(from, to) as RequestRecord[], window };
  to = Math.min(sorted.length, from + needed);
  from = Math.max(0, to - needed);
  const records = sorted.slice(from, to) as RequestRecord[];
  return { records, window: { start: Math.min(window.start, records[0]!.t), end: Math.max(window.end, records.at(-1)!.t + 1) } };
}

type RecordWithT = Pick<RequestRecord, 't'>;

function unknownPhase(name: string, known: string[]): string {
  const names = [...new Set(known)];
  const guess = didYouMean(name, names);
  return `this run has no phase, scenario or fault named "${name}"` + (guess ? `; did you mean "${guess}"?` : names.length ? ` (it has ${names.join(', ')})` : '');
}

/** Windows of length `length` stepping by length/6 across `scope`; the whole scope when shorter. */
export function slidingWindows(scope: Interval, length: number): Interval[] {
  if (scope.end - scope.start <= length) return [scope];
  const step = Math.max(1, Math.floor(length / 6));
  const out: Interval[] = [];
  let start = scope.start;
  for (; start + length <= scope.end; start += step) out.push({ start, end: start + length });
  if (out.at(-1)!.end < scope.end) out.push({ start: scope.end - length, end: scope.end });
  return out;
}

/** k6's aggregations over request records. `seconds` is the span a counter's rate is per. */
export function aggregate(metric: BudgetMetric, aggregation: Aggregation, records: readonly RequestRecord[], seconds: number): number {
  const type = BUDGET_METRICS[metric];
  if (type === 'counter') return aggregation.kind === 'count' ? records.length : seconds > 0 ? records.length / seconds : 0;
  if (type === 'rate') return records.length ? records.filter((r) => r.failed).length / records.length : 0;
  const values = records.map((r) => r.duration).sort((a, b) => a - b);
  switch (aggregation.kind) {
    case 'avg':
      return values.reduce((s, v) => s + v, 0) / values.length;
    case 'min':
      return values[0]!;
    case 'max':
      return values.at(-1)!;
    case 'med':
      return percentile(values, 50);
    case 'p':
      return percentile(values, aggregation.percentile);
    default:
      return NaN;
  }
}

/** Percentile of sorted values with linear interpolation between the closest ranks (as k6's trend sink). */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  if (sorted.length === 1) return sorted[0]!;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = sorted[Math.floor(rank)]!;
  const hi = sorted[Math.ceil(rank)]!;
  return lo + (hi - lo) * (rank - Math.floor(rank));
}

export function matchesTags(r: RequestRecord, tags: ThresholdBudget['tags']): boolean {
  for (const [tag, value] of Object.entries(tags)) {
    const actual = tag === 'status' ? String(r.status) : tag === 'expected_response' ? String(!r.failed) : (r as unknown as Record<string, unknown>)[tag];
    if (actual !== value) return false;
  }
  return true;
}

/** Records whose start lies in [start, end), from records sorted by t (binary search). */
export function between(sorted: readonly RequestRecord[], window: Interval): RequestRecord[] {
  return sorted.slice(lowerBound(sorted, window.start), lowerBound(sorted, window.end));
}

function lowerBound(sorted: readonly RecordWithT[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function outcome(budget: ThresholdBudget, actual: number, records: readonly RequestRecord[], limit: string): BudgetOutcome {
  const ok = compare(actual, budget.operator, budget.value);
  const figure = `${aggregationName(budget.aggregation)}=${formatValue(budget.metric, budget.aggregation, actual)}`;
  const median = isTail(budget.aggregation) && BUDGET_METRICS[budget.metric] === 'trend' && !ok ? aggregate(budget.metric, { kind: 'med' }, records, 0) : undefined;
  return { budget, status: ok ? 'pass' : 'fail', actual, figure, limit, samples: records.length, ...(median !== undefined ? { median } : {}) };
}

/** An aggregation that reads the slow end of a distribution (a percentile above the median, or the maximum). */
function isTail(aggregation: Aggregation): boolean {
  return aggregation.kind === 'max' || (aggregation.kind === 'p' && aggregation.percentile > 50);
}

/** A failing window beats a passing one; among equals, the one furthest past the limit. */
function isWorse(a: BudgetOutcome, b: BudgetOutcome): boolean {
  if (a.status !== b.status) return a.status === 'fail';
  const direction = a.budget.operator.startsWith('<') ? 1 : a.budget.operator.startsWith('>') ? -1 : 0;
  return direction * ((a.actual ?? 0) - (b.actual ?? 0)) > 0;
}

export function formatValue(metric: BudgetMetric, aggregation: Aggregation, value: number): string {
  const type = BUDGET_METRICS[metric];
  if (type === 'trend') return `${round(value)}ms`;
  if (type === 'rate') return `${round(value * 100)}%`;
  return aggregation.kind === 'count' ? String(Math.round(value)) : `${round(value)}/s`;
}

function round(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v) : Number(v.toFixed(2));
}
