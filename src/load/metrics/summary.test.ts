import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.js';
import { MetricsAggregator } from './aggregator.js';
import { buildSummaryData, pathId, summaryExport, textSummary, validateSummaryData, validateTrendStats, type K6SummaryData } from './summary.js';
import { textSummaryV1 } from './text-summary-v1.js';
import { parseThresholds, ThresholdEvaluator } from './thresholds.js';
import { builtinMetricMap } from './builtin.js';
import type { Sample } from './types.js';

const s = (metric: string, value: number, tags: Record<string, string> = {}, time = 0): Sample => ({ metric, value, tags, time });

/** A small run: two requests, checks in the root and in nested groups, a custom trend, thresholds. */
function run(): K6SummaryData {
  const known = builtinMetricMap();
  known.set('cart_value', { name: 'cart_value', type: 'trend', contains: 'default' });
  const parsed = parseThresholds(
    {
      http_req_duration: ['p(95)<100', 'avg<10'],
      'http_req_duration{name:checkout}': ['max<1000'],
      checks: ['rate>0.5'],
      iterations: ['count>100'],
    },
    known,
  );
  const agg = new MetricsAggregator({ submetrics: parsed.submetrics });
  agg.define({ name: 'cart_value', type: 'trend', contains: 'default' });
  const req = (ms: number, name: string, status: string): void => {
    const tags = { name, status, expected_response: status === '200' ? 'true' : 'false' };
    agg.add(s('http_reqs', 1, tags));
    agg.add(s('http_req_duration', ms, tags));
    agg.add(s('http_req_failed', status === '200' ? 0 : 1, tags));
    agg.add(s('data_received', 1500, tags));
  };
  req(20, 'browse', '200');
  req(40, 'checkout', '503');
  agg.add(s('checks', 1, { check: 'home ok', group: '' }));
  agg.add(s('checks', 1, { check: 'paid', group: '::shop::checkout' }));
  agg.add(s('checks', 0, { check: 'paid', group: '::shop::checkout' }));
  agg.add(s('group_duration', 60, { group: '::shop::checkout' }));
  agg.add(s('group_duration', 65, { group: '::shop' }));
  agg.add(s('iterations', 1));
  agg.add(s('vus', 3, {}, 1));
  agg.add(s('cart_value', 42.5));
  const final = new ThresholdEvaluator(parsed).evaluate(agg, 2000, { final: true });
  return buildSummaryData({
    aggregator: agg,
    thresholds: final.results,
    options: {},
    state: { isStdOutTTY: false, isStdErrTTY: true, testRunDurationMs: 2000 },
    setupData: { token: 'x' },
  });
}

