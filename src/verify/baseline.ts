import type { Budgets } from '../budgets/types.js';
import type { CheckResult } from '../run/records.js';
import { exceedanceGreater, mannWhitneyGreater } from '../util/stats.js';
import type { JudgeOptions } from './check.js';
import { fromDetails, ms, pct, skipped } from './check-result.js';
import type { RunData } from '../run/run-data.js';
import { comparability, recordedRunOf, type Baseline } from './baseline-file.js';
import { groupByName, roundLatency, runFigures, type RouteFigures } from './run-figures.js';

export const BASELINE_CHECK_ID = 'baseline';
const TITLE = 'Baseline comparison';

/** Below this many requests in either run, a route's p95 is too noisy to call a regression. */
export const MIN_REQUESTS_TO_COMPARE = 50;

type Detail = CheckResult['details'][number];
type Tolerance = Budgets['baseline'];

/**
 * This run against an earlier one (`--baseline FILE`): per route, a regression is a p95 beyond
 * the tolerance (relative and absolute) that the latencies show to be no accident (rank or tail
 * test, p < alpha); the error rate and the throughput may be worse only within their tolerances.
 */
export function checkBaseline(data: RunData, budgets: Budgets, options: JudgeOptions): CheckResult {
  if (!options.baseline) return skipped(BASELINE_CHECK_ID, TITLE, 'no --baseline given');
  const tolerance = budgets.baseline;
  const baseline = options.baseline;
  const before = baseline.figures;
  const now = runFigures(data.requests, data.span);
  const latencies = new Map([...groupByName(data.requests)].map(([name, list]) => [name, list.map((r) => roundLatency(r.duration))]));
  const errorLimit = before.total.errorRate + tolerance.errorRateIncrease;
  const rpsLimit = before.total.rps * (1 - tolerance.throughputDrop);
  const details: Detail[] = [
    comparedRuns(baseline, data),
    { name: 'error rate', status: now.total.errorRate <= errorLimit ? 'pass' : 'fail', figure: pct(now.total.errorRate), limit: `<= ${pct(errorLimit)}`, note: `baseline ${pct(before.total.errorRate)}` },
    { name: 'throughput', status: now.total.rps >= rpsLimit ? 'pass' : 'fail', figure: `${now.total.rps.toFixed(1)}/s`, limit: `>= ${rpsLimit.toFixed(1)}/s`, note: `baseline ${before.total.rps.toFixed(1)}/s` },
    ...before.routes.map((earlier) => {
      const later = now.routes.find((r) => r.name === earlier.name);
      const samples = { earlier: baseline.latencies?.[earlier.name], later: latencies.get(earlier.name) };
      return compareRoute(earlier, later, samples, tolerance);
    }),
  ];
  const failed = details.filter((d) => d.status === 'fail').length;
  return fromDetails(BASELINE_CHECK_ID, TITLE, failed ? `${failed} regressions` : 'no regression', toleranceText(tolerance), details);
}

/** The check's limit, in one line. */
export function toleranceText(t: Tolerance): string {
  return `p95 +${pct(t.p95Increase)} and +${ms(t.p95SlackMs)} at p < ${t.alpha}, errors +${pct(t.errorRateIncrease)}, rps -${pct(t.throughputDrop)}`;
}

/** Whether the two runs played the same game day, profile and script (refused at the edge if not). */
function comparedRuns(baseline: Baseline, data: RunData): Detail {
  const { comparable, message } = comparability(baseline, recordedRunOf(data.config));
  return { name: 'same game day', status: comparable ? 'pass' : 'fail', figure: comparable ? 'comparable' : 'not comparable', limit: 'same game day, profile, script', note: message };
}

type Figures = Pick<RouteFigures, 'name' | 'requests' | 'p95'>;
interface Samples {
  earlier?: readonly number[] | undefined;
  later?: readonly number[] | undefined;
}

/** One route: its p95 against the tolerance, and the latencies' tests when the baseline kept them. */
function compareRoute(earlier: Figures, later: Figures | undefined, samples: Samples, tolerance: Tolerance): Detail {
  const name = `p95 ${earlier.name}`;
  const p95Limit = Math.max(earlier.p95 * (1 + tolerance.p95Increase), earlier.p95 + tolerance.p95SlackMs);
  if (!later) return { name, status: 'skip', figure: '-', limit: `<= ${ms(p95Limit)}`, note: 'route not in this run' };
  if (later.requests < MIN_REQUESTS_TO_COMPARE || earlier.requests < MIN_REQUESTS_TO_COMPARE) {
    return { name, status: 'skip', figure: ms(later.p95), limit: `<= ${ms(p95Limit)}`, note: `fewer than ${MIN_REQUESTS_TO_COMPARE} requests in one of the runs` };
  }
  const change = earlier.p95 > 0 ? later.p95 / earlier.p95 - 1 : 0;
  const shift = `baseline ${ms(earlier.p95)} (${sign(later.p95 - earlier.p95)}${ms(Math.abs(later.p95 - earlier.p95))}, ${sign(change)}${pct(Math.abs(change))})`;
  const beyond = later.p95 > p95Limit;
  if (!samples.earlier?.length || !samples.later?.length) {
    const note = `${shift}; the baseline report.json has no latency samples (written before they were kept): p95 against the tolerance alone, no significance test`;
    return { name, status: beyond ? 'fail' : 'pass', figure: ms(later.p95), limit: `<= ${ms(p95Limit)}`, note };
  }
  const test = latencyTest(samples.earlier, samples.later, earlier.p95);
  const significant = test.p < tolerance.alpha;
  const verdict = beyond && significant ? 'regression' : beyond ? 'beyond the tolerance but not significant: noise' : significant ? 'significantly slower but within the tolerance' : 'no regression';
  const note = `${shift}; p=${pValue(test.p)} (rank ${pValue(test.rank.p)}, tail ${pValue(test.tail.p)}), P(slower)=${test.rank.superiority.toFixed(2)}, Cliff's delta=${sign(test.rank.cliffsDelta)}${Math.abs(test.rank.cliffsDelta).toFixed(2)}, tail ${test.tail.earlierAbove}/${test.tail.n1} -> ${test.tail.laterAbove}/${test.tail.n2} above ${ms(earlier.p95)}, n ${samples.earlier.length}/${samples.later.length}: ${verdict}`;
  return { name, status: beyond && significant ? 'fail' : 'pass', figure: ms(later.p95), limit: `<= ${ms(p95Limit)} or p >= ${tolerance.alpha}`, note };
}

/**
 * "This run is slower": the rank test (the whole distribution moved) and the tail test (more
 * requests above the baseline's p95, which the rank test hardly sees when only a few are slow).
 * Either may find it, so the smaller p counts twice (Bonferroni): p = min(1, 2 min(p_rank, p_tail)).
 */
export function latencyTest(earlier: readonly number[], later: readonly number[], baselineP95: number) {
  const rank = mannWhitneyGreater(earlier, later);
  const tail = exceedanceGreater(earlier, later, baselineP95);
  return { p: Math.min(1, 2 * Math.min(rank.p, tail.p)), rank, tail };
}

function sign(value: number): string {
  return value >= 0 ? '+' : '-';
}

function pValue(p: number): string {
  return p < 0.0001 ? '<0.0001' : Number(p.toPrecision(2)).toString();
}
