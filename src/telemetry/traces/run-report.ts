import chalk, { Chalk, type ChalkInstance } from 'chalk';
import { renderTable, truncate, wrapText, type TableCell } from '../../util/text-table.js';
import type { RequestRecord, SpanRecord } from '../../run/records.js';
import type { RunDirectory } from '../../run/run-dir.js';
import { assembleTraces, type Trace } from './assemble.js';
import { criticalPath, errorsByService, slowestTraces, type CriticalPathStep, type ServiceErrors, type TraceSummary } from './analysis.js';
import { tracingCompleteness, type CompletenessResult } from './completeness.js';
import { grafanaTraceLink } from './grafana-link.js';
import { findPropagationProblems, type PropagationProblem } from './propagation.js';

/** What `peakready traces RUN` shows, computed from a run directory (and printed by formatTraceReport). */
export interface TraceRunReport {
  runId: string;
  spans: number;
  traces: number;
  slowest: TraceSummary[];
  errors: ServiceErrors[];
  /** per service, CLIENT spans in ERROR for a 4xx their caller took in its stride (not in `errors`) */
  handled?: Array<{ service: string; handled: number }>;
  /** the slowest trace whose entry span names a checkout */
  slowestCheckout?: { trace: TraceSummary; path: CriticalPathStep[] };
  failedRequests: Array<{ traceId: string; name: string; status: number; error?: string; t: number; traceArrived: boolean }>;
  failedRequestsTotal: number;
  problems: PropagationProblem[];
  completeness?: CompletenessResult;
}

export function buildTraceRunReport(run: RunDirectory, limit = 10): TraceRunReport {
  const spans = run.readLines<SpanRecord>('traces');
  const requests = run.readLines<RequestRecord>('requests');
  const traces = assembleTraces(spans);
  const byId = new Map(traces.map((t) => [t.traceId, t]));
  const isCheckout = (t: Trace) => /checkout/i.test(t.root.name) || t.root.attributes['http.route'] === '/api/checkout';
  const [checkout] = slowestTraces(traces, 1, isCheckout);
  const failed = requests.filter((r) => r.failed && r.traceId);
  const withTraceIds = requests.some((r) => r.traceId);
  const byService = errorsByService(traces);
  return {
    runId: run.id,
    spans: spans.length,
    traces: traces.length,
    slowest: slowestTraces(traces, limit),
    errors: byService.filter((e) => e.errors > 0),
    handled: byService.filter((e) => e.handled).map((e) => ({ service: e.service, handled: e.handled! })),
    ...(checkout ? { slowestCheckout: { trace: checkout, path: criticalPath(byId.get(checkout.traceId)!) } } : {}),
    failedRequests: failed.slice(0, limit).map((r) => ({
      traceId: r.traceId!,
      name: r.name,
      status: r.status,
      t: r.t,
      traceArrived: byId.has(r.traceId!.toLowerCase()),
      ...(r.error ? { error: r.error } : {}),
    })),
    failedRequestsTotal: failed.length,
    problems: findPropagationProblems(traces, { clientStarted: withTraceIds }),
    ...(withTraceIds ? { completeness: tracingCompleteness(requests, traces) } : {}),
  };
}

export interface FormatOptions {
  grafanaUrl?: string;
  tempoDatasource?: string;
  color?: boolean;
  /** the terminal's columns (default 100): every table fits them */
  width?: number;
}

/** An error message in a table cell: the gist, not a stack. */
const WHAT_CHARS = 120;

/** What every section of the text report writes with: colours, trace ids (collecting Grafana links), tables and prose of the width. */
interface Writer {
  c: ChalkInstance;
  id: (traceId: string, startMs?: number) => string;
  table: (head: string[], rows: TableCell[][], align?: Array<'left' | 'right' | undefined>) => string;
  /** prose wrapped to the width, styled per line */
  text: (line: string, style?: (s: string) => string) => string;
}

