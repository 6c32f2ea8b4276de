import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { MetricsAggregator } from './aggregator.js';
import { builtinMetricMap } from './builtin.js';
import { parseThresholds, ThresholdEvaluator } from './thresholds.js';
import type { MetricDefinition, Sample } from './types.js';

const known = (...custom: MetricDefinition[]): Map<string, MetricDefinition> => {
  const map = builtinMetricMap();
  for (const c of custom) map.set(c.name, c);
  return map;
};

const sample = (metric: string, value: number, tags: Record<string, string> = {}, time = 0): Sample => ({ metric, value, tags, time });

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseThresholds', () => {
  it('returns nothing for no thresholds', () => {
    expect(parseThresholds(undefined, known())).toEqual({ thresholds: [], submetrics: [] });
  });

  it('reads strings and the object form with abortOnFail and delayAbortEval', () => {
    const parsed = parseThresholds(
      {
        http_req_duration: ['p(95)<300', { threshold: 'avg<200', abortOnFail: true, delayAbortEval: '10s' }],
        checks: ['rate>0.99'],
      },
      known(),
    );
    expect(parsed.thresholds).toHaveLength(3);
    expect(parsed.thresholds[0]).toMatchObject({ key: 'http_req_duration', expression: { aggregation: 'p(95)' }, abortOnFail: false, delayAbortEvalMs: 0 });
    expect(parsed.thresholds[1]).toMatchObject({ abortOnFail: true, delayAbortEvalMs: 10_000, expression: { source: 'avg<200' } });
    expect(parsed.thresholds[2]!.metric).toEqual({ name: 'checks', type: 'rate', contains: 'default' });
  });

  it('collects each tag-filtered submetric once', () => {
    const parsed = parseThresholds(
      {
        'http_req_duration{name:checkout}': ['p(95)<300', 'max<1000'],
        'http_req_duration{scenario:surge}': ['p(95)<500'],
        'http_reqs{status:200}': ['count>10'],
      },
      known(),
    );
    expect(parsed.submetrics.map((s) => s.name)).toEqual([
      'http_req_duration{name:checkout}',
      'http_req_duration{scenario:surge}',
      'http_reqs{status:200}',
    ]);
    expect(parsed.thresholds[0]).toMatchObject({ key: 'http_req_duration{name:checkout}', selector: { tags: { name: 'checkout' } } });
  });

  it('names metric and expression for an aggregation invalid for the type, and lists every problem at once', () => {
    const error = configError(() =>
      parseThresholds(
        {
          http_reqs: ['p(95)<1'],
          checks: ['avg<1'],
          vus: ['count>1'],
          http_req_duration: ['rate<0.1', 'p(95)<<1'],
          my_trend: ['p(90)<1'],
          http_req_duraton: ['p(95)<1'],
          'http_req_duration{name': ['avg<1'],
          iterations: 'count>1',
          data_sent: [{ threshold: 'count>1', abortOnFail: 'yes', delayAbortEval: 'soon', extra: 1 }],
          data_received: [{ abortOnFail: true }],
        },
        known({ name: 'my_trend', type: 'trend', contains: 'default' }),
        'scenarios/black-friday.js',
      ),
    );
    const text = error.message;
    expect(text).toContain('scenarios/black-friday.js thresholds["http_reqs"][0]: metric "http_reqs" is a counter; "p(95)<1" uses "p(95)"');
    expect(text).toContain('metric "checks" is a rate; "avg<1"');
    expect(text).toContain('metric "vus" is a gauge; "count>1"');
    expect(text).toContain('metric "http_req_duration" is a trend; "rate<0.1"');
    expect(text).toMatch(/thresholds\["http_req_duration"\]\[1\]: metric "http_req_duration": "p\(95\)<<1"/);
    expect(text).toContain('no metric named "http_req_duraton"; did you mean "http_req_duration"?');
    expect(text).toContain('thresholds["http_req_duration{name"]');
    expect(text).toContain('thresholds["iterations"]: must be a list of threshold expressions, e.g. ["count>1"]');
    expect(text).toContain('thresholds["data_sent"][0].abortOnFail: must be true or false');
    expect(text).toContain('thresholds["data_sent"][0].delayAbortEval');
    expect(text).toContain('thresholds["data_sent"][0].extra: unknown field');
    expect(text).toContain('thresholds["data_received"][0].threshold: must be a threshold expression string');
    expect(error.issues).toHaveLength(12);
    expect(text).not.toContain('my_trend');
  });

  it('rejects a thresholds value that is not an object', () => {
    expect(() => parseThresholds(['p(95)<1'], known())).toThrow(/thresholds: must be an object/);
  });
});

