import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Budgets } from '../budgets/types.js';
import type { RunDirectory } from '../run/run-dir.js';
import { describeInterruption } from '../run/timeline.js';
import type { Judgement } from '../verify/index.js';
import type { RunData } from '../run/run-data.js';
import { htmlReport } from './html.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { buildReportJson, renderReportJson, type ReportJson } from './report-json.js';
import type { Reporter } from './reporter.js';

export { assertReportDir, copyReports } from './report-dir.js';
export { renderVerdictTable, useColor } from './terminal.js';
export { githubAnnotations, inGithubActions } from './github-annotations.js';
export type { ReportJson } from './report-json.js';
export type { ReportInput, Reporter } from './reporter.js';

const STEP_SUMMARY_FILE = 'summary.md';

/**
 * Every report file of a run, by file name, in the order they are written. Adding a format: a file
 * here exporting its render function, and one line below.
 */
export const reporterRegistry: Readonly<Record<string, Reporter>> = {
  'report.json': ({ report }) => renderReportJson(report),
  'junit.xml': ({ report, generatedAt }) => renderJunit(report.checks, report.run.id, generatedAt, report.interrupted ? describeInterruption(report.interrupted) : undefined),
  [STEP_SUMMARY_FILE]: ({ report }) => renderMarkdown(report),
  'report.html': htmlReport,
};

export interface WriteReportsOptions {
  /** the budgets the run was judged with */
  budgets?: Budgets;
  /** Grafana base URL: trace ids in report.html link to Explore */
  grafanaUrl?: string;
  tempoDatasource?: string;
  /** where summary.md is appended too; defaults to $GITHUB_STEP_SUMMARY */
  stepSummary?: string;
  now?: Date;
}

/**
 * Writes every registered report of a judged run into its directory, and appends summary.md to
 * $GITHUB_STEP_SUMMARY when set. Reports render the judgement; they never change it.
 */
export function writeReports(run: RunDirectory, data: RunData, judged: Judgement, options: WriteReportsOptions = {}): { files: string[]; report: ReportJson } {
  const generatedAt = options.now ?? new Date();
  const report = buildReportJson(run, data, judged, generatedAt);
  const input = {
    report,
    data,
    generatedAt,
    ...(options.budgets ? { budgets: options.budgets } : {}),
    ...(options.grafanaUrl ? { grafanaUrl: options.grafanaUrl } : {}),
    ...(options.tempoDatasource ? { tempoDatasource: options.tempoDatasource } : {}),
  };
  const files: string[] = [];
  for (const [name, render] of Object.entries(reporterRegistry)) {
    const text = render(input);
    const file = join(run.root, name);
    writeFileSync(file, text);
    files.push(file);
    if (name === STEP_SUMMARY_FILE) appendStepSummary(text, options.stepSummary ?? process.env.GITHUB_STEP_SUMMARY);
  }
  return { files, report };
}

function appendStepSummary(markdown: string, stepSummary: string | undefined): void {
  if (!stepSummary) return;
  try {
    appendFileSync(stepSummary, markdown + '\n');
  } catch (error) {
    // the job summary is a courtesy: the reports themselves are written
    process.stderr.write(`peakready: could not append to $GITHUB_STEP_SUMMARY (${stepSummary}): ${(error as Error).message}\n`);
  }
}