describe('buildSummaryData', () => {
  const data = run();

  it('has k6 handleSummary top-level keys, options and state', () => {
    expect(Object.keys(data).sort()).toEqual(['metrics', 'options', 'root_group', 'setup_data', 'state']);
    expect(data.options).toEqual({ summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'], summaryTimeUnit: '', noColor: false });
    expect(data.state).toEqual({ isStdOutTTY: false, isStdErrTTY: true, testRunDurationMs: 2000 });
    expect(data.setup_data).toEqual({ token: 'x' });
  });

  it('gives each type its k6 values', () => {
    expect(data.metrics.http_reqs).toEqual({ type: 'counter', contains: 'default', values: { count: 2, rate: 1 } });
    expect(data.metrics.data_received).toEqual({ type: 'counter', contains: 'data', values: { count: 3000, rate: 1500 } });
    expect(data.metrics.vus).toEqual({ type: 'gauge', contains: 'default', values: { value: 3, min: 3, max: 3 } });
    expect(data.metrics.http_req_failed).toEqual({ type: 'rate', contains: 'default', values: { rate: 0.5, passes: 1, fails: 1 } });
    const d = data.metrics.http_req_duration!;
    expect(d.type).toBe('trend');
    expect(d.contains).toBe('time');
    expect(Object.keys(d.values)).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
    expect(d.values.avg).toBe(30);
    expect(d.values.min).toBe(20);
    expect(d.values.max).toBe(40);
    expect(data.metrics.cart_value!.contains).toBe('default');
  });

  it('leaves out metrics without samples unless a threshold names them', () => {
    expect(data.metrics.http_req_blocked).toBeUndefined();
    expect(data.metrics.dropped_iterations).toBeUndefined();
  });

  it('lists submetrics as their own entries, like k6', () => {
    expect(data.metrics['http_req_duration{name:checkout}']!.values.max).toBe(40);
    expect(data.metrics['http_req_duration{name:checkout}']!.thresholds).toEqual({ 'max<1000': { ok: true } });
    expect(data.metrics['http_req_duration{expected_response:true}']!.values.max).toBe(20);
  });

  it('attaches thresholds as {expression: {ok}}', () => {
    expect(data.metrics.http_req_duration!.thresholds).toEqual({ 'p(95)<100': { ok: true }, 'avg<10': { ok: false } });
    expect(data.metrics.checks!.thresholds).toEqual({ 'rate>0.5': { ok: true } });
    expect(data.metrics.iterations!.thresholds).toEqual({ 'count>100': { ok: false } });
  });

  it('nests groups and checks in root_group with md5-of-path ids', () => {
    const root = data.root_group;
    expect(root).toMatchObject({ name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e' });
    expect(root.checks).toEqual([{ name: 'home ok', path: '::home ok', id: pathId('::home ok'), passes: 1, fails: 0 }]);
    expect(root.groups).toHaveLength(1);
    const shop = root.groups[0]!;
    expect(shop).toMatchObject({ name: 'shop', path: '::shop', id: pathId('::shop'), checks: [] });
    const checkout = shop.groups[0]!;
    expect(checkout).toMatchObject({ name: 'checkout', path: '::shop::checkout', groups: [] });
    expect(checkout.checks).toEqual([{ name: 'paid', path: '::shop::checkout::paid', id: pathId('::shop::checkout::paid'), passes: 1, fails: 1 }]);
    // the documented k6 id of a check at "::child::check1"
    expect(pathId('::child::check1')).toBe('6289a7a06253a1c3f6137dfb25695563');
  });

  it('honours summaryTrendStats, including count and fine percentiles', () => {
    const agg = new MetricsAggregator();
    for (const v of [1, 2, 3, 4]) agg.add(s('iteration_duration', v));
    const custom = buildSummaryData({
      aggregator: agg,
      options: { summaryTrendStats: ['count', 'p(99.99)', 'med'] },
      state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1 },
    });
    expect(Object.keys(custom.metrics.iteration_duration!.values)).toEqual(['count', 'p(99.99)', 'med']);
    expect(custom.metrics.iteration_duration!.values.count).toBe(4);
    expect(custom).not.toHaveProperty('setup_data');
    expect(validateSummaryData(JSON.parse(JSON.stringify(custom)))).toEqual(custom);
  });
});

describe('validateTrendStats', () => {
  it('accepts k6 stats and rejects others with the fix', () => {
    expect(validateTrendStats(['avg', 'p(99.9)', 'count'])).toEqual(['avg', 'p(99.9)', 'count']);
    expect(() => validateTrendStats(['avg', 'p95'], 'script.js')).toThrow('script.js summaryTrendStats: "p95" is not a trend stat');
    expect(() => validateTrendStats(['p(120)'])).toThrow(ConfigError);
    expect(() => validateTrendStats('avg')).toThrow(/must be a list/);
  });
});

describe('summaryExport', () => {
  const exported = summaryExport(run());

  it('flattens values, renames a rate to value and inverts threshold booleans (true = failed)', () => {
    expect(exported.metrics.http_reqs).toEqual({ count: 2, rate: 1 });
    expect(exported.metrics.http_req_failed).toEqual({ value: 0.5, passes: 1, fails: 1 });
    expect(exported.metrics.checks).toEqual({ value: 2 / 3, passes: 2, fails: 1, thresholds: { 'rate>0.5': false } });
    expect(exported.metrics.http_req_duration!.thresholds).toEqual({ 'p(95)<100': false, 'avg<10': true });
    expect(exported.metrics.vus).toEqual({ value: 3, min: 3, max: 3 });
  });

  it('keys groups and checks by name', () => {
    const shop = exported.root_group.groups.shop!;
    expect(shop.groups.checkout!.checks.paid).toEqual({ name: 'paid', path: '::shop::checkout::paid', id: pathId('::shop::checkout::paid'), passes: 1, fails: 1 });
    expect(exported.root_group.checks['home ok']!.passes).toBe(1);
    expect(Object.keys(exported).sort()).toEqual(['metrics', 'root_group']);
  });
});

describe('validateSummaryData', () => {
  const good = (): K6SummaryData => JSON.parse(JSON.stringify(run()));

  it('reports every problem at once, each at its JSON path', () => {
    const d = good();
    d.root_group.checks[0]!.id = 'x';
    d.metrics.vus!.type = 'rate';
    d.metrics.checks!.thresholds = { 'rate>0.5': true } as unknown as Record<string, { ok: boolean }>;
    try {
      validateSummaryData(d, 'summary.json');
      throw new Error('accepted');
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.field).sort()).toEqual(['metrics.checks.thresholds["rate>0.5"]', 'metrics.vus.values', 'metrics.vus.values', 'root_group.checks[0].id']);
    }
  });

  it('accepts what buildSummaryData produces', () => {
    expect(validateSummaryData(good())).toEqual(good());
  });

  it.each<[string, (d: K6SummaryData & Record<string, unknown>) => void, RegExp]>([
    ['a check id that is not the md5 of its path', (d) => (d.root_group.checks[0]!.id = 'not-an-md5'), /root_group\.checks\[0\]\.id: "not-an-md5" is not the md5 of the path "::home ok"/],
    ['a gauge relabelled counter', (d) => (d.metrics.vus!.type = 'counter'), /metrics\.vus\.values: a counter must have "count", "rate"/],
    ['a trend missing a summaryTrendStats key', (d) => delete d.metrics.http_req_duration!.values['p(95)'], /metrics\["http_req_duration"\]\.values: a trend must have "p\(95\)"/],
    ['a threshold as a bare boolean', (d) => ((d.metrics.checks!.thresholds as unknown as Record<string, boolean>)['rate>0.5'] = true), /thresholds.*must be \{"ok": true\|false\}/],
    ['a missing root_group', (d) => delete (d as Partial<K6SummaryData>).root_group, /root_group/],
    ['a group path not under its parent', (d) => Object.assign(d.root_group.groups[0]!, { path: '::shp', id: pathId('::shp') }), /root_group\.groups\[0\]\.path: "::shp" should be "::shop"/],
    ['a group id that is not the md5 of its path', (d) => (d.root_group.groups[0]!.path = '::shp'), /root_group\.groups\[0\]\.id: .* is not the md5 of the path "::shp"/],
    ['a string value', (d) => ((d.metrics.http_reqs!.values as Record<string, unknown>).count = '2'), /metrics\.http_reqs\.values\.count/],
  ])('rejects %s', (_what, breakIt, message) => {
    const d = good() as K6SummaryData & Record<string, unknown>;
    breakIt(d);
    expect(() => validateSummaryData(d, 'summary.json')).toThrow(ConfigError);
    expect(() => validateSummaryData(d, 'summary.json')).toThrow(message);
  });
});

describe('textSummary', () => {
  const text = textSummary(run());
  const lines = text.split('\n');

  it('shows checks with ✓/✗ and the pass share of a failing one, inside their groups', () => {
    expect(text).toContain('     ✓ home ok');
    expect(text).toContain('     █ shop');
    expect(text).toContain('       █ checkout');
    expect(text).toContain('         ✗ paid');
    expect(text).toContain('          ↳  50% — ✓ 1 / ✗ 1');
  });

  it('aligns metric names with dots, in name order, submetrics under their metric', () => {
    const metricLines = lines.filter((l) => l.includes('..: '));
    const colons = new Set(metricLines.map((l) => l.indexOf('..: ')));
    expect(colons.size).toBe(1);
    const names = metricLines.map((l) => l.trim().replace(/^[✓✗]\s+/, '').replace(/\.+: .*/, ''));
    expect(names).toEqual([
      'cart_value',
      'checks',
      'data_received',
      'group_duration',
      'http_req_duration',
      '{ expected_response:true }',
      '{ name:checkout }',
      'http_req_failed',
      'http_reqs',
      'iterations',
      'vus',
    ]);
  });

  it('formats values like k6 and marks thresholds', () => {
    expect(text).toMatch(/✗ http_req_duration\.+: avg=30ms +min=20ms +med=30(\.\d+)?ms +max=40ms/);
    expect(text).toMatch(/✗ 'avg<10'/);
    expect(text).toMatch(/✓ 'p\(95\)<100'/);
    expect(text).toMatch(/data_received\.+: 3\.0 kB +1\.5 kB\/s/);
    expect(text).toMatch(/http_req_failed\.+: 50\.00% +✓ 1 +✗ 1/);
    expect(text).toMatch(/http_reqs\.+: 2 +1\/s/);
    expect(text).toMatch(/vus\.+: 3 +min=3 +max=3/);
    expect(text).toMatch(/cart_value\.+: avg=42\.5 /);
  });

  it('adds colour codes only when asked', () => {
    expect(text).not.toContain('\u001b[');
    expect(textSummary(run(), { enableColors: true })).toContain('\u001b[');
  });

  it('uses the given indent', () => {
    expect(textSummary(run(), { indent: '>>' }).split('\n').filter((l) => l.includes('..: ')).every((l) => l.startsWith('>>'))).toBe(true);
  });
});

describe("textSummaryV1 (k6 1.x's --summary-mode compact and full)", () => {
  const data = run();
  const compact = textSummaryV1(data, { mode: 'compact' });
  const full = textSummaryV1(data, { mode: 'full' });

  it('opens with the thresholds, each with the figure it was judged on, grouped by metric', () => {
    expect(compact.indexOf('█ THRESHOLDS')).toBeLessThan(compact.indexOf('█ TOTAL RESULTS'));
    expect(compact).toMatch(/\n {4}http_req_duration\n {4}✓ 'p\(95\)<100' p\(95\)=39ms\n {4}✗ 'avg<10' avg=30ms\n/);
    expect(compact).toContain("    http_req_duration{name:checkout}\n    ✓ 'max<1000' max=40ms");
    expect(compact).toContain("✗ 'count>100' count=1");
    expect(compact).toContain("✓ 'rate>0.5' rate=66.67%");
  });

  it('gives checks as totals and a list (a failing one with its pass share), not as the checks metric', () => {
    expect(compact).toMatch(/checks_total\.+: 3 +1\.5\/s/);
    expect(compact).toMatch(/checks_succeeded\.+: 66\.67% 2 out of 3/);
    expect(compact).toMatch(/checks_failed\.+: 33\.33% +1 out of 3/);
    expect(compact).toContain('    ✓ home ok\n    ✗ paid\n      ↳  50% — ✓ 1 / ✗ 1');
    expect(compact).not.toMatch(/\n {4}checks\.+:/);
  });

  it('compact shows the main metrics by category; full adds the rest and each group', () => {
    const sections = (text: string) => [...text.matchAll(/\n {4}(CUSTOM|HTTP|EXECUTION|NETWORK)\n/g)].map((m) => m[1]);
    expect(sections(compact)).toEqual(['CUSTOM', 'HTTP', 'EXECUTION', 'NETWORK']);
    expect(compact).toMatch(/http_req_failed\.+: 50\.00% +1 out of 2/);
    expect(compact).toMatch(/ {6}\{ expected_response:true \}\.+: avg=20ms/);
    expect(compact).not.toContain('group_duration');
    expect(full).toContain('group_duration');
    expect(full).toContain('    ↳ GROUP: shop');
    expect(full).toContain('      ↳ GROUP: checkout');
    expect(full).toMatch(/✗ paid\n/);
  });

  it('aligns every value column on one colon', () => {
    const colons = new Set(compact.split('\n').filter((l) => /\.: /.test(l)).map((l) => l.indexOf('.: ')));
    expect(colons.size).toBe(1);
  });
});
