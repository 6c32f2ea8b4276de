import { describe, expect, it } from 'vitest';
import { fixtureRunData, type FixtureBreak } from '../../test/support/fixture-run.js';
import { loadBudgets, parseBudgets } from '../budgets/load.js';
import type { CheckResult } from '../run/records.js';
import { judge, verdictOf } from './index.js';
import { scaleOutFigure } from './scale-out.js';
import { loadTraceRulesFor } from './trace-rules-file.js';

const budgets = loadBudgets();
const traceRules = loadTraceRulesFor(budgets);

function checksOf(breaks: FixtureBreak[] = [], omit: Parameters<typeof fixtureRunData>[1] = []): Record<string, CheckResult> {
  return Object.fromEntries(judge(fixtureRunData(breaks, omit), budgets, { traceRules }).checks.map((c) => [c.id, c]));
}

function detail(check: CheckResult, name: string) {
  const d = check.details.find((x) => x.name === name);
  if (!d) throw new Error(`no detail "${name}" in ${JSON.stringify(check.details.map((x) => x.name))}`);
  return d;
}

describe('checks on a healthy drill', () => {
  const checks = checksOf();
  it('passes every check with its evidence', () => {
    expect(Object.values(checks).map((c) => [c.id, c.status])).toEqual([
      ['budgets', 'pass'],
      ['tracing', 'pass'],
      ['scale-out', 'pass'],
      ['isolation', 'pass'],
      ['integrity', 'pass'],
      ['cleanup', 'pass'],
      ['rig', 'pass'],
    ]);
    expect(checks.tracing!.figure).toBe('100% complete, 2/2 rules');
    expect(checks.tracing!.details.map((d) => d.name)).toEqual(['complete traces', 'rule checkout-trace-complete', 'rule checkout-no-errors']);
    expect(detail(checks['scale-out']!, 'catalog reaction')).toMatchObject({ status: 'pass', figure: '4.0s', limit: '<= 6.0s' });
    expect(checks['scale-out']!.figure).toMatch(/^scaled out within 4\.0s of crossing target; peak catalog \d+/);
    expect(detail(checks['scale-out']!, 'controller decided right').status).toBe('pass');
    expect(detail(checks['scale-out']!, 'catalog capacity')).toMatchObject({ status: 'pass', note: expect.stringMatching(/load p95 latency: .* \(better\)/) });
    expect(detail(checks.isolation!, 'product pages during outage').figure).toBe('0% failed, 100% degraded');
    expect(checks.integrity!.figure).toBe('0 violations, 400 orders');
    expect(checks.cleanup!.figure).toBe('0 left');
    expect(verdictOf(Object.values(checks))).toBe('pass');
  });
});

