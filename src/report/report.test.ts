import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureRunData, writeFixtureRun } from '../../test/support/fixture-run.js';
import { loadBudgets } from '../budgets/load.js';
import type { CheckResult } from '../run/records.js';
import { loadBaseline } from '../verify/baseline-file.js';
import { verdictOf } from '../verify/index.js';
import { judgeRun } from '../verify/judge-run.js';
import { runSeries } from './chart-series.js';
import { headlineFigures, peakWindowMs } from './headline.js';
import { reporterRegistry, renderVerdictTable, useColor, writeReports, type ReportJson } from './index.js';
import { githubAnnotations } from './github-annotations.js';
import { renderJunit } from './junit.js';
import { tableCells } from '../../test/support/table-cells.js';

// CI sets it: fixture summaries must not land in the real job summary
delete process.env.GITHUB_STEP_SUMMARY;
const base = mkdtempSync(join(tmpdir(), 'peakready-report-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const budgets = loadBudgets();

function reportOf(name: string, breaks: Parameters<typeof writeFixtureRun>[1] = [], stepSummary?: string) {
  const run = writeFixtureRun(join(base, name), breaks);
  const { data, judged } = judgeRun(run, budgets);
  return { run, judged, ...writeReports(run, data, judged, { ...(stepSummary ? { stepSummary } : {}) }) };
}

describe('the reports of an interrupted run', () => {
  const run = writeFixtureRun(join(base, 'interrupted'));
  const t = run.timeline().find((e) => e.type === 'phase' && e.phase === 'surge' && e.state === 'start')!.t + 10_000;
  run.appendTimeline({ t, type: 'interrupted', cause: 'SIGINT', step: 'load', phases: ['surge'], loadElapsedMs: 30_000 });
  const { data, judged } = judgeRun(run, budgets);
  const written = writeReports(run, data, judged);
  const text = (name: string) => readFileSync(join(run.root, name), 'utf8');

  it('say INTERRUPTED with the cause, step, phase and time in every format, and never read green in CI', () => {
    const when = new Date(t).toISOString();
    expect(written.report).toMatchObject({ verdict: 'interrupted', interrupted: { cause: 'SIGINT', step: 'load', t } });
    expect(written.report.run.end).toBe(when);
    expect(renderVerdictTable(judged, { color: false })).toContain(`VERDICT: INTERRUPTED (stopped by SIGINT during the load (phase surge, 30 s into it) at ${when}`);
    expect(text('summary.md')).toContain(`## peakready: ⏹️ INTERRUPTED (stopped by SIGINT during the load (phase surge, 30 s into it) at ${when}`);
    expect(text('report.html')).toContain('INTERRUPTED</span>');
    const junit = text('junit.xml');
    expect(junit).toContain('<testcase classname="peakready.run" name="run completed" time="0">');
    expect(junit).toMatch(/<error message="stopped by SIGINT[^"]*" type="interrupted">/);
  });
});

describe('report files', () => {
  const summaryFile = join(base, 'step-summary.md');
  writeFileSync(summaryFile, '# earlier step\n');
  const good = reportOf('good', [], summaryFile);
  const bad = reportOf('bad', ['lost-order', 'bad-minute'], summaryFile);

  it('writes every registered format into the run directory, rendering the judge\'s verdict', () => {
    expect(good.report.verdict).toBe('pass');
    expect(bad.report.verdict).toBe('fail');
    expect(good.files.map((f) => f.slice(good.run.root.length + 1))).toEqual(['report.json', 'junit.xml', 'summary.md', 'report.html']);
    expect(Object.keys(reporterRegistry)).toEqual(['report.json', 'junit.xml', 'summary.md', 'report.html']);
  });

  it('never changes the judgement it renders', () => {
    const run = writeFixtureRun(join(base, 'untouched'), ['lost-order']);
    const { data, judged } = judgeRun(run, budgets);
    const before = structuredClone(judged);
    writeReports(run, data, judged, { budgets });
    expect(judged).toEqual(before);
  });

  it('report.json holds checks, figures per route, the k6-shaped summary and run info', () => {
    const json = JSON.parse(readFileSync(good.run.path('reportJson'), 'utf8')) as ReportJson;
    expect(json).toMatchObject({ version: 1, verdict: 'pass', run: { id: 'good', durationMs: 80_000, config: { profile: 'smoke' } } });
    expect(json.checks.map((c) => c.id)).toEqual(['budgets', 'tracing', 'scale-out', 'isolation', 'integrity', 'cleanup', 'rig']);
    expect(json.figures.routes.map((r) => [r.name, r.requests])).toEqual([['checkout', 400], ['product', 400]]);
    expect(json.figures.total.rps).toBe(10);
    expect(json.figures.routes[0]!.p95).toBeGreaterThan(40);
    expect(json.summary).toMatchObject({ metrics: { http_reqs: { type: 'counter', values: { count: 800 } } } });
    // what a later --baseline ranks against: each route's latencies, one line per route
    expect(json.latencySamples.size).toBe(2000);
    expect(json.latencySamples.routes['checkout']).toHaveLength(400);
    expect(readFileSync(good.run.path('reportJson'), 'utf8')).toMatch(/\n {6}"checkout": \[\d+(\.\d+)?(,\d+(\.\d+)?){399}\],\n/);
    const failed = JSON.parse(readFileSync(bad.run.path('reportJson'), 'utf8')) as ReportJson;
    expect(failed.checks.find((c) => c.id === 'integrity')!.reason).toContain('acknowledged orders stored');
  });

  it('junit.xml has a testcase per detail (each threshold), or per check without details; each failure counted once', () => {
    const xml = readFileSync(bad.run.path('junit'), 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    const testcases = xml.match(/<testcase /g)!.length;
    const checks = JSON.parse(readFileSync(bad.run.path('checks'), 'utf8')) as CheckResult[];
    expect(testcases).toBe(checks.reduce((n, c) => n + Math.max(1, c.details.length), 0));
    expect(xml).toContain('name="Performance budgets: http_req_duration{name:checkout} p(95)&lt;1500 over 30s"');
    // one failed item (acknowledged orders stored), counted once: before, its check counted it again
    expect(xml).toMatch(/<testsuite name="integrity" tests="5" failures="1"/);
    expect(xml.match(/<testsuite /g)!.length).toBe(7);
    // the totals count each failed item once: the failed details, not their check besides
    const failedItems = checks.reduce((n, c) => n + c.details.filter((d) => d.status === 'fail').length, 0);
    expect(xml).toMatch(new RegExp(`<testsuites [^>]*failures="${failedItems}"`));
    expect(xml).not.toContain('name="Data integrity"');
  });

  it('junit keeps a check as its own testcase when no detail carries its failure', () => {
    const xml = renderJunit([{ id: 'x', title: 'X', status: 'fail', figure: '1', limit: '0', reason: 'broken', details: [{ name: 'a', status: 'pass', figure: '1', limit: '1' }] }], 'r');
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toMatch(/<testsuites [^>]*tests="2" failures="1"/);
  });

  it('junit escapes what XML cannot hold', () => {
    const xml = renderJunit([{ id: 'x', title: 'A "quoted" <tag> & \u0001 bell', status: 'fail', figure: '1 < 2', limit: '>', details: [], reason: 'line\nbreak' }], 'r&d');
    expect(xml).toContain('name="A &quot;quoted&quot; &lt;tag&gt; &amp;  bell"');
    expect(xml).toContain('message="1 &lt; 2 (limit &gt;): line&#10;break"');
    expect(xml).not.toContain('\u0001');
  });

  it('summary.md shows the verdict, failures with evidence and routes, and is appended to $GITHUB_STEP_SUMMARY', () => {
    const md = readFileSync(bad.run.path('summaryMd'), 'utf8');
    expect(md).toMatch(/^## peakready: ❌ FAIL \(2 of 6 checks\)/);
    expect(md).toContain('| Data integrity | 10 violations, 400 orders | 0 violations | ❌ fail |');
    expect(md).toContain('<details open><summary>❌ Data integrity');
    // raw Markdown reads as written: comparison signs are not escaped, only what could open a tag
    expect(md).toContain('| 10 violations, 400 orders | 0 violations |');
    expect(md).toContain('p(95)<1500 over 30s');
    expect(md).not.toMatch(/&gt;|&lt;=|&lt;\d/);
    // failed rows first in a check's details
    const integrity = md.slice(md.indexOf('<summary>❌ Data integrity'));
    expect(integrity.split('\n').find((l) => l.startsWith('| ✅') || l.startsWith('| ❌'))).toMatch(/^\| ❌/);
    expect(md).toMatch(/\| checkout \| 400 \| 0\.00% \| 5\.0 \|/);
    const step = readFileSync(summaryFile, 'utf8');
    expect(step.startsWith('# earlier step\n## peakready: ✅ PASS')).toBe(true);
    expect(step).toContain('## peakready: ❌ FAIL');
  });
});

describe('chart data', () => {
  it('buckets the run, shades the outage and puts the routes the budgets name first', () => {
    const { requests, timeline, span } = fixtureRunData();
    const series = runSeries(requests, timeline, span, { first: ['product'], limits: [{ route: 'checkout', label: 'p(95)<800', value: 800 }] });
    expect(series.bucketSeconds).toBe(1);
    expect(series.t).toHaveLength(80);
    expect(series.rps.every((r) => r === 10)).toBe(true);
    expect(series.faults).toEqual([{ start: 30, end: 45 }]);
    expect(series.phases.map((p) => p.name)).toEqual(['baseline', 'surge', 'cooldown']);
    expect(series.latency.map((l) => l.route)).toEqual(['product', 'checkout']);
    expect(series.latency.map((l) => l.limits.length)).toEqual([0, 1]);
    expect(series.replicas).toEqual([{ service: 'catalog', values: expect.arrayContaining([1, 3]) }]);
    expect(series.replicas[0]!.values[24]).toBe(1);
    expect(series.replicas[0]!.values[25]).toBe(3);
  });
});

describe('headline figures', () => {
  it('the busiest window with its p95, the intended peak, errors, faults, profile and time compression', () => {
    const data = fixtureRunData();
    const h = headlineFigures({ ...data, config: { ...data.config, intendedPeak: { iterationsPerSecond: 12, scenario: 'surge' }, defects: ['no-scale'] } });
    // 10 requests a second all along: the busiest 8 s (a tenth of the run) holds 80 of them
    expect(h.peak).toMatchObject({ rps: 10, requests: 80 });
    expect(h.peak!.to - h.peak!.from).toBe(8);
    expect(h.peak!.p95Ms).toBeGreaterThan(0);
    expect(h.intended).toEqual({ iterationsPerSecond: 12, scenario: 'surge' });
    expect(h.faults).toEqual([{ proxy: 'recommendations', what: 'down', at: 30, seconds: 15 }]);
    expect(h).toMatchObject({ profile: 'smoke', timeScale: 0.1, defects: ['no-scale'], requests: 800, errorRate: 0 });
    expect(peakWindowMs(3_600_000)).toBe(30_000);
    expect(peakWindowMs(20_000)).toBe(5_000);
  });
});

describe('terminal verdict table', () => {
  const checks: CheckResult[] = [
    { id: 'budgets', title: 'Performance budgets', status: 'pass', figure: '4/4 met', limit: 'all met', details: [] },
    { id: 'integrity', title: 'Data integrity', status: 'fail', figure: '3 violations', limit: '0 violations', details: [], reason: 'lost: ord-1' },
    { id: 'cleanup', title: 'Clean-up', status: 'skip', figure: '-', limit: '-', details: [], reason: 'no cleanup.json' },
  ];
  it('prints each check with figure, limit and result, without colour when told', () => {
    const text = renderVerdictTable({ checks, verdict: verdictOf(checks) }, { color: false });
    expect(text).not.toContain("\u001b[");
    expect(text).toMatch(/│ Data integrity\s+│ 3 violations\s+│ 0 violations\s+│ FAIL\s+│/);
    expect(text).toContain('VERDICT: FAIL (1 of 3 checks failed)');
    expect(text).toContain('✗ Data integrity: 3 violations (limit 0 violations); lost: ord-1');
    expect(text).toContain('- Clean-up: skipped, no cleanup.json');
  });

  it('on FAIL lists every failed item with its figure and limit, not only the first', () => {
    const budgets: CheckResult = {
      id: 'budgets',
      title: 'Performance budgets',
      status: 'fail',
      figure: '5/10 met',
      limit: 'all met',
      reason: 'http_req_failed rate<0.02: rate=2.59% (limit rate<0.02)',
      details: [
        ...['http_req_failed rate<0.02', 'http_req_duration{name:checkout} p(95)<800', 'http_req_duration{name:product} p(95)<800', 'http_req_duration{name:search} p(95)<800', 'http_req_failed{name:checkout} rate<0.01'].map((name, i) => ({ name, status: 'fail' as const, figure: `figure-${i}`, limit: `limit-${i}` })),
        { name: 'http_req_duration{name:cart} p(95)<800', status: 'pass', figure: 'p(95)=10ms', limit: 'p(95)<800' },
      ],
    };
    const text = renderVerdictTable({ checks: [budgets], verdict: 'fail' }, { color: false, width: 80 });
    expect(text).toContain('VERDICT: FAIL (1 of 1 checks failed, 5 items)');
    for (let i = 0; i < 5; i++) expect(text).toMatch(new RegExp(`- \\S.*: figure-${i} \\(limit limit-${i}\\)`));
    expect(text).not.toContain('cart');
  });

  describe('a judged run at 80 and 120 columns', () => {
    const { judged } = reportOf('wide', ['lost-order', 'bad-minute']);
    for (const width of [80, 120]) {
      it(`fits ${width} columns, every check on its own row with its result`, () => {
        const text = renderVerdictTable(judged, { color: false, width });
        for (const line of text.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(width);
        const rows = tableCells(text.slice(0, text.indexOf('VERDICT')));
        expect(rows[0]).toEqual(['check', 'figure', 'limit', 'result']);
        expect(rows.slice(1).map((r) => [r[0], r[3]])).toEqual(judged.checks.map((c) => [c.title, { pass: 'PASS', fail: 'FAIL', skip: 'SKIP', inconclusive: 'INCONCL' }[c.status]]));
        for (const c of judged.checks.filter((x) => x.status === 'fail')) {
          for (const d of c.details.filter((x) => x.status === 'fail')) expect(text.replace(/\s+/g, ' ')).toContain(`- ${d.name}: ${d.figure} (limit ${d.limit})`);
        }
      });
    }
  });
  it('fails a run where every check skipped: nothing was judged', () => {
    const skips = checks.map((c) => ({ ...c, status: 'skip' as const }));
    expect(renderVerdictTable({ checks: skips, verdict: verdictOf(skips) }, { color: false })).toContain('VERDICT: FAIL (nothing was judged: every check skipped)');
    expect(verdictOf(skips)).toBe('fail');
    expect(verdictOf([checks[0]!, checks[2]!])).toBe('pass');
  });
  it('colours when asked', () => {
    expect(renderVerdictTable({ checks, verdict: 'fail' }, { color: true })).toContain('\u001b[31m');
  });
  it('respects NO_COLOR and non-TTY output', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });
});

describe('a run compared with a baseline', () => {
  it('report.json and every format show the comparison the judge made; checks.json keeps the run\'s own checks', () => {
    const earlier = reportOf('earlier');
    const file = join(base, 'baseline.json');
    writeFileSync(file, readFileSync(earlier.run.path('reportJson'), 'utf8'));
    const run = writeFixtureRun(join(base, 'gated'), ['checkout-slow-in-outage']);
    const { data, judged } = judgeRun(run, budgets, { baseline: loadBaseline(file) });
    writeReports(run, data, judged, { budgets });
    const json = JSON.parse(readFileSync(run.path('reportJson'), 'utf8')) as ReportJson;
    expect(json).toMatchObject({ verdict: 'fail', baseline: { file, status: 'fail', tolerance: budgets.baseline } });
    expect(json.checks.at(-1)).toMatchObject({ id: 'baseline', status: 'fail' });
    expect(readFileSync(run.path('summaryMd'), 'utf8')).toContain('| Baseline comparison | 1 regressions |');
    expect(readFileSync(run.path('junit'), 'utf8')).toContain('<testsuite name="baseline"');
    const checks = JSON.parse(readFileSync(run.path('checks'), 'utf8')) as CheckResult[];
    expect(checks.map((c) => c.id)).toEqual(['budgets', 'tracing', 'scale-out', 'isolation', 'integrity', 'cleanup', 'rig']);
  });
});

describe('GitHub Actions annotations', () => {
  it('one ::error per failed item with its figure and limit, escaped as the runner reads commands', () => {
    const checks: CheckResult[] = [
      { id: 'budgets', title: 'Performance budgets', status: 'fail', figure: '8/10 met', limit: 'all met', details: [
        { name: 'http_req_failed rate<0.02', status: 'fail', figure: 'rate=2.59%', limit: 'rate<0.02', note: '4099 requests' },
        { name: 'http_req_duration{name:checkout} p(95)<800', status: 'fail', figure: 'p(95)=912ms', limit: 'p(95)<800' },
        { name: 'http_req_duration{name:search} p(95)<800', status: 'pass', figure: 'p(95)=53ms', limit: 'p(95)<800' },
      ] },
      { id: 'integrity', title: 'Data integrity', status: 'fail', figure: '3 violations', limit: '0 violations', details: [], reason: 'lost:\nord-1' },
      { id: 'rig', title: 'Test rig', status: 'inconclusive', figure: 'saturated', limit: 'not saturated', details: [{ name: 'rig not saturated', status: 'inconclusive', figure: 'cpu 99%', limit: '< 90%' }] },
      { id: 'cleanup', title: 'Clean-up', status: 'pass', figure: '0 left', limit: '0 left', details: [] },
    ];
    expect(githubAnnotations(checks)).toEqual([
      '::error title=peakready Performance budgets::http_req_failed rate<0.02: rate=2.59%25 (limit rate<0.02); 4099 requests',
      '::error title=peakready Performance budgets::http_req_duration{name:checkout} p(95)<800: p(95)=912ms (limit p(95)<800)',
      '::error title=peakready Data integrity::Data integrity: 3 violations (limit 0 violations); lost:%0Aord-1',
      '::warning title=peakready Test rig (inconclusive)::rig not saturated: cpu 99%25 (limit < 90%25)',
    ]);
  });
});
