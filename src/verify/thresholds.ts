import type { CheckResult } from '../run/records.js';
import type { Check } from './check.js';
import { fromDetails, operatorWithout, skipped } from './check-result.js';

const ID = 'thresholds';
const TITLE = "Script's thresholds";

/** The part of a k6 end-of-test summary (summary.json) that holds the script's threshold verdicts. */
interface SummaryThresholds {
  metrics?: Record<string, { thresholds?: Record<string, { ok?: boolean }>; values?: Record<string, number> }>;
}

/**
 * A plain `peakready run` is judged by the script's own thresholds, as the load engine evaluated
 * them into summary.json (k6's end-of-test summary: `metrics[name].thresholds[expression].ok`) —
 * never by a game day's budgets, which belong to another system.
 */
export const checkThresholds: Check = (data): CheckResult => {
  const summary = data.summary as SummaryThresholds | undefined;
  if (!summary?.metrics) return skipped(ID, TITLE, operatorWithout(data, "summary: the script's thresholds were not read") ?? 'no summary.json: the load did not finish');
  const details: CheckResult['details'] = [];
  for (const [metric, entry] of Object.entries(summary.metrics)) {
    for (const [expression, verdict] of Object.entries(entry.thresholds ?? {})) {
      details.push({ name: metric, status: verdict.ok === false ? 'fail' : 'pass', figure: verdict.ok === false ? 'crossed' : 'held', limit: expression });
    }
  }
  if (details.length === 0) return skipped(ID, TITLE, 'the script sets no thresholds');
  const failed = details.filter((d) => d.status === 'fail').length;
  return fromDetails(ID, TITLE, `${details.length - failed}/${details.length} held`, 'all held', details);
};
