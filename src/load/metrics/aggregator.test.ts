import { describe, expect, it } from 'vitest';
import { MetricsAggregator } from './aggregator.js';
import type { Sample } from './types.js';

const s = (metric: string, value: number, tags: Record<string, string> = {}, time = 0): Sample => ({ metric, value, tags, time });

function lcg(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1664525 + 1013904223) % 4294967296) / 4294967296);
}

/** http-like traffic: what one request records, with a few tags */
function traffic(n: number, seed: number): Sample[] {
  const next = lcg(seed);
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) {
    const name = i % 10 === 0 ? 'checkout' : 'browse';
    const status = i % 50 === 0 ? '500' : '200';
    const tags = { name, status, expected_response: status === '200' ? 'true' : 'false', scenario: i % 3 ? 'baseline' : 'surge' };
    const time = 1_000 + i;
    out.push(s('http_reqs', 1, tags, time));
    out.push(s('http_req_duration', 1 + next() * 300, tags, time));
    out.push(s('http_req_failed', status === '500' ? 1 : 0, tags, time));
    out.push(s('data_received', 512, tags, time));
    out.push(s('vus', (i * 7) % 13, {}, time));
    out.push(s('checks', status === '200' ? 1 : 0, { check: 'status is 200', group: i % 2 ? '::shop::cart' : '' }, time));
    if (i % 4 === 0) out.push(s('group_duration', 5, { group: '::shop' }, time));
  }
  return out;
}

