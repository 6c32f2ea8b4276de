import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CheckResult } from '../run/records.js';
import { describeInterruption } from '../run/timeline.js';
import { grafanaTraceLink } from '../telemetry/traces/index.js';
import { chartSeries, notableTraces, type RunSeries } from './chart-series.js';
import { HTML_CLIENT_SCRIPT } from './html-client.js';
import type { ReportJson } from './report-json.js';
import type { ReportInput } from './reporter.js';

type Notable = Array<{ traceId: string; name: string; status: number; duration: number; t: number; error?: string }>;

export interface HtmlInput {
  report: ReportJson;
  series: RunSeries;
  traces: { slowest: Notable; failed: Notable };
  grafanaUrl?: string;
  /** the Tempo data source uid in that Grafana (default "tempo") */
  tempoDatasource?: string;
}

const require = createRequire(import.meta.url);

/** The report.html reporter: the charts' series and the notable traces from the run's data. */
export function htmlReport(input: ReportInput): string {
  return renderHtml({
    report: input.report,
    series: chartSeries(input.data, input.budgets?.thresholds ?? []),
    traces: notableTraces(input.data.requests),
    ...(input.grafanaUrl ? { grafanaUrl: input.grafanaUrl } : {}),
    ...(input.tempoDatasource ? { tempoDatasource: input.tempoDatasource } : {}),
  });
}

/** uPlot's browser build and stylesheet, read from node_modules at render time and inlined. */
function uplotAssets(): { js: string; css: string } {
  return {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

/**
 * report.html: ONE self-contained file (its CSP forbids every network fetch): the verdict, the
 * checks, charts of requests/s, error rate, p50/p95/p99 per route and replicas per service with
 * fault windows shaded, and the slowest and failed trace ids (linked to Grafana when configured).
 */
export function renderHtml(input: HtmlInput): string {
  const { report } = input;
  const { js, css } = uplotAssets();
  const verdict = {
    pass: '<span class="pass">PASS</span>',
    fail: '<span class="fail">FAIL</span>',
    inconclusive: '<span class="inconclusive">INCONCLUSIVE</span>',
    interrupted: '<span class="skip">INTERRUPTED</span>',
  }[report.verdict];
  const interrupted = report.interrupted ? `<p><strong>Interrupted:</strong> ${esc(describeInterruption(report.interrupted))}. The checks and charts cover only what was measured until then.</p>\n` : '';
  const embedded = JSON.stringify({ series: input.series }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>peakready ${esc(report.verdict.toUpperCase())}: ${esc(report.run.id)}</title>
<style>${css}
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1140px;color:#222;padding:0 12px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0;width:100%}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:700}.skip{color:#9a6700}.inconclusive{color:#8250df;font-weight:700}
.num{text-align:right;font-variant-numeric:tabular-nums}.detail td{font-size:12px;color:#444}.chart{margin:12px 0}
code{font-size:12px}.legend{font-size:12px;color:#666}
</style>
</head>
<body>
<h1>peakready: ${verdict}</h1>
${interrupted}<p>Run <code>${esc(report.run.id)}</code> from ${esc(report.run.start)} for ${Math.round(report.run.durationMs / 1000)} s, ${report.figures.total.requests} requests, ${(report.figures.total.errorRate * 100).toFixed(2)} % failed.</p>
<h2>Checks</h2>
${checksTable(report.checks)}
<h2>Charts</h2>
<p class="legend">Shaded: fault windows (${input.series.faults.map((f) => `${f.start}–${f.end} s`).join(', ') || 'none'}). Phases: ${input.series.phases.map((p) => `${esc(p.name)} ${p.start}–${p.end} s`).join(', ') || 'none'}. One point per ${input.series.bucketSeconds} s.</p>
<div id="charts"></div>
<h2>Routes</h2>
${routesTable(report)}
<h2>Slowest traces</h2>
${tracesTable(input.traces.slowest, input)}
<h2>Failed traces</h2>
${tracesTable(input.traces.failed, input)}
<script type="application/json" id="peakready-data">${embedded}</script>
<script>${js.replace(/<\/script/gi, '<\\/script')}</script>
<script>${HTML_CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

function checksTable(checks: readonly CheckResult[]): string {
  const rows = checks.flatMap((c) => [
    `<tr><td>${esc(c.title)}</td><td>${esc(c.figure)}</td><td>${esc(c.limit)}</td><td class="${c.status}">${c.status.toUpperCase()}</td><td>${esc(c.reason ?? '')}</td></tr>`,
    ...c.details.map((d) => `<tr class="detail"><td>&nbsp;&nbsp;${esc(d.name)}</td><td>${esc(d.figure)}</td><td>${esc(d.limit)}</td><td class="${d.status}">${d.status}</td><td>${esc(d.note ?? '')}</td></tr>`),
  ]);
  return `<table><tr><th>check</th><th>figure</th><th>limit</th><th>result</th><th>evidence</th></tr>${rows.join('')}</table>`;
}

function routesTable(report: ReportJson): string {
  const rows = [...report.figures.routes, report.figures.total].map(
    (r) =>
      `<tr><td>${esc(r.name)}</td><td class="num">${r.requests}</td><td class="num">${(r.errorRate * 100).toFixed(2)} %</td><td class="num">${r.rps.toFixed(1)}</td><td class="num">${r.p50.toFixed(1)}</td><td class="num">${r.p95.toFixed(1)}</td><td class="num">${r.p99.toFixed(1)}</td></tr>`,
  );
  return `<table><tr><th>route (k6 name)</th><th>requests</th><th>errors</th><th>req/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th></tr>${rows.join('')}</table>`;
}

function tracesTable(traces: Notable, grafana: Pick<HtmlInput, 'grafanaUrl' | 'tempoDatasource'>): string {
  if (!traces.length) return '<p>none</p>';
  const rows = traces.map((t) => {
    // a window around the request, so Grafana finds the trace without searching all of Tempo
    const range = { from: t.t - 5 * 60_000, to: t.t + 5 * 60_000 };
    const link = grafana.grafanaUrl ? grafanaTraceLink(grafana.grafanaUrl, t.traceId, grafana.tempoDatasource ?? 'tempo', range) : undefined;
    const id = link ? `<a href="${esc(link)}" target="_blank" rel="noopener">${esc(t.traceId)}</a>` : esc(t.traceId);
    return `<tr><td><code>${id}</code></td><td>${esc(t.name)}</td><td class="num">${t.status}</td><td class="num">${t.duration}</td><td>${esc(new Date(t.t).toISOString())}</td><td>${esc(t.error ?? '')}</td></tr>`;
  });
  return `<table><tr><th>trace id</th><th>request</th><th>status</th><th>ms</th><th>at</th><th>error</th></tr>${rows.join('')}</table>`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