export function formatTraceReport(report: TraceRunReport, options: FormatOptions = {}): string {
  const c = new Chalk({ level: options.color === false ? 0 : chalk.level });
  // tables show trace ids; with a Grafana URL each id's Explore link is listed at the end
  const links = new Map<string, string>();
  const width = options.width ?? 100;
  const w: Writer = {
    c,
    id: (traceId, startMs) => {
      if (options.grafanaUrl && !links.has(traceId)) {
        const range = startMs !== undefined ? { from: startMs - 60_000, to: startMs + 60_000 } : undefined;
        links.set(traceId, grafanaTraceLink(options.grafanaUrl, traceId, options.tempoDatasource ?? 'tempo', range));
      }
      return traceId;
    },
    table: (head, rows, align) => renderTable({ head, rows, width, headStyle: (h) => c.bold(h), ...(align ? { align } : {}) }),
    text: (line, style = (x) => x) => wrapText(line, width).map((l) => style(l)).join('\n'),
  };
  const out: string[] = [w.text(`Traces of run ${report.runId}: ${report.spans} spans in ${report.traces} traces`, c.bold), ...propagationLines(report, w)];
  if (report.traces === 0) {
    out.push('', w.text('No spans in this run. Point the services at the receiver (OTEL_EXPORTER_OTLP_ENDPOINT) or check that it ran.'));
    return out.join('\n') + '\n';
  }
  out.push(...tableSections(report, w));
  if (report.failedRequestsTotal) {
    out.push('', c.bold(`Failed requests (${report.failedRequests.length} of ${report.failedRequestsTotal})`));
    for (const r of report.failedRequests) {
      out.push(`  ${r.name} -> ${r.status || r.error || 'no response'}  ${w.id(r.traceId, r.t)}${r.traceArrived ? '' : c.dim(' (no spans arrived)')}`);
    }
  }
  if (links.size) {
    // links are never wrapped: a terminal must be able to open them
    out.push('', c.bold(`Open in Grafana (Tempo data source "${options.tempoDatasource ?? 'tempo'}")`));
    for (const [traceId, link] of links) out.push(`  ${traceId}  ${link}`);
  }
  return out.join('\n') + '\n';
}

/** Completeness and broken propagation, under the title. */
function propagationLines(report: TraceRunReport, w: Writer): string[] {
  const out: string[] = [];
  if (report.completeness) {
    const k = report.completeness;
    const reasons = Object.entries(k.reasons).map(([r, n]) => `${r} ${n}`).join(', ');
    out.push(w.text(`tracing completeness: ${k.complete}/${k.sent} requests (${(k.ratio * 100).toFixed(1)} %)${reasons ? ` — incomplete: ${reasons}` : ''}`));
  }
  if (report.problems.length) {
    const counts = new Map<string, number>();
    for (const p of report.problems) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
    out.push(w.text(`propagation problems: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`, w.c.yellow));
    for (const p of report.problems.slice(0, 5)) out.push(w.text(`  ${p.kind} ${p.service} "${p.name}" in ${w.id(p.traceId)}: ${p.detail}`));
  }
  return out;
}

/** The slowest traces, errors by service and the critical path of the slowest checkout, as tables. */
function tableSections(report: TraceRunReport, w: Writer): string[] {
  const { c } = w;
  const red = (n: number): TableCell => (n ? { text: String(n), style: c.red } : 0);
  const out = ['', c.bold('Slowest traces')];
  const slowest = report.slowest.map((t) => [w.id(t.traceId, t.startMs), `${t.service} ${t.root}`, `${t.durationMs.toFixed(1)} ms`, t.spans, red(t.errors)]);
  out.push(w.table(['trace', 'entry', 'duration', 'spans', 'errors'], slowest, [undefined, undefined, 'right', 'right', 'right']));
  out.push('', c.bold('Errors by service'));
  if (!report.errors.length) out.push('no span has an error status');
  else {
    const rows = report.errors.map((e) => [e.service, red(e.errors), e.spans, e.top.map((t) => `${truncate(t.what, WHAT_CHARS)} (${t.count})`).join('; ')]);
    out.push(w.table(['service', 'error spans', 'of spans', 'most frequent'], rows, [undefined, 'right', 'right']));
  }
  const handled = report.handled ?? [];
  if (handled.length) {
    out.push(w.text(`not counted: CLIENT spans marked ERROR for a 4xx answer their caller did not fail on (${handled.map((h) => `${h.service} ${h.handled}`).join(', ')})`, c.dim));
  }
  if (report.slowestCheckout) {
    const { trace, path } = report.slowestCheckout;
    out.push('', w.text(`Critical path of the slowest checkout (${trace.durationMs.toFixed(1)} ms, ${w.id(trace.traceId, trace.startMs)})`, c.bold));
    const rows = path.map((s) => [s.service, s.name, s.kind, `${s.durationMs.toFixed(1)} ms`, `${s.selfMs.toFixed(1)} ms`]);
    out.push(w.table(['service', 'span', 'kind', 'duration', 'self on path'], rows, [undefined, undefined, undefined, 'right', 'right']));
  }
  return out;
}
