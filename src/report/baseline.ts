import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Budgets } from '../budgets/types.js';
import { UsageError } from '../errors.js';
import { formatFieldPath } from '../config/load-yaml.js';
import type { CheckResult } from '../run/records.js';
import { fromDetails, ms, pct } from '../verify/check-result.js';
import type { ReportJson } from './report-json.js';

/** Below this many requests in either run, a route's p95 is too noisy to call a regression. */
export const MIN_REQUESTS_TO_COMPARE = 50;

const route = z.object({ name: z.string(), requests: z.number(), errorRate: z.number(), rps: z.number(), p95: z.number() });
const baselineSchema = z.object({ version: z.literal(1), figures: z.object({ total: route, routes: z.array(route) }) });
type BaselineFigures = z.infer<typeof baselineSchema>['figures'];

/** Reads an earlier run's report.json for `--baseline FILE`; a bad file is a usage error naming the field. */
export function loadBaselineReport(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--baseline ${file}: ${(error as Error).message}; pass the report.json of an earlier run`);
  }
}

/**
 * This run against an earlier one, as a check: p95 per route, the error rate and the throughput
 * may be worse only within the budgets file's `baseline` tolerances.
 */
export function compareWithBaseline(current: ReportJson, baselineReportJson: unknown, tolerance: Budgets['baseline'], file = 'baseline'): CheckResult {
  const parsed = baselineSchema.safeParse(baselineReportJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--baseline ${file}: not a peakready report.json (${formatFieldPath(issue.path) || 'top level'}: ${issue.message}); pass the report.json of an earlier run`);
  }
  const before: BaselineFigures = parsed.data.figures;
  const now = current.figures;
  const details: CheckResult['details'] = [];

  const errorLimit = before.total.errorRate + tolerance.errorRateIncrease;
  details.push({ name: 'error rate', status: now.total.errorRate <= errorLimit ? 'pass' : 'fail', figure: pct(now.total.errorRate), limit: `<= ${pct(errorLimit)}`, note: `baseline ${pct(before.total.errorRate)}` });
  const rpsLimit = before.total.rps * (1 - tolerance.throughputDrop);
  details.push({ name: 'throughput', status: now.total.rps >= rpsLimit ? 'pass' : 'fail', figure: `${now.total.rps.toFixed(1)}/s`, limit: `>= ${rpsLimit.toFixed(1)}/s`, note: `baseline ${before.total.rps.toFixed(1)}/s` });

  for (const earlier of before.routes) {
    const later = now.routes.find((r) => r.name === earlier.name);
    const name = `p95 ${earlier.name}`;
    const limit = earlier.p95 * (1 + tolerance.p95Increase);
    if (!later) {
      details.push({ name, status: 'skip', figure: '-', limit: `<= ${ms(limit)}`, note: 'route not in this run' });
    } else if (later.requests < MIN_REQUESTS_TO_COMPARE || earlier.requests < MIN_REQUESTS_TO_COMPARE) {
      details.push({ name, status: 'skip', figure: ms(later.p95), limit: `<= ${ms(limit)}`, note: `fewer than ${MIN_REQUESTS_TO_COMPARE} requests in one of the runs` });
    } else {
      const change = earlier.p95 > 0 ? later.p95 / earlier.p95 - 1 : 0;
      details.push({ name, status: later.p95 <= limit ? 'pass' : 'fail', figure: ms(later.p95), limit: `<= ${ms(limit)}`, note: `baseline ${ms(earlier.p95)} (${change >= 0 ? '+' : ''}${pct(change)})` });
    }
  }
  const failed = details.filter((d) => d.status === 'fail').length;
  return fromDetails('baseline', 'Baseline comparison', failed ? `${failed} regressions` : 'no regression', `p95 +${pct(tolerance.p95Increase)}, errors +${pct(tolerance.errorRateIncrease)}, rps -${pct(tolerance.throughputDrop)}`, details);
}