const stats = ['count', 'rate', 'value', 'min', 'max', 'avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'passes', 'fails'];

describe('MetricsAggregator', () => {
  it('merging drained halves gives exactly what one aggregator gives', () => {
    const submetrics = [{ metric: 'http_req_duration', tags: { name: 'checkout' }, name: 'http_req_duration{name:checkout}' }];
    const samples = traffic(5_000, 1);
    const one = new MetricsAggregator({ submetrics });
    const workerA = new MetricsAggregator({ submetrics });
    const workerB = new MetricsAggregator({ submetrics });
    samples.forEach((sample, i) => {
      one.add(sample);
      (i % 3 === 0 ? workerA : workerB).add(sample);
    });
    const main = new MetricsAggregator({ submetrics });
    // several drains per worker, as workers post periodically; structuredClone = postMessage
    main.merge(structuredClone(workerA.drain()));
    main.merge(structuredClone(workerB.drain()));
    main.merge(structuredClone(workerA.drain()));
    for (const name of ['http_reqs', 'http_req_duration', 'http_req_failed', 'data_received', 'vus', 'checks', 'http_req_duration{name:checkout}', 'http_req_duration{expected_response:true}']) {
      const a = one.view(name)!;
      const b = main.view(name)!;
      expect(b.samples, name).toBe(a.samples);
      for (const stat of stats) {
        const x = a.stat(stat, 10_000);
        const y = b.stat(stat, 10_000);
        if (x === undefined) expect(y).toBeUndefined();
        else expect(y, `${name} ${stat}`).toBeCloseTo(x, 9);
      }
    }
    expect(main.checks()).toEqual(expect.arrayContaining(one.checks()));
    expect(main.checks()).toHaveLength(one.checks().length);
    expect(new Set(main.groups())).toEqual(new Set(one.groups()));
  });

  it('drain resets: a second drain carries only what came after', () => {
    const agg = new MetricsAggregator();
    agg.add(s('http_reqs', 1));
    agg.drain();
    agg.add(s('http_reqs', 1));
    agg.add(s('http_reqs', 1));
    const main = new MetricsAggregator();
    main.merge(agg.drain());
    expect(main.view('http_reqs')!.stat('count')).toBe(2);
    expect(agg.view('http_reqs')!.samples).toBe(0);
  });

  it('aggregates each type with k6 semantics', () => {
    const agg = new MetricsAggregator();
    agg.add(s('data_sent', 100));
    agg.add(s('data_sent', 50));
    expect(agg.view('data_sent')!.stat('count')).toBe(150);
    expect(agg.view('data_sent')!.stat('rate', 3000)).toBe(50);
    // gauge: last by time, not by arrival
    agg.add(s('vus', 5, {}, 20));
    agg.add(s('vus', 9, {}, 10));
    agg.add(s('vus', 1, {}, 15));
    expect(agg.view('vus')!.stat('value')).toBe(5);
    expect(agg.view('vus')!.stat('min')).toBe(1);
    expect(agg.view('vus')!.stat('max')).toBe(9);
    // rate: non-zero is a pass
    agg.add(s('checks', 1));
    agg.add(s('checks', 0.5));
    agg.add(s('checks', 0));
    agg.add(s('checks', 0));
    const checks = agg.view('checks')!;
    expect([checks.stat('rate'), checks.stat('passes'), checks.stat('fails')]).toEqual([0.5, 2, 2]);
    expect(checks.stat('avg')).toBeUndefined();
  });

  it('a sample belongs to a submetric only when every selector tag matches', () => {
    const agg = new MetricsAggregator({ submetrics: [{ metric: 'http_reqs', tags: { status: '200', name: 'a' }, name: 'http_reqs{status:200,name:a}' }] });
    agg.add(s('http_reqs', 1, { status: '200', name: 'a', extra: 'x' }));
    agg.add(s('http_reqs', 1, { status: '200', name: 'b' }));
    agg.add(s('http_reqs', 1, { status: '200' }));
    expect(agg.view('http_reqs', { name: 'a', status: '200' })!.stat('count')).toBe(1);
    expect(agg.view('http_reqs{status:200,name:a}')!.stat('count')).toBe(1);
    expect(agg.view('http_reqs', { name: 'zzz' })).toBeUndefined();
    expect(agg.view('nope')).toBeUndefined();
  });

  it('tracks submetrics of custom metrics defined after construction', () => {
    const agg = new MetricsAggregator({ submetrics: [{ metric: 'orders', tags: { kind: 'vip' }, name: 'orders{kind:vip}' }] });
    agg.define({ name: 'orders', type: 'counter', contains: 'default' });
    agg.add(s('orders', 2, { kind: 'vip' }));
    agg.add(s('orders', 3, { kind: 'std' }));
    expect(agg.view('orders{kind:vip}')!.stat('count')).toBe(2);
    expect(agg.submetrics().map((x) => x.name)).toContain('orders{kind:vip}');
  });

  it('refuses an undefined metric and a type clash', () => {
    const agg = new MetricsAggregator();
    expect(() => agg.add(s('mystery', 1))).toThrow(/never defined/);
    expect(() => agg.define({ name: 'vus', type: 'counter', contains: 'default' })).toThrow(/already a gauge/);
  });

  it('keeps the checks tree by group and check name, and the groups seen', () => {
    const agg = new MetricsAggregator();
    agg.add(s('checks', 1, { check: 'ok', group: '' }));
    agg.add(s('checks', 0, { check: 'ok', group: '::a::b' }));
    agg.add(s('checks', 1, { check: 'ok', group: '::a::b' }));
    agg.add(s('group_duration', 3, { group: '::c' }));
    expect(agg.checks()).toEqual([
      { name: 'ok', group: '', passes: 1, fails: 0 },
      { name: 'ok', group: '::a::b', passes: 1, fails: 1 },
    ]);
    expect(agg.groups()).toEqual(['::a::b', '::c']);
  });

  it('carries custom metric definitions through drain even before their first sample', () => {
    const worker = new MetricsAggregator();
    worker.define({ name: 'cart_value', type: 'trend', contains: 'default' });
    const main = new MetricsAggregator();
    main.merge(structuredClone(worker.drain()));
    expect(main.view('cart_value')!.definition).toEqual({ name: 'cart_value', type: 'trend', contains: 'default' });
  });
});
