import chalk, { Chalk } from 'chalk';
import Table from 'cli-table3';
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
  return {
    runId: run.id,
    spans: spans.length,
    traces: traces.length,
    slowest: slowestTraces(traces, limit),
    errors: errorsByService(traces).filter((e) => e.errors > 0),
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
}

export function formatTraceReport(report: TraceRunReport, options: FormatOptions = {}): string {
  const c = new Chalk({ level: options.color === false ? 0 : chalk.level });
  // tables show trace ids; with a Grafana URL each id's Explore link is listed at the end
  const links = new Map<string, string>();
  const id = (traceId: string, startMs?: number) => {
    if (options.grafanaUrl && !links.has(traceId)) {
      const range = startMs !== undefined ? { from: startMs - 60_000, to: startMs + 60_000 } : undefined;
      links.set(traceId, grafanaTraceLink(options.grafanaUrl, traceId, options.tempoDatasource ?? 'tempo', range));
    }
    return traceId;
  };
  const table = (head: string[]) => new Table({ head: head.map((h) => c.bold(h)), style: { head: [], border: [] }, wordWrap: false });
  const out: string[] = [];
  out.push(c.bold(`Traces of run ${report.runId}: ${report.spans} spans in ${report.traces} traces`));
  if (report.completeness) {
    const k = report.completeness;
    const reasons = Object.entries(k.reasons).map(([r, n]) => `${r} ${n}`).join(', ');
    out.push(`tracing completeness: ${k.complete}/${k.sent} requests (${(k.ratio * 100).toFixed(1)} %)${reasons ? ` — incomplete: ${reasons}` : ''}`);
  }
  if (report.problems.length) {
    const counts = new Map<string, number>();
    for (const p of report.problems) counts.set(p.kind, (counts.get(p.kind) ?? 0) + 1);
    out.push(c.yellow(`propagation problems: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ')}`));
    for (const p of report.problems.slice(0, 5)) out.push(`  ${p.kind} ${p.service} "${p.name}" in ${id(p.traceId)}: ${p.detail}`);
  }
  if (report.traces === 0) {
    out.push('', 'No spans in this run. Point the services at the receiver (OTEL_EXPORTER_OTLP_ENDPOINT) or check that it ran.');
    return out.join('\n') + '\n';
  }
  out.push('', c.bold('Slowest traces'));
  const slow = table(['trace', 'entry', 'duration', 'spans', 'errors']);
  for (const t of report.slowest) slow.push([id(t.traceId, t.startMs), `${t.service} ${t.root}`, `${t.durationMs.toFixed(1)} ms`, t.spans, t.errors ? c.red(t.errors) : 0]);
  out.push(slow.toString());
  out.push('', c.bold('Errors by service'));
  if (!report.errors.length) out.push('no span has an error status');
  else {
    const errors = table(['service', 'error spans', 'of spans', 'most frequent']);
    for (const e of report.errors) errors.push([e.service, c.red(e.errors), e.spans, e.top.map((t) => `${t.what} (${t.count})`).join('; ')]);
    out.push(errors.toString());
  }
  if (report.slowestCheckout) {
    const { trace, path } = report.slowestCheckout;
    out.push('', c.bold(`Critical path of the slowest checkout (${trace.durationMs.toFixed(1)} ms, ${id(trace.traceId, trace.startMs)})`));
    const cp = table(['service', 'span', 'kind', 'duration', 'self on path']);
    for (const s of path) cp.push([s.service, s.name, s.kind, `${s.durationMs.toFixed(1)} ms`, `${s.selfMs.toFixed(1)} ms`]);
    out.push(cp.toString());
  }
  if (report.failedRequestsTotal) {
    out.push('', c.bold(`Failed requests (${report.failedRequests.length} of ${report.failedRequestsTotal})`));
    for (const r of report.failedRequests) {
      out.push(`  ${r.name} -> ${r.status || r.error || 'no response'}  ${id(r.traceId, r.t)}${r.traceArrived ? '' : c.dim(' (no spans arrived)')}`);
    }
  }
  if (links.size) {
    out.push('', c.bold(`Open in Grafana (Tempo data source "${options.tempoDatasource ?? 'tempo'}")`));
    for (const [traceId, link] of links) out.push(`  ${traceId}  ${link}`);
  }
  return out.join('\n') + '\n';
}
