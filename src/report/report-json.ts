import type { CheckResult, CheckStatus } from '../run/records.js';
import type { Judgement, Verdict } from '../verify/index.js';
import type { RunData } from '../run/run-data.js';
import type { Budgets } from '../budgets/types.js';
import type { Interruption } from '../run/timeline.js';
import { LATENCY_SAMPLE_SIZE, latencySamples, runFigures, type RunFigures } from '../verify/run-figures.js';

/** report.json: everything a later run (`--baseline`) or another tool needs, in one file. */
export interface ReportJson {
  version: 1;
  generatedAt: string;
  run: { id: string; root: string; config: unknown; start: string; end: string; durationMs: number };
  verdict: Verdict;
  checks: CheckResult[];
  /** per-route requests, error rate, requests/s, p50/p95/p99, computed from requests.ndjson */
  figures: RunFigures;
  /**
   * per route, up to `size` latencies (ms): all of them, or order statistics at evenly spaced
   * ranks; what a later run's `--baseline` ranks its own latencies against
   */
  latencySamples: { size: number; routes: Record<string, number[]> };
  /** the k6-shaped end-of-test summary (summary.json), when the load engine wrote one */
  summary: unknown;
  /** `--baseline FILE`: which report this run was compared with (details in the `baseline` check) */
  baseline?: { file: string; status: CheckStatus; tolerance: Budgets['baseline'] };
  /** the run stopped before its end (verdict `interrupted`): why, when, where; checks and figures cover only what was measured until then */
  interrupted?: Interruption;
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
    latencySamples: { size: LATENCY_SAMPLE_SIZE, routes: latencySamples(data.requests) },
    summary: data.summary ?? null,
    ...(judged.baseline ? { baseline: judged.baseline } : {}),
    ...(judged.interrupted ? { interrupted: judged.interrupted } : {}),
  };
}

/** Indented, but each route's latency sample on one line (2,000 numbers are not 2,000 lines). */
export function renderReportJson(report: ReportJson): string {
  const samples = Object.values(report.latencySamples.routes);
  const marked = (value: unknown): unknown => {
    const index = samples.indexOf(value as number[]);
    return index >= 0 ? `\u0000sample ${index}` : value;
  };
  const text = JSON.stringify(report, (_key, value: unknown) => marked(value), 2);
  return text.replace(/"\\u0000sample (\d+)"/g, (_match, index: string) => JSON.stringify(samples[Number(index)])) + '\n';
}
