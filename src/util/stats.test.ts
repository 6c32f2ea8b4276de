import { describe, expect, it } from 'vitest';
import { exceedanceGreater, hypergeometricUpperTail, mannWhitneyGreater, normalUpperTail } from './stats.js';

/** a deterministic pseudo-random stream (LCG), so the samples are the same on every run */
function stream(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** n normal-ish latencies (sum of 12 uniforms: mean `mean`, sd `sd`) */
function latencies(n: number, mean: number, sd: number, seed: number): number[] {
  const random = stream(seed);
  return Array.from({ length: n }, () => {
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += random();
    return mean + (sum - 6) * sd;
  });
}

describe('the standard normal tail', () => {
  it('matches the table values', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 14);
    expect(normalUpperTail(1)).toBeCloseTo(0.158655253931457, 13);
    expect(normalUpperTail(1.959963984540054)).toBeCloseTo(0.025, 13);
    expect(normalUpperTail(3.090232306167813)).toBeCloseTo(0.001, 13);
    expect(normalUpperTail(-1)).toBeCloseTo(0.841344746068543, 13);
    // both sides of the switch from the series to the continued fraction
    expect(normalUpperTail(3)).toBeCloseTo(0.00134989803163, 13);
    expect(normalUpperTail(4.2426406871193)).toBeCloseTo(1.104525e-5, 10);
    expect(normalUpperTail(6) / 9.865876450377e-10).toBeCloseTo(1, 8);
  });
});

describe('the Mann-Whitney U test (one-sided: the later sample is larger)', () => {
  it('gives the exact distribution of U for small samples without ties (counted by hand)', () => {
    // 3 v 3: U of the 20 orderings is 0,1,2,2,3,3,3,4,4,4,5,5,5,6,6,6,7,7,8,9
    expect(mannWhitneyGreater([1, 2, 3], [4, 5, 6])).toMatchObject({ u: 9, p: 1 / 20, method: 'exact', superiority: 1, cliffsDelta: 1 });
    const interleaved = mannWhitneyGreater([1, 3, 5], [2, 4, 6]);
    expect(interleaved).toMatchObject({ u: 6, method: 'exact' });
    expect(interleaved.p).toBeCloseTo(7 / 20, 14);
    expect(interleaved.cliffsDelta).toBeCloseTo(1 / 3, 14);
    // 4 v 4 completely apart: one ordering of C(8,4) = 70
    expect(mannWhitneyGreater([1, 2, 3, 4], [5, 6, 7, 8]).p).toBeCloseTo(1 / 70, 14);
    expect(mannWhitneyGreater([5, 6, 7, 8], [1, 2, 3, 4])).toMatchObject({ u: 0, p: 1, cliffsDelta: -1 });
  });

  it('uses mid-ranks and the tie-corrected normal approximation when values tie (worked by hand)', () => {
    // earlier 1 2 2 3, later 2 3 3 4: ranks 1 | 2 2 2 -> 3 | 3 3 3 -> 6 | 8; later ranks 3+6+6+8 = 23
    // U = 23 - 10 = 13; mean 8; ties 3 and 3: sum(t^3 - t) = 48; var = 16/12 * (9 - 48/56) = 10.857
    // z = (13 - 8 - 0.5) / sqrt(10.857) = 1.3657; P(Z >= 1.3657) = 0.0860
    const test = mannWhitneyGreater([1, 2, 2, 3], [2, 3, 3, 4]);
    expect(test).toMatchObject({ u: 13, method: 'normal' });
    expect(test.p).toBeCloseTo(normalUpperTail(4.5 / Math.sqrt((16 / 12) * (9 - 48 / 56))), 14);
    expect(test.p).toBeCloseTo(0.086, 3);
    expect(test.superiority).toBeCloseTo(13 / 16, 14);
  });

  it('the normal approximation agrees with the exact distribution near its switch-over', () => {
    const earlier = latencies(40, 100, 10, 1);
    const later = latencies(40, 104, 10, 2);
    const exact = mannWhitneyGreater(earlier, later);
    expect(exact.method).toBe('exact');
    const normal = mannWhitneyGreater([...earlier, earlier[0]!], [...later, earlier[0]!]);
    expect(normal.method).toBe('normal');
    expect(Math.abs(normal.p - exact.p)).toBeLessThan(0.02);
  });

  it('finds no difference between identical samples', () => {
    const same = latencies(500, 30, 5, 7);
    const test = mannWhitneyGreater(same, same);
    expect(test.superiority).toBe(0.5);
    expect(test.p).toBeGreaterThan(0.49);
    expect(mannWhitneyGreater([5, 5, 5], [5, 5, 5]).p).toBe(1);
  });

  it('does not call two samples of one distribution different, either way', () => {
    const earlier = latencies(2000, 30, 5, 11);
    const later = latencies(3000, 30, 5, 12);
    expect(mannWhitneyGreater(earlier, later).p).toBeGreaterThan(0.05);
    expect(mannWhitneyGreater(later, earlier).p).toBeGreaterThan(0.05);
  });

  it('is sure of a clear shift, and only in its direction', () => {
    const earlier = latencies(300, 30, 5, 3);
    const later = latencies(300, 33, 5, 4);
    const slower = mannWhitneyGreater(earlier, later);
    expect(slower.p).toBeLessThan(0.001);
    expect(slower.superiority).toBeGreaterThan(0.6);
    expect(mannWhitneyGreater(later, earlier).p).toBeGreaterThan(0.999);
  });

  it('refuses an empty sample', () => {
    expect(() => mannWhitneyGreater([], [1])).toThrow(/at least one value/);
  });
});

describe('the exceedance test (more of the later values above a threshold)', () => {
  it('is Fisher\'s exact test: the hypergeometric tail (counted by hand)', () => {
    // 8 values, 4 above, 4 drawn: all 4 above in 1 of C(8,4) = 70 draws; at least 3 in 1 + 16
    expect(hypergeometricUpperTail(8, 4, 4, 4)).toBeCloseTo(1 / 70, 14);
    expect(hypergeometricUpperTail(8, 4, 4, 3)).toBeCloseTo(17 / 70, 14);
    expect(hypergeometricUpperTail(8, 4, 4, 0)).toBe(1);
    expect(hypergeometricUpperTail(8, 4, 4, 5)).toBe(0);
  });

  it('sees a few very slow requests that the rank test hardly sees', () => {
    const earlier = latencies(400, 50, 5, 5);
    const later = earlier.map((v, i) => (i % 20 === 0 ? 1500 : v));
    const threshold = [...earlier].sort((a, b) => a - b)[379]!;
    const tail = exceedanceGreater(earlier, later, threshold);
    expect(tail.laterAbove).toBeGreaterThan(tail.earlierAbove);
    expect(tail.p).toBeLessThan(0.02);
    expect(mannWhitneyGreater(earlier, later).p).toBeGreaterThan(0.1);
  });
});
