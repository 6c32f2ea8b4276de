import type { CheckResult, CheckStatus } from '../run/records.js';
import type { Judgement, Verdict } from '../verify/index.js';
import type { RunData } from '../run/run-data.js';
import { runFigures, type RunFigures } from '../verify/run-figures.js';

/** report.json: everything a later run (`--baseline`) or another tool needs, in one file. */
export interface ReportJson {
  version: 1;
  generatedAt: string;
  run: { id: string; root: string; config: unknown; start: string; end: string; durationMs: number };
  verdict: Verdict;
  checks: CheckResult[];
  /** per-route requests, error rate, requests/s, p50/p95/p99, computed from requests.ndjson */
  figures: RunFigures;
  /** the k6-shaped end-of-test summary (summary.json), when the load engine wrote one */
  summary: unknown;
  /** `--baseline FILE`: which report this run was compared with (details in the `baseline` check) */
  baseline?: { file: string; status: CheckStatus; tolerance: { p95Increase: number; errorRateIncrease: number; throughputDrop: number } };
}

/** The judged run as one document: what report.json holds and the other formats render. */
export function buildReportJson(run: { id: string; root: string }, data: RunData, judged: Judgement, now = new Date()): ReportJson {
  const { span } = data;
  return {
    version: 1,
    generatedAt: now.toISOString(),
    run: {
      id: run.id,
      root: run.root,
      config: data.config ?? null,
      start: new Date(span.start).toISOString(),
      end: new Date(span.end).toISOString(),
      durationMs: span.end - span.start,
    },
    verdict: judged.verdict,
    checks: [...judged.checks],
    figures: runFigures(data.requests, span),
    summary: data.summary ?? null,
    ...(judged.baseline ? { baseline: judged.baseline } : {}),
  };
}

export function renderReportJson(report: ReportJson): string {
  return JSON.stringify(report, null, 2) + '\n';
}
