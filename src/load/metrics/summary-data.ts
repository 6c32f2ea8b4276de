import { createHash } from 'node:crypto';
import type { MetricContains, MetricType } from './types.js';

/** One entry of k6's handleSummary `data.metrics`. */
export interface K6SummaryMetric {
  type: MetricType;
  contains: MetricContains;
  /** counter {count, rate}; gauge {value, min, max}; rate {rate, passes, fails}; trend: the summaryTrendStats */
  values: Record<string, number>;
  /** expression → {ok}; absent when the metric has no threshold */
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6SummaryCheck {
  name: string;
  /** `::group::check` */
  path: string;
  /** md5 hex of path, as k6 */
  id: string;
  passes: number;
  fails: number;
}

export interface K6SummaryGroup {
  name: string;
  path: string;
  id: string;
  groups: K6SummaryGroup[];
  checks: K6SummaryCheck[];
}

/** Exactly k6's handleSummary(data) object. */
export interface K6SummaryData {
  root_group: K6SummaryGroup;
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  metrics: Record<string, K6SummaryMetric>;
  setup_data?: unknown;
}

/** k6's defaults for summaryTrendStats. */
export const DEFAULT_TREND_STATS: readonly string[] = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'];

/** md5 hex of a group or check path: k6's id scheme (the root group's id is md5 of ""). */
export function pathId(path: string): string {
  return createHash('md5').update(path).digest('hex');
}
