import type { MetricsAggregator } from './aggregator.js';
import type { ThresholdResult } from './thresholds.js';
import type { K6SummaryData } from './summary-data.js';

export type { K6SummaryData, K6SummaryMetric, K6SummaryGroup, K6SummaryCheck } from './summary-data.js';
export { DEFAULT_TREND_STATS } from './summary-data.js';
export { textSummary, type TextSummaryOptions } from './text-summary.js';
export { summaryExport, type K6SummaryExport } from './summary-export.js';
export { validateSummaryData } from './summary-validate.js';

export interface BuildSummaryInput {
  aggregator: MetricsAggregator;
  /** the final `ThresholdEvaluator.evaluate(...).results` */
  thresholds?: readonly ThresholdResult[];
  options: { summaryTrendStats?: string[]; summaryTimeUnit?: string; noColor?: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  setupData?: unknown;
}

/** Builds k6's handleSummary data from aggregated metrics and final threshold results. */
export function buildSummaryData(_input: BuildSummaryInput): K6SummaryData {
  throw new Error('not implemented yet');
}
