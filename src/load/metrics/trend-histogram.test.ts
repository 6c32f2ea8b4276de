import { describe, expect, it } from 'vitest';
import { TrendHistogram } from './trend-histogram.js';

/** k6's percentile over exact sorted values: linear interpolation at rank p/100 × (n − 1). */
function exactPercentile(sorted: number[], p: number): number {
  const rank = (p / 100) * (sorted.length - 1);
  const lo = sorted[Math.floor(rank)]!;
  const hi = sorted[Math.ceil(rank)]!;
  return lo + (hi - lo) * (rank - Math.floor(rank));
}

/** deterministic pseudo-random numbers (no Math.random: failures must reproduce) */
function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296);
}

describe('TrendHistogram', () => {
  it('matches k6 on a tiny set: exact min, max, avg; interpolated percentiles within 0.1 %', () => {
    const t = new TrendHistogram();
    for (const v of [10, 15, 20]) t.add(v);
    expect(t.min).toBe(10);
    expect(t.max).toBe(20);
    expect(t.avg()).toBe(15);
    const within = (actual: number, expected: number): void => expect(Math.abs(actual - expected) / expected).toBeLessThan(0.001);
    within(t.percentile(50), 15);
    within(t.percentile(90), 19);
    within(t.percentile(95), 19.5);
    expect(t.percentile(0)).toBe(10);
    expect(t.percentile(100)).toBe(20);
  });

  it('returns 0 with no sample and the value with one', () => {
    const t = new TrendHistogram();
    expect(t.percentile(95)).toBe(0);
    t.add(3.25);
    expect(t.percentile(95)).toBe(3.25);
  });

  it('keeps every percentile within 0.1 % over k6 ms values from 100 ns to 60 s', () => {
    const next = lcg(42);
    const t = new TrendHistogram();
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      // log-uniform over 1e-4 ms .. 6e4 ms
      const v = 10 ** (-4 + next() * 8.778);
      values.push(v);
      t.add(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [1, 10, 50, 90, 95, 99, 99.9, 99.99]) {
      const exact = exactPercentile(values, p);
      expect(Math.abs(t.percentile(p) - exact) / exact).toBeLessThan(0.001);
    }
    expect(t.min).toBe(values[0]);
    expect(t.max).toBe(values[values.length - 1]);
  });

  it('keeps sub-microsecond time values (k6 reports 127 ns blocked times as 0.000127 ms)', () => {
    const t = new TrendHistogram();
    for (const v of [0.000127, 0.000219, 0.000219, 0.000239]) t.add(v);
    expect(t.percentile(50)).toBeCloseTo(0.000219, 6);
  });

  it('handles negative values of custom trends', () => {
    const t = new TrendHistogram();
    for (const v of [-30, -10, 0, 10, 30]) t.add(v);
    expect(t.percentile(50)).toBeCloseTo(0, 3);
    expect(t.percentile(25)).toBeCloseTo(-10, 1);
    expect(t.percentile(75)).toBeCloseTo(10, 1);
    expect(t.min).toBe(-30);
  });

  it('merging serialised halves equals one histogram, bit for bit', () => {
    const next = lcg(7);
    const whole = new TrendHistogram();
    const a = new TrendHistogram();
    const b = new TrendHistogram();
    for (let i = 0; i < 10_000; i++) {
      const v = next() * 2000 - (i % 97 === 0 ? 5 : 0);
      whole.add(v);
      (i % 2 ? a : b).add(v);
    }
    const merged = new TrendHistogram();
    merged.merge(structuredClone(a.toData()));
    merged.merge(structuredClone(b.toData()));
    expect(merged.count).toBe(whole.count);
    expect(merged.min).toBe(whole.min);
    expect(merged.max).toBe(whole.max);
    expect(merged.sum).toBeCloseTo(whole.sum, 6);
    for (const p of [0, 1, 25, 50, 90, 95, 99, 99.9, 100]) expect(merged.percentile(p)).toBe(whole.percentile(p));
    expect(merged.toData().positive).toEqual(whole.toData().positive);
  });
});