describe('ThresholdEvaluator', () => {
  const parse = (t: Record<string, unknown>): ThresholdEvaluator => new ThresholdEvaluator(parseThresholds(t, known({ name: 'level', type: 'gauge', contains: 'default' })));

  it('evaluates every aggregation over the whole run so far', () => {
    const evaluator = parse({
      http_req_duration: ['avg<25', 'min==10', 'max<=40', 'med<21', 'p(95)<40', 'p(50)>=20'],
      http_reqs: ['count==4', 'rate>=1'],
      http_req_failed: ['rate<0.3'],
      level: ['value==7'],
    });
    const agg = new MetricsAggregator({ submetrics: evaluator.parsed.submetrics });
    agg.define({ name: 'level', type: 'gauge', contains: 'default' });
    for (const [i, v] of [10, 20, 30, 40].entries()) {
      agg.add(sample('http_req_duration', v));
      agg.add(sample('http_reqs', 1));
      agg.add(sample('http_req_failed', i === 0 ? 1 : 0));
    }
    agg.add(sample('level', 3, {}, 1));
    agg.add(sample('level', 7, {}, 2));
    const { results, failed, abort } = evaluator.evaluate(agg, 4000);
    const byExpr = Object.fromEntries(results.map((r) => [r.source, r]));
    expect(byExpr['avg<25']).toMatchObject({ ok: false, actual: 25 });
    expect(byExpr['min==10']!.ok).toBe(true);
    expect(byExpr['max<=40']!.ok).toBe(true);
    expect(byExpr['med<21']).toMatchObject({ ok: false });
    expect(byExpr['med<21']!.actual).toBeCloseTo(25, 1);
    expect(byExpr['p(95)<40']!.ok).toBe(true);
    expect(byExpr['p(50)>=20']!.ok).toBe(true);
    expect(byExpr['count==4']!.ok).toBe(true);
    expect(byExpr['rate>=1']).toMatchObject({ ok: true, actual: 1 });
    expect(byExpr['rate<0.3']).toMatchObject({ ok: true, actual: 0.25 });
    expect(byExpr['value==7']!.ok).toBe(true);
    expect(failed).toBe(true);
    expect(abort).toBe(false);
  });

  it('judges tag-filtered submetrics only on matching samples (all selector tags must match)', () => {
    const evaluator = parse({
      'http_req_duration{name:checkout}': ['max<100'],
      'http_req_duration{name:checkout,status:200}': ['max<60'],
      'http_req_duration{expected_response:true}': ['max<60'],
    });
    const agg = new MetricsAggregator({ submetrics: evaluator.parsed.submetrics });
    agg.add(sample('http_req_duration', 50, { name: 'checkout', status: '200', expected_response: 'true' }));
    agg.add(sample('http_req_duration', 90, { name: 'checkout', status: '500', expected_response: 'false' }));
    agg.add(sample('http_req_duration', 5000, { name: 'browse', status: '200', expected_response: 'true' }));
    const results = evaluator.evaluate(agg, 1000).results;
    expect(results.map((r) => [r.key, r.ok, r.actual])).toEqual([
      ['http_req_duration{name:checkout}', true, 90],
      ['http_req_duration{name:checkout,status:200}', true, 50],
      ['http_req_duration{expected_response:true}', false, 5000],
    ]);
  });

  it('aborts on an abortOnFail failure only once delayAbortEval has passed', () => {
    const evaluator = parse({ http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '30s' }], http_reqs: ['count>0'] });
    const agg = new MetricsAggregator();
    agg.add(sample('http_req_failed', 1));
    agg.add(sample('http_reqs', 1));
    expect(evaluator.evaluate(agg, 29_999)).toMatchObject({ failed: true, abort: false });
    expect(evaluator.evaluate(agg, 30_000)).toMatchObject({ failed: true, abort: true });
    agg.add(sample('http_req_failed', 0));
    for (let i = 0; i < 20; i++) agg.add(sample('http_req_failed', 0));
    expect(evaluator.evaluate(agg, 40_000)).toMatchObject({ failed: false, abort: false });
  });

  it('a failing threshold without abortOnFail never aborts', () => {
    const evaluator = parse({ http_req_failed: ['rate<0.1'] });
    const agg = new MetricsAggregator();
    agg.add(sample('http_req_failed', 1));
    expect(evaluator.evaluate(agg, 1e9)).toMatchObject({ failed: true, abort: false });
  });

  it('skips metrics without samples during the run, and judges them as zero at the end', () => {
    const evaluator = parse({ iterations: ['count>5'], http_req_duration: ['p(95)<300'] });
    const agg = new MetricsAggregator();
    const during = evaluator.evaluate(agg, 1000);
    expect(during.failed).toBe(false);
    expect(during.results.every((r) => r.ok && r.actual === undefined)).toBe(true);
    const end = evaluator.evaluate(agg, 1000, { final: true });
    expect(end.results.map((r) => [r.source, r.ok, r.actual])).toEqual([
      ['count>5', false, 0],
      ['p(95)<300', true, 0],
    ]);
    expect(end.failed).toBe(true);
  });
});
