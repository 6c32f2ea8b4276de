import { appendFileSync, writeFileSync } from 'node:fs';
import { loadBudgets } from '../budgets/load.js';
import type { Budgets } from '../budgets/types.js';
import type { CheckResult } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import { verdictOf } from '../verify/index.js';
import { readRunData } from '../verify/run-data.js';
import { compareWithBaseline, loadBaselineReport } from './baseline.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { buildReportJson, type ReportJson } from './report-json.js';
import { notableTraces, runSeries, type LatencyLimit } from './run-figures.js';

export { renderVerdictTable, useColor } from './terminal.js';

/** Whole-run latency budgets of one route (`http_req_duration{name:X} p(95)<800`), drawn on its chart. */
function latencyLimits(thresholds: Budgets['thresholds']): LatencyLimit[] {
  return thresholds
    .filter((t) => t.metric === 'http_req_duration' && t.tags.name !== undefined && Object.keys(t.tags).length === 1 && t.during === undefined && t.operator.startsWith('<'))
    .map((t) => ({ route: t.tags.name!, label: t.label.slice(t.metricKey.length + 1), value: t.value }));
}
export { compareWithBaseline, loadBaselineReport } from './baseline.js';
export type { ReportJson } from './report-json.js';

export interface WriteReportsOptions {
  /** the checks' results (runChecks) */
  checks: readonly CheckResult[];
  /** Grafana base URL: trace ids in report.html link to Explore */
  grafanaUrl?: string;
  tempoDatasource?: string;
  /**
   * `--baseline FILE`: an earlier run's report.json, compared within the tolerances given here or
   * else the `baseline` section of `budgets`
   */
  baseline?: string | { file: string; tolerance: Budgets['baseline'] };
  /** the budgets the run was judged with (their `baseline` tolerances) */
  budgets?: Budgets;
  /** where summary.md is appended too; defaults to $GITHUB_STEP_SUMMARY */
  stepSummary?: string;
}

/**
 * Writes every report of a run into its directory: report.json, junit.xml, summary.md (also
 * appended to $GITHUB_STEP_SUMMARY) and report.html. Reports never judge: the verdict is the
 * checks' (plus the baseline comparison's, when asked for).
 */
export function writeReports(run: RunDirectory, options: WriteReportsOptions): { verdict: 'pass' | 'fail'; files: string[]; checks: CheckResult[]; report: ReportJson } {
  const checks = [...options.checks];
  let report = buildReportJson(run, checks, verdictOf(checks));
  if (options.baseline) {
    const { file, tolerance } =
      typeof options.baseline === 'string' ? { file: options.baseline, tolerance: (options.budgets ?? loadBudgets()).baseline } : options.baseline;
    const comparison = compareWithBaseline(report, loadBaselineReport(file), tolerance, file);
    checks.push(comparison);
    report = { ...report, checks, verdict: verdictOf(checks), baseline: { file, status: comparison.status, tolerance } };
  }
  const files: string[] = [];
  const write = (file: Parameters<RunDirectory['path']>[0], text: string) => {
    writeFileSync(run.path(file), text);
    files.push(run.path(file));
  };
  write('reportJson', JSON.stringify(report, null, 2) + '\n');
  write('junit', renderJunit(checks, run.id));
  const markdown = renderMarkdown(report);
  write('summaryMd', markdown);
  const stepSummary = options.stepSummary ?? process.env.GITHUB_STEP_SUMMARY;
  if (stepSummary) {
    try {
      appendFileSync(stepSummary, markdown + '\n');
    } catch (error) {
      // the job summary is a courtesy: the reports themselves are written
      process.stderr.write(`peakready: could not append to $GITHUB_STEP_SUMMARY (${stepSummary}): ${(error as Error).message}\n`);
    }
  }
  const { requests, timeline, span } = readRunData(run);
  const thresholds = options.budgets?.thresholds ?? [];
  const named = [...new Set(thresholds.flatMap((t) => (t.tags.name ? [t.tags.name] : [])))];
  const series = runSeries(requests, timeline, span, { first: named, limits: latencyLimits(thresholds) });
  write('reportHtml', renderHtml({ report, series, traces: notableTraces(requests), ...(options.grafanaUrl ? { grafanaUrl: options.grafanaUrl } : {}), ...(options.tempoDatasource ? { tempoDatasource: options.tempoDatasource } : {}) }));
  return { verdict: report.verdict, files, checks, report };
}
