import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBudgets } from '../budgets/load.js';
import { UsageError } from '../errors.js';
import type { CheckResult } from '../run/records.js';
import { writeFixtureRun } from '../verify/fixture-run.js';
import { runChecks, verdictOf } from '../verify/index.js';
import { compareWithBaseline, renderVerdictTable, useColor, writeReports, type ReportJson } from './index.js';
import { renderJunit } from './junit.js';
import { runSeries } from './run-figures.js';
import { readRunData } from '../verify/run-data.js';

// CI sets it: fixture summaries must not land in the real job summary
delete process.env.GITHUB_STEP_SUMMARY;
const base = mkdtempSync(join(tmpdir(), 'peakready-report-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const budgets = loadBudgets();

function reportOf(name: string, breaks: Parameters<typeof writeFixtureRun>[1] = [], stepSummary?: string) {
  const run = writeFixtureRun(join(base, name), breaks);
  const checks = runChecks(run, budgets);
  return { run, ...writeReports(run, { checks, ...(stepSummary ? { stepSummary } : {}) }) };
}

describe('report files', () => {
  const summaryFile = join(base, 'step-summary.md');
  writeFileSync(summaryFile, '# earlier step\n');
  const good = reportOf('good', [], summaryFile);
  const bad = reportOf('bad', ['lost-order', 'bad-minute'], summaryFile);

  it('writes every format into the run directory and returns the verdict', () => {
    expect(good.verdict).toBe('pass');
    expect(bad.verdict).toBe('fail');
    expect(good.files.map((f) => f.slice(good.run.root.length + 1))).toEqual(['report.json', 'junit.xml', 'summary.md', 'report.html']);
  });

  it('report.json holds checks, figures per route, the k6-shaped summary and run info', () => {
    const json = JSON.parse(readFileSync(good.run.path('reportJson'), 'utf8')) as ReportJson;
    expect(json).toMatchObject({ version: 1, verdict: 'pass', run: { id: 'good', durationMs: 80_000, config: { profile: 'smoke' } } });
    expect(json.checks.map((c) => c.id)).toEqual(['budgets', 'tracing', 'scale-out', 'isolation', 'integrity', 'cleanup']);
    expect(json.figures.routes.map((r) => [r.name, r.requests])).toEqual([['checkout', 400], ['product', 400]]);
    expect(json.figures.total.rps).toBe(10);
    expect(json.figures.routes[0]!.p95).toBeGreaterThan(40);
    expect(json.summary).toMatchObject({ metrics: { http_reqs: { type: 'counter', values: { count: 800 } } } });
    const failed = JSON.parse(readFileSync(bad.run.path('reportJson'), 'utf8')) as ReportJson;
    expect(failed.checks.find((c) => c.id === 'integrity')!.reason).toContain('acknowledged orders stored');
  });

  it('junit.xml has one testcase per check and per threshold, failures marked', () => {
    const xml = readFileSync(bad.run.path('junit'), 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    const testcases = xml.match(/<testcase /g)!.length;
    const checks = JSON.parse(readFileSync(bad.run.path('checks'), 'utf8')) as CheckResult[];
    expect(testcases).toBe(checks.length + checks.reduce((n, c) => n + c.details.length, 0));
    expect(xml).toContain('name="Performance budgets: http_req_duration{name:checkout} p(95)&lt;1500 over 30s"');
    expect(xml).toMatch(/<testsuite name="integrity" tests="6" failures="2"/);
    expect(xml.match(/<testsuite /g)!.length).toBe(6);
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
    expect(md).toMatch(/\| checkout \| 400 \| 0\.00% \| 5\.0 \|/);
    const step = readFileSync(summaryFile, 'utf8');
    expect(step.startsWith('# earlier step\n## peakready: ✅ PASS')).toBe(true);
    expect(step).toContain('## peakready: ❌ FAIL');
  });
});

describe('chart data', () => {
  it('buckets the run, shades the outage and puts the routes the budgets name first', () => {
    const run = writeFixtureRun(join(base, 'series'));
    const { requests, timeline, span } = readRunData(run);
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

describe('terminal verdict table', () => {
  const checks: CheckResult[] = [
    { id: 'budgets', title: 'Performance budgets', status: 'pass', figure: '4/4 met', limit: 'all met', details: [] },
    { id: 'integrity', title: 'Data integrity', status: 'fail', figure: '3 violations', limit: '0 violations', details: [], reason: 'lost: ord-1' },
    { id: 'cleanup', title: 'Clean-up', status: 'skip', figure: '-', limit: '-', details: [], reason: 'no cleanup.json' },
  ];
  it('prints each check with figure, limit and result, without colour when told', () => {
    const text = renderVerdictTable(checks, { color: false });
    expect(text).not.toContain("\u001b[");
    expect(text).toMatch(/│ Data integrity\s+│ 3 violations\s+│ 0 violations\s+│ FAIL\s+│/);
    expect(text).toContain('VERDICT: FAIL (1 of 3 checks failed)');
    expect(text).toContain('✗ Data integrity: lost: ord-1');
    expect(text).toContain('- Clean-up: skipped, no cleanup.json');
  });
  it('fails a run where every check skipped: nothing was judged', () => {
    const skips = checks.map((c) => ({ ...c, status: 'skip' as const }));
    expect(renderVerdictTable(skips, { color: false })).toContain('VERDICT: FAIL (nothing was judged: every check skipped)');
    expect(verdictOf(skips)).toBe('fail');
    expect(verdictOf([checks[0]!, checks[2]!])).toBe('pass');
  });
  it('colours when asked', () => {
    expect(renderVerdictTable(checks, { color: true })).toContain('\u001b[31m');
  });
  it('respects NO_COLOR and non-TTY output', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });
});

describe('baseline comparison', () => {
  const earlier = reportOf('earlier').report;
  const tolerance = budgets.baseline;
  it('passes against itself', () => {
    expect(compareWithBaseline(earlier, earlier, tolerance)).toMatchObject({ id: 'baseline', status: 'pass', figure: 'no regression' });
  });
  it('fails on a p95 regression beyond the tolerance and names the route', () => {
    const slower = reportOf('slower', ['bad-minute']).report;
    const result = compareWithBaseline(slower, earlier, tolerance);
    expect(result.status).toBe('fail');
    expect(result.details.find((d) => d.name === 'p95 checkout')).toMatchObject({ status: 'fail', note: expect.stringMatching(/^baseline \d+(\.\d)?ms \(\+\d+/) });
    expect(result.details.find((d) => d.name === 'p95 product')!.status).toBe('pass');
  });
  it('fails on lower throughput and more errors', () => {
    const worse: ReportJson = structuredClone(earlier);
    worse.figures.total.rps = earlier.figures.total.rps * 0.8;
    worse.figures.total.errorRate = 0.05;
    const result = compareWithBaseline(worse, earlier, tolerance);
    expect(result.details.filter((d) => d.status === 'fail').map((d) => d.name)).toEqual(['error rate', 'throughput']);
  });
  it('writeReports adds the comparison as a check that gates the verdict', () => {
    const file = join(base, 'baseline.json');
    writeFileSync(file, JSON.stringify(earlier));
    const run = writeFixtureRun(join(base, 'gated'), ['bad-minute']);
    const withoutBudgetFailure = runChecks(run, budgets).map((c) => (c.id === 'budgets' ? { ...c, status: 'pass' as const } : c));
    const out = writeReports(run, { checks: withoutBudgetFailure, baseline: { file, tolerance } });
    expect(out.verdict).toBe('fail');
    expect(out.checks.at(-1)).toMatchObject({ id: 'baseline', status: 'fail' });
    expect(JSON.parse(readFileSync(run.path('reportJson'), 'utf8'))).toMatchObject({ verdict: 'fail', baseline: { file, status: 'fail', tolerance } });
    // the drill's form: a file name, tolerances from the budgets it judged with
    const generous = { ...budgets, baseline: { ...tolerance, p95Increase: 100 } };
    expect(writeReports(run, { checks: withoutBudgetFailure, baseline: file, budgets: generous }).checks.at(-1)).toMatchObject({ id: 'baseline', status: 'pass' });
  });
  it('rejects a file that is not a report.json, naming the field', () => {
    expect(() => compareWithBaseline(earlier, { version: 1, figures: { total: {} } }, tolerance, 'old.json')).toThrow(UsageError);
    expect(() => compareWithBaseline(earlier, { version: 1 }, tolerance, 'old.json')).toThrow(/--baseline old\.json: not a peakready report\.json \(figures: /);
  });
});