describe('each check catches its failure', () => {
  it('budgets: a bad 4 seconds fails the 30 s window, not the whole-run p95', () => {
    const c = checksOf(['bad-minute']).budgets!;
    expect(c.status).toBe('fail');
    expect(detail(c, 'http_req_duration{name:checkout} p(95)<800').status).toBe('pass');
    const windowed = detail(c, 'http_req_duration{name:checkout} p(95)<1500 over 30s');
    expect(windowed).toMatchObject({ status: 'fail', figure: 'p(95)=1500ms' });
    expect(windowed.note).toMatch(/worst 30s window from \+\d+s/);
    expect(c.reason).toContain('over 30s');
  });

  it('isolation: checkout failing during the outage', () => {
    const c = checksOf(['checkout-fails-in-outage']).isolation!;
    expect(c.status).toBe('fail');
    expect(detail(c, 'checkout success rate during outage')).toMatchObject({ status: 'fail', figure: '49.33%', limit: '>= 99%' });
  });

  it('isolation: only the failing dependency named in the file makes the outage', () => {
    const isolationWith = (failing: string) =>
      judge(fixtureRunData(['checkout-fails-in-outage']), { ...budgets, isolation: { ...budgets.isolation, failing } }, { traceRules }).checks.find((c) => c.id === 'isolation')!;
    // the fixture's fault is on recommendations: judged (and failed) when that is the failing dependency
    expect(isolationWith('recommendations').status).toBe('fail');
    // a fault on another proxy is not this outage: nothing to judge, said so
    expect(isolationWith('payments')).toMatchObject({ status: 'skip', reason: expect.stringContaining('no fault on "payments"') });
  });

  it('isolation: checkout slowed by the outage beyond the p95 budget', () => {
    const c = checksOf(['checkout-slow-in-outage']).isolation!;
    expect(c.status).toBe('fail');
    expect(detail(c, 'checkout success rate during outage').status).toBe('pass');
    const p95 = detail(c, 'checkout p95 during outage');
    // the shipped budgets compare with the rest of the surge (same load, no fault)
    expect(p95).toMatchObject({ status: 'fail', limit: expect.stringMatching(/^<= 1\d\dms$/) });
    // the fixture's outage holds fewer than the 100 requests a p95 needs: its median is judged
    expect(Number.parseFloat(p95.figure.replace(/^median /, ''))).toBeGreaterThan(300);
    expect(c.reason).toMatch(/^checkout p95 during outage: median 3\d\dms \(limit <= 1\d\dms\); baseline p95 \d+(\.\d)?ms/);
  });

  it('isolation: checkouts in flight while a replica was starting are not charged to the outage', () => {
    const c = checksOf(['replica-start-in-outage']).isolation!;
    expect(c.status).toBe('pass');
    expect(detail(c, 'checkout p95 during outage').note).toMatch(/; 10 "checkout" requests in flight while a replica was starting left out$/);
    // slowness outside the start-up window is still the fault's
    expect(checksOf(['replica-start-in-outage', 'checkout-slow-in-outage']).isolation!.status).toBe('fail');
  });

  it('isolation: an experiment that never injected its fault fails, naming the probe', () => {
    expect(checksOf(['chaos-refused']).isolation).toMatchObject({
      status: 'fail',
      reason: 'the chaos experiment "Recommendations outage" never injected its fault: steady-state probe "product page answers 200 within 500 ms" failed before it (Headers Timeout Error)',
    });
  });

  it('isolation: product pages failing instead of degrading', () => {
    const c = checksOf(['pages-fail-in-outage']).isolation!;
    expect(detail(c, 'product pages during outage')).toMatchObject({ status: 'fail', figure: '100% failed, 0% degraded' });
    expect(detail(c, 'checkout success rate during outage').status).toBe('pass');
  });

  it('integrity: a lost order, a double charge, oversold stock', () => {
    expect(detail(checksOf(['lost-order']).integrity!, 'acknowledged orders stored')).toMatchObject({ status: 'fail', figure: '390/400 stored', note: expect.stringContaining('lost: ord-') });
    expect(detail(checksOf(['double-charge']).integrity!, 'one charge per idempotency key')).toMatchObject({ status: 'fail', note: 'keys: key-0' });
    const oversold = checksOf(['oversold']).integrity!;
    expect(detail(oversold, 'units sold <= initial stock').status).toBe('fail');
    expect(detail(oversold, 'stock never negative')).toMatchObject({ status: 'fail', figure: 'min -3' });
  });

  it('cleanup: every kind of leftover is named', () => {
    const c = checksOf(['leftovers']).cleanup!;
    expect(c).toMatchObject({ status: 'fail', figure: '5 left' });
    expect(detail(c, 'processes').note).toBe('pid 4242 (catalog-2)');
    expect(detail(c, 'Kubernetes objects').note).toBe('TestRun load/black-friday-k3x9a');
    expect(detail(c, 'disabled proxies').note).toBe('recommendations');
  });

  it('tracing: missing traces below the completeness bound', () => {
    const c = checksOf(['missing-traces']).tracing!;
    expect(c).toMatchObject({ status: 'fail', figure: '80% complete, 2/2 rules' });
    expect(c.details[0]!.note).toMatch(/^160 no-trace; e\.g\. 0{31}1, /);
  });

  it('tracing: a checkout trace without its orders hop breaks the trace rule', () => {
    const c = checksOf(['no-orders-span']).tracing!;
    expect(c).toMatchObject({ status: 'fail', figure: '100% complete, 1/2 rules' });
    expect(detail(c, 'rule checkout-trace-complete')).toMatchObject({ status: 'fail', figure: '400/400 traces failed' });
    expect(detail(c, 'rule checkout-trace-complete').note).toMatch(/orders/);
  });

  it('scale-out: no scale-out, and a flap', () => {
    expect(checksOf(['no-scale-out'])['scale-out']).toMatchObject({ status: 'skip', reason: expect.stringContaining('no autoscaler ran') });
    const flap = checksOf(['flap'])['scale-out']!;
    expect(flap.status).toBe('fail');
    expect(detail(flap, 'catalog flapping')).toMatchObject({ status: 'fail', figure: '1 flaps' });
    expect(detail(flap, 'catalog flapping').note).toMatch(/1→3 at \+25\.0s then 3→1 at \+29\.0s/);
  });

  it('scale-out: the time rules run on the autoscaler\'s compressed clock and never contradict its stabilization', () => {
    // the fixture's autoscaler runs at Kubernetes ×0.1: scale-down stabilization 30 s, flap window 60 s × 0.1
    const late = checksOf(['late-scale-down'])['scale-out']!;
    expect(detail(late, 'catalog flapping')).toMatchObject({ status: 'pass', figure: '0 flaps', limit: '0 within 6.0s' });
    expect(late.limit).toBe('<= 6s, no flaps (Kubernetes time ×0.1)');
    // a flap window longer than the stabilization is capped there, with a note saying so
    const wide = parseBudgets('checks:\n  scale-out: { flapWindow: 10m }\n');
    const c = judge(fixtureRunData(['late-scale-down']), wide, { traceRules }).checks.find((x) => x.id === 'scale-out')!;
    expect(detail(c, 'catalog flapping')).toMatchObject({ status: 'pass', limit: '0 within 30.0s' });
    expect(detail(c, "rules on the controller's clock").note).toMatch(/flap window 60s capped at the autoscaler's scale-down stabilization 30s/);
  });

  it('a tighter reaction bound fails a slow scale-out', () => {
    const tight = parseBudgets('checks:\n  scale-out: { reaction: 20s }\n');
    const c = judge(fixtureRunData(), tight, { traceRules }).checks.find((x) => x.id === 'scale-out')!;
    expect(c.status).toBe('fail');
    expect(detail(c, 'catalog reaction')).toMatchObject({ status: 'fail', figure: '4.0s', limit: '<= 2.0s' });
    expect(detail(c, 'controller decided right').status).toBe('fail');
  });
});

describe('missing inputs are skipped with the reason', () => {
  it('a --target run without integrity, cleanup or traces', () => {
    const data = fixtureRunData([], ['integrity', 'cleanup', 'traces']);
    const target = { ...data, config: { ...data.config, target: 'http://127.0.0.1:9000' } };
    const checks = Object.fromEntries(judge(target, budgets, { traceRules }).checks.map((c) => [c.id, c]));
    expect(checks.integrity).toMatchObject({ status: 'skip', reason: expect.stringContaining('--target') });
    expect(checks.cleanup!.status).toBe('skip');
    expect(checks.tracing).toMatchObject({ status: 'skip', reason: expect.stringContaining('traces.ndjson') });
    expect(checks.budgets!.status).toBe('pass');
    expect(verdictOf(Object.values(checks))).toBe('pass');
  });

  it('a run without faults or requests', () => {
    const checks = checksOf([], ['requests']);
    expect(checks.budgets).toMatchObject({ status: 'skip', reason: expect.stringContaining('requests.ndjson') });
    expect(checks.isolation!.status).toBe('skip');
  });
});

describe('the judge', () => {
  it('fails only the check whose input could not be read, naming the error', () => {
    const data = { ...fixtureRunData(), integrity: undefined, unreadable: { integrity: 'Unexpected end of JSON input' } };
    const judged = judge(data, budgets, { traceRules });
    expect(judged.checks.find((c) => c.id === 'integrity')).toMatchObject({ status: 'fail', figure: 'error', reason: 'the check could not read the run: Unexpected end of JSON input' });
    expect(judged.checks.filter((c) => c.status === 'pass').map((c) => c.id)).toEqual(['budgets', 'tracing', 'scale-out', 'isolation', 'cleanup', 'rig']);
    expect(judged.verdict).toBe('fail');
  });

  it('fails the tracing check alone when its rules file would not load', () => {
    const judged = judge(fixtureRunData(), budgets, { traceRules: { error: 'rules.yaml:3 rules[0].id: Required' } });
    expect(judged.checks.find((c) => c.id === 'tracing')).toMatchObject({ status: 'fail', reason: 'the check could not read the run: rules.yaml:3 rules[0].id: Required' });
    expect(judged.checks.filter((c) => c.status === 'fail')).toHaveLength(1);
    expect(loadTraceRulesFor({ ...budgets, file: '/nowhere/budgets.yaml', tracing: { ...budgets.tracing, rules: 'missing.yaml' } })).toEqual({ error: expect.stringContaining('missing.yaml') });
  });

  it('lists the baseline comparison only when a baseline is given', () => {
    const judged = judge(fixtureRunData(), budgets, { traceRules });
    expect(judged.checks.map((c) => c.id)).not.toContain('baseline');
    expect(judged.baseline).toBeUndefined();
  });
});

describe('the scale-out figure', () => {
  it('says a decision on the crossing sample is the first sync, names the services that scaled and counts the rest', () => {
    const held = { service: 'search', peakReplicas: 1 };
    expect(scaleOutFigure([{ service: 'gateway', reactionMs: 0, firstScaleOutAt: 5, peakReplicas: 3 }, held, { ...held, service: 'cart' }])).toBe(
      'scaled out at the first sync above target; peak gateway 3; 2 others held',
    );
    expect(scaleOutFigure([{ service: 'catalog', reactionMs: 12_345, firstScaleOutAt: 9, peakReplicas: 6 }, held])).toBe('scaled out within 12.3s of crossing target; peak catalog 6; 1 other held');
    expect(scaleOutFigure([held])).toBe('no scale-out; 1 held');
    expect(scaleOutFigure([])).toBe('no scale-out');
  });
});

describe('isolation judges the requests the file protects, never a made-up route', () => {
  const isolationOf = (block: string, breaks: FixtureBreak[] = []) => {
    const limits = parseBudgets(`checks:\n  isolation: { baselinePhase: surge, failing: recommendations, ${block} }\n`);
    return judge(fixtureRunData(breaks), limits, { traceRules }).checks.find((c) => c.id === 'isolation')!;
  };

  it('two protected requests, each on its own detail lines: the one that regressed fails and is named', () => {
    const c = isolationOf('protect: [checkout, product]', ['checkout-slow-in-outage']);
    expect(c.details.map((d) => [d.name, d.status])).toEqual([
      ['checkout success rate during outage', 'pass'],
      ['checkout p95 during outage', 'fail'],
      ['product success rate during outage', 'pass'],
      ['product p95 during outage', 'pass'],
    ]);
    expect(c).toMatchObject({ status: 'fail', figure: '1/2 protected requests held', reason: expect.stringMatching(/^checkout p95 during outage: median 3\d\dms/) });
    expect(isolationOf('protect: [checkout, product]')).toMatchObject({ status: 'pass', figure: '2/2 protected requests held' });
  });

  it('a protected name no request of the load carries fails, naming it and the names the load did carry', () => {
    const c = isolationOf('protect: [checkout, chekout]');
    expect(c.status).toBe('fail');
    expect(detail(c, 'chekout requests')).toMatchObject({
      status: 'fail',
      figure: 'none in the load',
      note: 'checks.isolation.protect names "chekout", but no request of the load carries that k6 name tag; the load\'s requests are named checkout, product',
    });
    expect(c.reason).toContain('"chekout"');
    // a wildcard that matches is not a typo; a degraded name is held to the same rule
    expect(isolationOf('protect: ["check*"], degraded: [product]').status).toBe('pass');
    expect(detail(isolationOf('protect: [checkout], degraded: [prodcut]'), 'prodcut requests').note).toContain('checks.isolation.degraded names "prodcut"');
  });

  it('faults injected but nothing named to protect: skipped, saying what to add', () => {
    const c = isolationOf('degraded: [product]');
    expect(c).toMatchObject({ status: 'skip', reason: 'no requests named to protect: add checks.isolation.protect: [the requests that must keep working] (their k6 name tags)' });
    // with no fault at all, the missing fault is what is said
    expect(judge(fixtureRunData(['chaos-refused']), parseBudgets('{}'), { traceRules }).checks.find((x) => x.id === 'isolation')!.status).toBe('fail');
  });
});

describe('isolation on few requests', () => {
  const fewOutageCheckouts = (slow: number) => {
    const data = fixtureRunData();
    const outage = data.intervals.get('outage')!;
    const inOutage = (t: number) => outage.some((i) => t >= i.start && t < i.end);
    // keep 20 checkouts of the outage, `slow` of them slow
    let kept = 0;
    const requests = data.requests.filter((r) => r.name !== 'checkout' || !inOutage(r.t) || kept++ < 20);
    let slowed = 0;
    return { ...data, requests: requests.map((r) => (r.name === 'checkout' && inOutage(r.t) && slowed++ < slow ? { ...r, duration: 5000 } : r)) };
  };

  it('on fewer than 100 outage requests the p95 is not judged as if precise: the median is, and the row says so', () => {
    // two of twenty (10 %) slow: the p95 misses, the median holds
    const c = judge(fewOutageCheckouts(2), budgets, { traceRules }).checks.find((x) => x.id === 'isolation')!;
    const p95 = c.details.find((d) => d.name === 'checkout p95 during outage')!;
    expect(p95.status).toBe('pass');
    expect(p95.figure).toMatch(/^median \d+ms$/);
    expect(p95.note).toMatch(/20 requests during the outage, fewer than the 100 a p95 needs: judged by their median \(their p95 was 5000ms\)/);
  });

  it('on fewer than 100 outage requests a median over the limit fails', () => {
    const c = judge(fewOutageCheckouts(11), budgets, { traceRules }).checks.find((x) => x.id === 'isolation')!;
    const p95 = c.details.find((d) => d.name === 'checkout p95 during outage')!;
    expect(p95).toMatchObject({ status: 'fail', figure: 'median 5000ms' });
    expect(c.status).toBe('fail');
  });
});

describe('isolation: degraded pages', () => {
  it('a page that waits out the failing dependency instead of answering degraded fails, even though it did not error', () => {
    const data = fixtureRunData();
    const outage = data.intervals.get('outage')!;
    const inOutage = (t: number) => outage.some((i) => t >= i.start && t < i.end);
    // every product page during the outage took the dependency's 5 s deadline and answered 200
    const stalled = { ...data, requests: data.requests.map((r) => (r.name === 'product' && inOutage(r.t) ? { ...r, duration: 5000, failed: false } : r)) };
    const c = judge(stalled, budgets, { traceRules }).checks.find((x) => x.id === 'isolation')!;
    expect(c.status).toBe('fail');
    expect(detail(c, 'product p95 during outage (degraded, not stalled)')).toMatchObject({ status: 'fail', figure: 'median 5000ms' });
    // the healthy fixture's degraded pages stay within the slack
    const healthy = judge(data, budgets, { traceRules }).checks.find((x) => x.id === 'isolation')!;
    expect(detail(healthy, 'product p95 during outage (degraded, not stalled)').status).toBe('pass');
  });
});
