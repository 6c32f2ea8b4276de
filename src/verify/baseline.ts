import type { Budgets } from '../budgets/types.js';
import type { CheckResult } from '../run/records.js';
import type { JudgeOptions } from './check.js';
import { fromDetails, ms, pct, skipped } from './check-result.js';
import type { RunData } from '../run/run-data.js';
import { runFigures, type RouteFigures } from './run-figures.js';

export const BASELINE_CHECK_ID = 'baseline';
const TITLE = 'Baseline comparison';

/** Below this many requests in either run, a route's p95 is too noisy to call a regression. */
export const MIN_REQUESTS_TO_COMPARE = 50;

type Detail = CheckResult['details'][number];
type Tolerance = Budgets['baseline'];

/**
 * This run against an earlier one (`--baseline FILE`): p95 per route, the error rate and the
 * throughput may be worse only within the budgets file's `baseline` tolerances.
 */
export function checkBaseline(data: RunData, budgets: Budgets, options: JudgeOptions): CheckResult {
  if (!options.baseline) return skipped(BASELINE_CHECK_ID, TITLE, 'no --baseline given');
  const tolerance = budgets.baseline;
  const before = options.baseline.figures;
  const now = runFigures(data.requests, data.span);
  const errorLimit = before.total.errorRate + tolerance.errorRateIncrease;
  const rpsLimit = before.total.rps * (1 - tolerance.throughputDrop);
  const details: Detail[] = [
    { name: 'error rate', status: now.total.errorRate <= errorLimit ? 'pass' : 'fail', figure: pct(now.total.errorRate), limit: `<= ${pct(errorLimit)}`, note: `baseline ${pct(before.total.errorRate)}` },
    { name: 'throughput', status: now.total.rps >= rpsLimit ? 'pass' : 'fail', figure: `${now.total.rps.toFixed(1)}/s`, limit: `>= ${rpsLimit.toFixed(1)}/s`, note: `baseline ${before.total.rps.toFixed(1)}/s` },
    ...before.routes.map((earlier) => compareRoute(earlier, now.routes.find((r) => r.name === earlier.name), tolerance)),
  ];
  const failed = details.filter((d) => d.status === 'fail').length;
  const limit = `p95 +${pct(tolerance.p95Increase)}, errors +${pct(tolerance.errorRateIncrease)}, rps -${pct(tolerance.throughputDrop)}`;
  return fromDetails(BASELINE_CHECK_ID, TITLE, failed ? `${failed} regressions` : 'no regression', limit, details);
}

type Figures = Pick<RouteFigures, 'name' | 'requests' | 'p95'>;

/** One route's p95, when both runs sent it enough requests to tell a regression from noise. */
function compareRoute(earlier: Figures, later: Figures | undefined, tolerance: Tolerance): Detail {
  const name = `p95 ${earlier.name}`;
  const limit = earlier.p95 * (1 + tolerance.p95Increase);
  if (!later) return { name, status: 'skip', figure: '-', limit: `<= ${ms(limit)}`, note: 'route not in this run' };
  if (later.requests < MIN_REQUESTS_TO_COMPARE || earlier.requests < MIN_REQUESTS_TO_COMPARE) {
    return { name, status: 'skip', figure: ms(later.p95), limit: `<= ${ms(limit)}`, note: `fewer than ${MIN_REQUESTS_TO_COMPARE} requests in one of the runs` };
  }
  const change = earlier.p95 > 0 ? later.p95 / earlier.p95 - 1 : 0;
  return { name, status: later.p95 <= limit ? 'pass' : 'fail', figure: ms(later.p95), limit: `<= ${ms(limit)}`, note: `baseline ${ms(earlier.p95)} (${change >= 0 ? '+' : ''}${pct(change)})` };
}
