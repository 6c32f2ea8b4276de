import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureRunData } from '../../test/support/fixture-run.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadBudgets, parseBudgets } from '../budgets/load.js';
import type { Budgets } from '../budgets/types.js';
import { UsageError } from '../errors.js';
import type { RequestRecord } from '../run/records.js';
import { runDataOf, type RunData } from '../run/run-data.js';
import { checkBaseline } from './baseline.js';
import { assertComparable, loadBaseline, parseBaseline, type Baseline } from './baseline-file.js';
import { judge } from './index.js';
import { latencySamples, runFigures } from './run-figures.js';
import { loadTraceRulesFor } from './trace-rules-file.js';

const budgets = loadBudgets();
const healthy = fixtureRunData();

/** an earlier run's report.json, as far as the comparison reads it */
function reportOf(data: RunData, withSamples = true): unknown {
  return {
    version: 1,
    verdict: 'pass',
    run: { id: 'earlier', config: data.config ?? null },
    figures: runFigures(data.requests, data.span),
    ...(withSamples ? { latencySamples: { size: 2000, routes: latencySamples(data.requests) } } : {}),
  };
}
const earlierReport = reportOf(healthy);
const earlier = parseBaseline(earlierReport, 'earlier.json');

/** a deterministic pseudo-random stream (LCG) */
function stream(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** a one-route run of `n` normal-ish latencies (sum of 12 uniforms), one request every 20 ms */
function runOf(mean: number, sd: number, seed: number, n = 3000): RunData {
  const random = stream(seed);
  const requests = Array.from({ length: n }, (_, i): RequestRecord => {
    let sum = 0;
    for (let k = 0; k < 12; k++) sum += random();
    const duration = Math.max(1, mean + (sum - 6) * sd);
    return { t: 1_000_000 + i * 20, scenario: 'default', name: 'checkout', method: 'POST', status: 201, duration, failed: false };
  });
  return runDataOf({ timeline: [], requests, config: { command: 'drill', name: 'shop', profile: 'smoke' } });
}

const p95Of = (data: RunData) => runFigures(data.requests, data.span).routes[0]!.p95;
const checkoutOf = (result: ReturnType<typeof checkBaseline>) => result.details.find((d) => d.name === 'p95 checkout')!;
const withTolerance = (tolerance: Partial<Budgets['baseline']>): Budgets => ({ ...budgets, baseline: { ...budgets.baseline, ...tolerance } });

describe('the baseline comparison', () => {
  it('passes against itself, and says the two runs played the same', () => {
    const result = checkBaseline(healthy, budgets, { baseline: earlier });
    expect(result).toMatchObject({ id: 'baseline', status: 'pass', figure: 'no regression', limit: 'p95 +25% and +25ms at p < 0.01, errors +1%, rps -15%' });
    expect(result.details[0]).toMatchObject({ name: 'same game day', status: 'pass', note: 'same command "drill", profile "smoke"' });
    expect(checkoutOf(result).note).toMatch(/^baseline \d+(\.\d)?ms \(\+0ms, \+0%\); p=1 \(rank 0\.5, tail 0\.\d+\), P\(slower\)=0\.50, Cliff's delta=\+0\.00, tail 20\/400 -> 20\/400 above .*, n 400\/400: no regression$/);
  });

  it('does not fail on noise: two runs of one distribution', () => {
    const [before, after] = [runOf(20, 4, 1), runOf(20, 4, 2)];
    // a tolerance that the p95s alone would break: only the tests keep the noise from failing
    const strict = withTolerance({ p95Increase: 0, p95SlackMs: 0 });
    for (const [a, b] of [[before, after], [after, before]] as const) {
      const detail = checkoutOf(checkBaseline(b, strict, { baseline: parseBaseline(reportOf(a)) }));
      expect(detail.status).toBe('pass');
      expect(detail.note).toMatch(/n 2000\/3000: (no regression|beyond the tolerance but not significant: noise)$/);
    }
  });

  it('fails on a real shift beyond the tolerance and names the route', () => {
    const result = checkBaseline(fixtureRunData(['checkout-slow-in-outage']), budgets, { baseline: earlier });
    expect(result.status).toBe('fail');
    expect(checkoutOf(result)).toMatchObject({ status: 'fail', limit: '<= 134ms or p >= 0.01', note: expect.stringMatching(/^baseline \d+ms \(\+\d+ms, \+\d+(\.\d+)?%\); p=<0\.0001 .*: regression$/) });
    expect(result.details.find((d) => d.name === 'p95 product')!.status).toBe('pass');
    const shifted = checkBaseline(runOf(60, 8, 2), budgets, { baseline: parseBaseline(reportOf(runOf(30, 5, 1))) });
    expect(checkoutOf(shifted)).toMatchObject({ status: 'fail', note: expect.stringMatching(/P\(slower\)=1\.00, Cliff's delta=\+1\.00, .*n 2000\/3000: regression$/) });
  });

  it('passes a shift that is significant but within the absolute slack (27 ms -> 34 ms)', () => {
    const [before, after] = [runOf(20.5, 4, 1), runOf(27.5, 4, 2)];
    expect(p95Of(before)).toBeCloseTo(27, 0);
    expect(p95Of(after)).toBeCloseTo(34, 0);
    const baseline = parseBaseline(reportOf(before));
    const slack = withTolerance({ p95Increase: 0.2, p95SlackMs: 25 });
    expect(checkoutOf(checkBaseline(after, slack, { baseline }))).toMatchObject({ status: 'pass', limit: '<= 51.7ms or p >= 0.01', note: expect.stringMatching(/p=<0\.0001 .*: significantly slower but within the tolerance$/) });
    // the relative tolerance alone (today's rule) would have failed it
    expect(checkoutOf(checkBaseline(after, withTolerance({ p95Increase: 0.2, p95SlackMs: 0 }), { baseline })).status).toBe('fail');
  });

  it('passes a p95 beyond the tolerance that the samples cannot tell from chance', () => {
    // 20 of 400 checkouts at 1.5 s: p95 107 -> 188 ms, but the tail has 40 of 400 above the old p95
    // against 20 of 400 (Fisher p = 0.005, x2 for the two tests): at n = 400 not below alpha = 0.01
    const detail = checkoutOf(checkBaseline(fixtureRunData(['bad-minute']), budgets, { baseline: earlier }));
    expect(detail).toMatchObject({ status: 'pass', note: expect.stringMatching(/tail 20\/400 -> 40\/400 above .*: beyond the tolerance but not significant: noise$/) });
    // a looser alpha calls it
    expect(checkoutOf(checkBaseline(fixtureRunData(['bad-minute']), withTolerance({ alpha: 0.05 }), { baseline: earlier })).status).toBe('fail');
  });

  it('falls back to the p95 alone, saying so, against an old report.json without latency samples', () => {
    const old = parseBaseline(reportOf(healthy, false), 'old.json');
    expect(old.latencies).toBeUndefined();
    const detail = checkoutOf(checkBaseline(fixtureRunData(['bad-minute']), budgets, { baseline: old }));
    expect(detail).toMatchObject({ status: 'fail', limit: '<= 134ms', note: expect.stringMatching(/; the baseline report\.json has no latency samples .*: p95 against the tolerance alone, no significance test$/) });
  });

  it('fails on lower throughput and more errors', () => {
    const busier: Baseline = structuredClone(earlier);
    busier.figures.total.rps = earlier.figures.total.rps / 0.8;
    const result = checkBaseline(fixtureRunData(['checkout-fails-in-outage']), budgets, { baseline: busier });
    expect(result.details.filter((d) => d.status === 'fail').map((d) => d.name)).toEqual(['error rate', 'throughput']);
  });

  it('skips a route the run did not send, or sent too few requests to compare', () => {
    const other: Baseline = structuredClone(earlier);
    other.figures.routes.push({ ...other.figures.routes[0]!, name: 'search' });
    other.figures.routes[1]!.requests = 10;
    const details = checkBaseline(healthy, budgets, { baseline: other }).details;
    expect(details.find((d) => d.name === 'p95 search')).toMatchObject({ status: 'skip', note: 'route not in this run' });
    expect(details.find((d) => d.name === 'p95 product')).toMatchObject({ status: 'skip', note: 'fewer than 50 requests in one of the runs' });
  });

  it('gates the verdict, within the budgets tolerances, and says what it was compared with', () => {
    // an earlier run twice as fast at checkout: only the comparison fails this healthy run
    const faster: Baseline = structuredClone(earlier);
    faster.figures.routes.find((r) => r.name === 'checkout')!.p95 /= 2;
    faster.latencies!['checkout'] = faster.latencies!['checkout']!.map((v) => v / 2);
    const traceRules = loadTraceRulesFor(budgets);
    const judged = judge(healthy, budgets, { baseline: faster, traceRules });
    expect(judged.checks.at(-1)!.id).toBe('baseline');
    expect(judged.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['baseline']);
    expect(judged.verdict).toBe('fail');
    expect(judged.baseline).toEqual({ file: 'earlier.json', status: 'fail', tolerance: budgets.baseline });
    const generous = withTolerance({ p95Increase: 100 });
    expect(judge(healthy, generous, { baseline: faster, traceRules })).toMatchObject({ verdict: 'pass', baseline: { status: 'pass' } });
  });

  it('fails, as a last guard, a baseline of another profile that reached the judge', () => {
    const other = parseBaseline({ ...(earlierReport as object), run: { config: { command: 'drill', profile: 'full' } } });
    const result = checkBaseline(healthy, budgets, { baseline: other });
    expect(result.details[0]).toMatchObject({ name: 'same game day', status: 'fail', note: expect.stringMatching(/^made with profile "full", this run plays profile "smoke"/) });
  });
});

describe('the baseline tolerances in the budgets file', () => {
  it('default to alpha 0.01, +20 % and +25 ms, and read p95Slack as a duration', () => {
    expect(parseBudgets('{}', 'b.yaml').baseline).toEqual({ alpha: 0.01, p95Increase: 0.2, p95SlackMs: 25, errorRateIncrease: 0.01, throughputDrop: 0.1 });
    expect(parseBudgets('baseline: { alpha: 0.001, p95Slack: 1.5s }\n', 'b.yaml').baseline).toMatchObject({ alpha: 0.001, p95SlackMs: 1500 });
    expect(() => parseBudgets('baseline: { alpha: 0 }\n', 'b.yaml')).toThrow(/baseline\.alpha/);
  });
});

describe('the baseline file', () => {
  const dir = tempDir('peakready-baseline-');
  it('is read and validated before anything runs, latency samples and what it played included', () => {
    const file = join(dir, 'report.json');
    writeFileSync(file, JSON.stringify(earlierReport));
    const loaded = loadBaseline(file);
    expect(loaded).toEqual({ ...earlier, file });
    expect(loaded.run).toEqual({ command: 'drill', profile: 'smoke' });
    expect(Object.keys(loaded.latencies!)).toEqual(['checkout', 'product']);
  });

  it('rejects a file that is not a report.json, naming the field', () => {
    expect(() => parseBaseline({ version: 1, figures: { total: {} } }, 'old.json')).toThrow(UsageError);
    expect(() => parseBaseline({ version: 1 }, 'old.json')).toThrow(/--baseline old\.json: not a peakready report\.json \(figures: /);
    expect(() => parseBaseline({ ...(earlierReport as object), latencySamples: { size: 2000, routes: { checkout: ['x'] } } }, 'bad.json')).toThrow(/latencySamples\.routes\.checkout\[0\]/);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'nope');
    expect(() => loadBaseline(notJson)).toThrow(new RegExp(`^--baseline ${notJson}: Unexpected token .*; pass the report\\.json of an earlier run$`));
    expect(() => loadBaseline(join(dir, 'missing.json'))).toThrow(/missing\.json: file not found; pass the report\.json/);
  });

  it('refuses the report of an interrupted run: it measured only part of its game day', () => {
    expect(() => parseBaseline({ ...(earlierReport as object), verdict: 'interrupted' }, 'cut.json')).toThrow(
      '--baseline cut.json: the report of an interrupted run, which measured only part of its game day; pass the report.json of a run that ended',
    );
  });

  it('refuses a baseline of another profile, game day or script, naming both', () => {
    const base = parseBaseline({ ...(earlierReport as object), run: { config: { command: 'drill', name: 'shop', profile: 'smoke', script: '/a/scenarios/black-friday.js' } } }, 'main.json');
    const refused = () => assertComparable(base, { command: 'drill', name: 'shop', profile: 'full', script: 'scenarios/black-friday.js' });
    expect(refused).toThrow(UsageError);
    expect(refused).toThrow('--baseline main.json: made with profile "smoke", this run plays profile "full"; latencies compare only between runs of the same game day, profile and script; pass the report.json of a run of the same');
    expect(() => assertComparable(base, { command: 'drill', name: 'other shop', profile: 'smoke' })).toThrow(/made with game day "shop", this run plays game day "other shop"/);
    expect(() => assertComparable(base, { command: 'drill', name: 'shop', profile: null })).toThrow(/profile "smoke", this run plays profile \(none\)/);
    expect(() => assertComparable(base, { command: 'run', script: 'smoke.js' })).toThrow(/command "drill", this run plays command "run"/);
    // the same game day from another checkout: the script's path differs, its file name does not
    expect(() => assertComparable(base, { command: 'drill', name: 'shop', profile: 'smoke', script: '/b/scenarios/black-friday.js' })).not.toThrow();
    expect(() => assertComparable(parseBaseline(reportOf(healthy)), undefined)).not.toThrow();
  });
});

describe('the latency samples report.json keeps', () => {
  const requests = (n: number) => Array.from({ length: n }, (_, i): RequestRecord => ({ t: i, scenario: 'default', name: 'r', method: 'GET', status: 200, duration: n - i + 0.123, failed: false }));
  it('are every latency, sorted, to 0.01 ms, up to the size', () => {
    expect(latencySamples(requests(3), 5)).toEqual({ r: [1.12, 2.12, 3.12] });
  });

  it('are order statistics at evenly spaced ranks beyond it', () => {
    const sample = latencySamples(requests(10_000), 2000)['r']!;
    expect(sample).toHaveLength(2000);
    // the middle of each stratum of 5: ranks 2, 7, 12, ... of 0..9999
    expect(sample.slice(0, 3)).toEqual([3.12, 8.12, 13.12]);
    expect(sample.at(-1)).toBe(9998.12);
  });
});
