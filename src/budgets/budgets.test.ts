import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import type { RequestRecord, TimelineEvent } from '../run/records.js';
import { evaluateBudget, percentile, samplesNeeded } from './evaluate.js';
import { loadBudgets, parseBudgets } from './load.js';
import { namedIntervals, runSpan } from '../run/timeline.js';
import { parse } from 'yaml';
import { rateWindow, renderBudgetsDashboard } from './dashboard.js';
import { renderPrometheusRule } from './prometheus-rule.js';
import { renderSloRules } from './slo-rules.js';

function issuesOf(text: string): string[] {
  try {
    parseBudgets(text, 'b.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message.split('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('budgets file', () => {
  it('loads the shipped defaults', () => {
    const b = loadBudgets();
    expect(b.thresholds.length).toBeGreaterThan(3);
    const windowed = b.thresholds.find((t) => t.overMs !== undefined)!;
    expect(windowed.overMs).toBe(30_000);
    expect(b.thresholds.find((t) => t.during === 'outage')?.label).toBe('http_req_duration{name:checkout} p(99)<2000 during outage');
    expect(b.slo.latency.thresholdSeconds).toBe(0.5);
  });

  it('fills every default from an empty file', () => {
    const b = parseBudgets('{}');
    expect(b.thresholds).toEqual([]);
    expect(b.tracing.completeness).toBe(0.99);
    expect(b.scaleOut.reactionMs).toBe(60_000);
    // no shop's route names as defaults: a file protects its own requests, or nothing is judged
    expect(b.isolation).toMatchObject({ protect: [], degraded: [] });
    expect(b.isolation.failing).toBeUndefined();
  });

  it('isolation: a list of protected requests, the bundled shop naming its own', () => {
    expect(parseBudgets('checks:\n  isolation: { protect: [checkout, "cart_*"], degraded: [product] }\n').isolation).toMatchObject({ protect: ['checkout', 'cart_*'], degraded: ['product'] });
    expect(loadBudgets().isolation).toMatchObject({ protect: ['checkout'], degraded: ['product'], failing: 'recommendations' });
  });

  it('isolation: the old `checkout:` key is refused, saying what to write instead, with file, line and field', () => {
    const issues = issuesOf(['checks:', '  tracing: { completeness: 0.9 }', '  isolation:', '    checkout: buy', '    degraded: [product]'].join('\n'));
    expect(issues).toEqual(['b.yaml:4 checks.isolation: "checkout" is now a list: write protect: [buy] (the requests that must keep working while the fault runs)']);
    expect(issuesOf('checks:\n  isolation: { protect: [buy, ""] , protekt: [x] }\n')).toEqual([
      'b.yaml:2 checks.isolation.protect[1]: an empty name; write the k6 name tag of a request of the load',
      'b.yaml:2 checks.isolation: unknown key "protekt"; did you mean "protect"?',
    ]);
  });

  it('names file, line and field of every problem at once', () => {
    const issues = issuesOf(
      [
        'thresholds:',
        '  http_req_duration{name:checkout}:',
        '    - p(95)<400',
        '    - p95<400',
        '  http_req_failed:',
        '    - p(95)<0.1',
        '  vus:',
        '    - value<10',
        'checks:',
        '  tracing:',
        '    completeness: 1.5',
        '  isolaton: {}',
      ].join('\n'),
    );
    expect(issues).toContainEqual(expect.stringMatching(/^b\.yaml:4 thresholds\.http_req_duration\{name:checkout\}\[1\]: "p95<400".* is not /));
    expect(issues).toContainEqual(expect.stringMatching(/^b\.yaml:6 thresholds\.http_req_failed\[0\]: .*rate; its aggregations are rate/));
    expect(issues).toContainEqual(expect.stringMatching(/^b\.yaml:8 thresholds\.vus: "vus" cannot be judged/));
    expect(issues).toContainEqual(expect.stringMatching(/^b\.yaml:11 checks\.tracing\.completeness: /));
    expect(issues).toContainEqual(expect.stringMatching(/^b\.yaml:10 checks: unknown key "isolaton"; did you mean "isolation"\?/));
  });

  it('routes name the service that measures them: none is assumed', () => {
    expect(issuesOf('routes:\n  buy: { route: /buy, method: POST }\n')).toEqual(['b.yaml:2 routes.buy.service: required field "service" is missing: add it']);
  });

  it('rejects a tag that is not recorded and a window that is not a duration', () => {
    const issues = issuesOf('thresholds:\n  http_req_duration{url:x}: ["p(95)<1"]\n  http_reqs: ["count>1 over soon"]\n');
    expect(issues[0]).toMatch(/b\.yaml:2 .*tag "url" is not recorded per request/);
    expect(issues[1]).toMatch(/b\.yaml:3 thresholds\.http_reqs\[0\]: over: "soon" is not a duration/);
  });

  it('accepts every k6 operator and the object form', () => {
    const b = parseBudgets(
      'thresholds:\n  http_reqs: ["count>=1", "rate > 0.5", "count!=3", "count===4", "count==4", "count<=9"]\n  http_req_duration:\n    - { threshold: "med<100", abortOnFail: true, over: 10s, during: surge }\n',
    );
    expect(b.thresholds.map((t) => t.operator)).toEqual(['>=', '>', '!=', '===', '==', '<=', '<']);
    expect(b.thresholds.at(-1)).toMatchObject({ overMs: 10_000, during: 'surge', aggregation: { kind: 'med' } });
  });
});

const T0 = 1_700_000_000_000;
function req(t: number, duration: number, extra: Partial<RequestRecord> = {}): RequestRecord {
  return { t: T0 + t, scenario: 'default', name: 'checkout', method: 'POST', status: 201, duration, failed: false, ...extra };
}

describe('budget evaluation', () => {
  it('interpolates percentiles like k6', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48);
    expect(percentile([7], 99)).toBe(7);
  });

  it('catches a bad minute that the whole-run p95 hides', () => {
    // thirty minutes at 100 ms, one minute in the middle at 900 ms (3 % of requests): 1 request/s
    const requests: RequestRecord[] = [];
    for (let s = 0; s < 1800; s++) requests.push(req(s * 1000, s >= 900 && s < 960 ? 900 : 100));
    const span = runSpan([], requests);
    const ctx = { intervals: new Map(), span };
    const b = parseBudgets('thresholds:\n  http_req_duration{name:checkout}: ["p(95)<400", "p(95)<400 over 1m"]\n');
    const [whole, windowed] = b.thresholds.map((t) => evaluateBudget(t, requests, ctx));
    expect(whole).toMatchObject({ status: 'pass', actual: 100 });
    expect(windowed).toMatchObject({ status: 'fail', actual: 900 });
    // 1 request/s: a minute holds 60, fewer than the 100 a p(95) needs, so the window is widened
    // to 100 requests; the worst of them lies on the bad minute
    expect(windowed).toMatchObject({ samples: 100, widenedFor: 100 });
    expect(windowed!.window!.start).toBeLessThan(T0 + 960_000);
    expect(windowed!.window!.end).toBeGreaterThan(T0 + 900_000);
    expect(windowed!.window!.end - windowed!.window!.start).toBeLessThanOrEqual(101_000);
  });

  it('says how many requests a percentile needs: p(95) 100, p(99) 500, med 10, avg and rates none', () => {
    const b = parseBudgets('thresholds:\n  http_req_duration: ["p(95)<400", "p(99)<900", "med<100", "avg<100"]\n  http_req_failed: ["rate<0.01"]\n');
    expect(b.thresholds.map((t) => samplesNeeded(t))).toEqual([100, 500, 10, 1, 1]);
  });

  it('judges a window with enough requests as it is, and a whole run with too few says so', () => {
    // 10 requests/s: a 30 s window holds 300, enough for a p(95)
    const requests: RequestRecord[] = [];
    for (let i = 0; i < 600; i++) requests.push(req(i * 100, i >= 300 && i < 330 ? 900 : 100));
    const ctx = { intervals: new Map(), span: runSpan([], requests) };
    const [windowed] = parseBudgets('thresholds:\n  http_req_duration{name:checkout}: ["p(95)<400 over 30s"]\n').thresholds.map((t) => evaluateBudget(t, requests, ctx));
    expect(windowed).toMatchObject({ status: 'fail', samples: 300 });
    expect(windowed!.widenedFor).toBeUndefined();
  });

  it('judges a phase, the outage and a scenario, and skips an unknown phase', () => {
    const timeline: TimelineEvent[] = [
      { t: T0, type: 'phase', state: 'start', phase: 'baseline' },
      { t: T0 + 10_000, type: 'phase', state: 'end', phase: 'baseline' },
      { t: T0 + 20_000, type: 'fault', state: 'on', experiment: 'x', proxy: 'recommendations', kind: 'disable' },
      { t: T0 + 30_000, type: 'fault', state: 'off', experiment: 'x', proxy: 'recommendations', kind: 'disable' },
    ];
    const requests = [
      req(1000, 50),
      req(5000, 60, { failed: true, status: 503 }),
      req(21_000, 700, { scenario: 'surge' }),
      req(25_000, 800, { scenario: 'surge' }),
      req(40_000, 90, { scenario: 'surge' }),
    ];
    const span = runSpan(timeline, requests);
    const ctx = { intervals: namedIntervals(timeline, span.end), span };
    const b = parseBudgets(
      'thresholds:\n  http_req_failed: ["rate<0.1 during baseline"]\n  http_req_duration: ["max<500 during outage", "min<100 during surge", "max<1 during lunch"]\n',
    );
    const [failedBaseline, outage, surge, lunch] = b.thresholds.map((t) => evaluateBudget(t, requests, ctx));
    expect(failedBaseline).toMatchObject({ status: 'fail', actual: 0.5, samples: 2, figure: 'rate=50%' });
    expect(outage).toMatchObject({ status: 'fail', actual: 800, samples: 2 });
    expect(surge).toMatchObject({ status: 'pass', actual: 90, samples: 3 });
    expect(lunch).toMatchObject({ status: 'skip', note: 'this run has no phase, scenario or fault named "lunch" (it has baseline, outage, default, surge)' });
    const typo = evaluateBudget(parseBudgets('thresholds:\n  http_reqs: ["count>0 during surg"]\n').thresholds[0]!, requests, ctx);
    expect(typo.note).toBe('this run has no phase, scenario or fault named "surg"; did you mean "surge"?');
  });

  it('filters on tags and computes a counter rate per second of the run', () => {
    const requests = [req(0, 1), req(1000, 1, { name: 'product', method: 'GET' }), req(2000, 1, { status: 500 }), req(4000, 1)];
    const span = { start: T0, end: T0 + 4000 };
    const b = parseBudgets('thresholds:\n  http_reqs{name:checkout,status:201}: ["count==2", "rate<1"]\n  http_reqs{name:nope}: ["count>0"]\n');
    const [count, rate, none] = b.thresholds.map((t) => evaluateBudget(t, requests, { intervals: new Map(), span }));
    expect(count).toMatchObject({ status: 'pass', actual: 2 });
    expect(rate).toMatchObject({ status: 'pass', actual: 0.5 });
    expect(none).toMatchObject({ status: 'skip', note: 'no requests matched http_reqs{name:nope}' });
  });
});

describe('budgets as alerts and dashboards', () => {
  it("draws a budget's `over W` over at least 4 scrape intervals, and says when it widened it", () => {
    expect(rateWindow(60_000, 15_000)).toEqual({ seconds: 60 });
    const widened = rateWindow(30_000, 15_000);
    expect(widened.seconds).toBe(60);
    expect(widened.widened).toMatch(/drawn as rate over 60s, not 30s: a rate\(\) window must hold 4 scrapes at a 15s scrape interval/);
    expect(rateWindow(30_000, 5_000)).toEqual({ seconds: 30 });
    const shipped = renderBudgetsDashboard(loadBudgets(), 'scenarios/budgets.yaml').dashboard as unknown as { panels: Array<{ title?: string; description?: string; targets?: Array<{ expr: string }> }> };
    const over30 = shipped.panels.find((p) => p.title?.includes('p(95)<1500 over 30s'))!;
    expect(over30.targets![0]!.expr).toContain('[60s]');
    expect(over30.description).toContain('drawn as rate over 60s');
    expect(JSON.stringify(shipped)).not.toMatch(/\[30s\]/);
  });

  it('every SLO alert carries a runbook_url to its section, and a PrometheusRule holds the same groups', () => {
    const budgets = parseBudgets('slo:\n  runbookUrl: https://runbooks.example/shop\n');
    const rules = parse(renderSloRules(budgets, 'b.yaml')) as { groups: Array<{ rules: Array<{ alert?: string; annotations?: { runbook_url: string } }> }> };
    const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);
    expect(alerts).toHaveLength(4);
    for (const alert of alerts) expect(alert.annotations!.runbook_url).toBe(`https://runbooks.example/shop#${alert.alert!.toLowerCase()}`);
    expect(renderSloRules(loadBudgets(), 'x')).toContain('runbook_url: alerts/RUNBOOK.md#checkoutavailabilitybudgetburnpage');
    const manifest = parse(renderPrometheusRule(budgets, 'b.yaml', { namespace: 'monitoring', labels: { release: 'kps' } })) as Record<string, unknown> & { spec: unknown; metadata: unknown };
    expect(manifest).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'peakready-budgets', namespace: 'monitoring', labels: { release: 'kps', 'app.kubernetes.io/managed-by': 'peakready' } } });
    expect(manifest.spec).toEqual({ groups: rules.groups });
  });
});
