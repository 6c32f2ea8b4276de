import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { CheckResult } from '../run/records.js';
import { describeInterruption } from '../run/timeline.js';
import { grafanaTraceLink } from '../telemetry/traces/index.js';
import { chartSeries, notableTraces, type RunSeries } from './chart-series.js';
import { foldGroups, shownNote, shownStatus, type ShownStatus } from './detail-status.js';
import { headlineFigures, type HeadlineFigures } from './headline.js';
import { HTML_CLIENT_SCRIPT } from './html-client.js';
import type { ReportJson } from './report-json.js';
import type { ReportInput } from './reporter.js';

type Notable = Array<{ traceId: string; name: string; status: number; duration: number; t: number; error?: string }>;

export interface HtmlInput {
  report: ReportJson;
  headline: HeadlineFigures;
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
    headline: headlineFigures(input.data),
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
 * report.html: ONE self-contained file (its CSP forbids every network fetch). It opens with the
 * headline figures (the peak reached and intended, p95 at the peak, the error rate, the faults, the
 * profile and its time compression), then every failed item, then the charts (requests/s, error
 * rate, p50/p95/p99 per route, replicas per service; fault windows shaded, phases drawn), the
 * checks with failed rows unmistakable, the routes and the slowest and failed trace ids (linked to
 * Grafana when configured).
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
${STYLE}
</style>
</head>
<body>
<h1>peakready: ${verdict}</h1>
${interrupted}<p>Run <code>${esc(report.run.id)}</code> from ${esc(report.run.start)} for ${Math.round(report.run.durationMs / 1000)} s, ${report.figures.total.requests} requests.</p>
${headlineSection(input.headline)}
${failuresSection(report.checks)}
<h2>Charts</h2>
<p class="legend">Shaded: fault windows (${input.series.faults.map((f) => `${f.start}–${f.end} s`).join(', ') || 'none'}). Dashed verticals: phases (${input.series.phases.map((p) => `${esc(p.name)} ${p.start}–${p.end} s`).join(', ') || 'none'}). One point per ${input.series.bucketSeconds} s.</p>
<div id="charts"></div>
<h2>Checks</h2>
${checksTable(report.checks)}
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

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1140px;color:#222;padding:0 12px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0;width:100%}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:700}.skip{color:#6e7781}.warn{color:#9a6700;font-weight:700}.inconclusive{color:#8250df;font-weight:700}
.num{text-align:right;font-variant-numeric:tabular-nums}.detail td{font-size:12px;color:#444}.detail td:first-child{padding-left:22px}.chart{margin:12px 0}
tr.s-fail td{background:#ffebe9}tr.s-fail td:first-child{box-shadow:inset 4px 0 #cf222e}tr.detail.s-fail td{color:#82071e}
tr.s-warn td{background:#fff8c5}tr.s-warn td:first-child{box-shadow:inset 4px 0 #bf8700}tr.s-inconclusive td{background:#fbefff}
td.status{white-space:nowrap}tr.group td{background:#fafafa;font-size:12px}tr.group summary{cursor:pointer;color:#444}
code{font-size:12px}.legend{font-size:12px;color:#666}
.headline{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}.figure{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:150px;flex:1}
.figure .value{font-size:22px;font-weight:700;font-variant-numeric:tabular-nums}.figure .label{font-size:12px;color:#555}
.failures{border:2px solid #cf222e;border-radius:6px;background:#ffebe9;padding:4px 16px 8px}.failures h2{border:0;color:#82071e;margin:8px 0}
.failures li{margin:4px 0}
tr td.status.pass{color:#1a7f37}tr td.status.fail{color:#cf222e}tr td.status.warn{color:#9a6700}tr td.status.skip{color:#6e7781}tr td.status.inconclusive{color:#8250df}`;

/** The figures a reader wants first, each in its box. */
function headlineSection(h: HeadlineFigures): string {
  const box = (id: string, value: string, label: string) => `<div class="figure" data-figure="${id}"><div class="value">${esc(value)}</div><div class="label">${label}</div></div>`;
  const peak = h.peak;
  const intended = h.intended ? `intended ${fmt(h.intended.iterationsPerSecond)} iterations/s (${esc(h.intended.scenario)})` : 'no arrival-rate target in the script';
  const faults = h.faults.length ? h.faults.map((f) => `${esc(f.proxy)} ${esc(f.what)} at +${Math.round(f.at)} s for ${Math.round(f.seconds)} s`).join('<br>') : 'none';
  const compression = h.timeScale === null ? 'real time' : h.timeScale === 1 ? 'real time (×1)' : `time ×${h.timeScale} (${fmt(1 / h.timeScale)}× faster)`;
  return `<section class="headline" id="headline">
${box('peak', peak ? `${fmt(peak.rps)} req/s` : '-', `peak reached (busiest ${peak ? peak.to - peak.from : 0} s, +${peak?.from ?? 0}–${peak?.to ?? 0} s)<br>${intended}`)}
${box('p95-at-peak', peak && peak.p95Ms !== null ? `${fmt(peak.p95Ms)} ms` : '-', `p95 at the peak (${peak?.requests ?? 0} requests)`)}
${box('error-rate', `${(h.errorRate * 100).toFixed(2)} %`, `error rate (${h.requests} requests)`)}
${box('faults', String(h.faults.length), `faults injected<br>${faults}`)}
${box('profile', h.profile ?? '-', `profile; ${esc(compression)}${h.defects.length ? `<br>seeded defects: ${h.defects.map(esc).join(', ')}` : ''}`)}
</section>`;
}

/** Every failed item (each failed budget and sub-check with its figure and limit), above everything else. */
function failuresSection(checks: readonly CheckResult[]): string {
  const items: string[] = [];
  for (const c of checks) {
    if (c.status !== 'fail') continue;
    const bad = c.details.filter((d) => d.status === 'fail');
    if (!bad.length) items.push(`<li class="fail"><b>${esc(c.title)}</b>: ${esc(c.figure)} (limit ${esc(c.limit)})${c.reason ? `; ${esc(c.reason)}` : ''}</li>`);
    for (const d of bad) items.push(`<li class="fail"><b>${esc(c.title)}</b>: ${esc(d.name)}: ${esc(d.figure)} (limit ${esc(d.limit)})${d.note ? ` <span class="legend">${esc(d.note)}</span>` : ''}</li>`);
  }
  if (!items.length) return '';
  return `<section class="failures" id="failures"><h2>Why it failed: ${items.length} item${items.length === 1 ? '' : 's'}</h2><ul>${items.join('')}</ul></section>`;
}

const MARK: Record<ShownStatus, string> = { pass: '✓ pass', fail: '✗ FAIL', skip: '– skip', warn: '⚠ WARN', inconclusive: '? INCONCLUSIVE' };

/** The checks and their details; a group of details (`group`) is folded into one row that opens. */
function checksTable(checks: readonly CheckResult[]): string {
  const detailRow = (d: CheckResult['details'][number]) => {
    const shown = shownStatus(d);
    return `<tr class="detail s-${shown}"><td>${esc(d.name)}</td><td>${esc(d.figure)}</td><td>${esc(d.limit)}</td><td class="status ${shown}">${MARK[shown]}</td><td>${esc(shownNote(d))}</td></tr>`;
  };
  const rows = checks.flatMap((c) => {
    const { shown, folded } = foldGroups(c.details);
    return [
      `<tr class="check s-${c.status}"><td><b>${esc(c.title)}</b></td><td>${esc(c.figure)}</td><td>${esc(c.limit)}</td><td class="status ${c.status}">${MARK[c.status]}</td><td>${esc(c.reason ?? '')}</td></tr>`,
      ...shown.map(detailRow),
      ...folded.map(
        (g) =>
          `<tr class="group"><td colspan="5"><details><summary>${g.details.length} rows folded: ${g.subjects.length} ${esc(g.label)} (${esc(g.subjects.join(', '))})</summary><table>${g.details.map(detailRow).join('')}</table></details></td></tr>`,
      ),
    ];
  });
  return `<table><tr><th>check</th><th>figure</th><th>limit</th><th>result</th><th>evidence</th></tr>${rows.join('')}</table>`;
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Number(n.toFixed(1)));
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
