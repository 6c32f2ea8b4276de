import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureRunData } from '../../test/support/fixture-run.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadBudgets } from '../budgets/load.js';
import { UsageError } from '../errors.js';
import { checkBaseline } from './baseline.js';
import { loadBaseline, parseBaseline, type Baseline } from './baseline-file.js';
import { judge } from './index.js';
import { runFigures } from './run-figures.js';
import { loadTraceRulesFor } from './trace-rules-file.js';

const budgets = loadBudgets();
const healthy = fixtureRunData();
/** an earlier run's report.json, as far as the comparison reads it */
const earlierReport = { version: 1, verdict: 'pass', figures: runFigures(healthy.requests, healthy.span) };
const earlier = parseBaseline(earlierReport, 'earlier.json');

describe('the baseline comparison', () => {
  it('passes against itself', () => {
    expect(checkBaseline(healthy, budgets, { baseline: earlier })).toMatchObject({ id: 'baseline', status: 'pass', figure: 'no regression' });
  });

  it('fails on a p95 regression beyond the tolerance and names the route', () => {
    const result = checkBaseline(fixtureRunData(['bad-minute']), budgets, { baseline: earlier });
    expect(result.status).toBe('fail');
    expect(result.details.find((d) => d.name === 'p95 checkout')).toMatchObject({ status: 'fail', note: expect.stringMatching(/^baseline \d+(\.\d)?ms \(\+\d+/) });
    expect(result.details.find((d) => d.name === 'p95 product')!.status).toBe('pass');
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
    const traceRules = loadTraceRulesFor(budgets);
    const judged = judge(healthy, budgets, { baseline: faster, traceRules });
    expect(judged.checks.at(-1)!.id).toBe('baseline');
    expect(judged.checks.filter((c) => c.status !== 'pass').map((c) => c.id)).toEqual(['baseline']);
    expect(judged.verdict).toBe('fail');
    expect(judged.baseline).toEqual({ file: 'earlier.json', status: 'fail', tolerance: budgets.baseline });
    const generous = { ...budgets, baseline: { ...budgets.baseline, p95Increase: 100 } };
    expect(judge(healthy, generous, { baseline: faster, traceRules })).toMatchObject({ verdict: 'pass', baseline: { status: 'pass' } });
  });
});

describe('the baseline file', () => {
  const dir = tempDir('peakready-baseline-');
  it('is read and validated before anything runs', () => {
    const file = join(dir, 'report.json');
    writeFileSync(file, JSON.stringify(earlierReport));
    expect(loadBaseline(file)).toEqual({ ...earlier, file });
  });

  it('rejects a file that is not a report.json, naming the field', () => {
    expect(() => parseBaseline({ version: 1, figures: { total: {} } }, 'old.json')).toThrow(UsageError);
    expect(() => parseBaseline({ version: 1 }, 'old.json')).toThrow(/--baseline old\.json: not a peakready report\.json \(figures: /);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'nope');
    expect(() => loadBaseline(notJson)).toThrow(new RegExp(`^--baseline ${notJson}: Unexpected token .*; pass the report\\.json of an earlier run$`));
    expect(() => loadBaseline(join(dir, 'missing.json'))).toThrow(/ENOENT/);
  });
});
