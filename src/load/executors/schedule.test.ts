import { describe, expect, it } from 'vitest';
import { arrivalTime, iterationsDue, rampingVusTarget, rateSegments } from './schedule.js';

describe('schedule maths', () => {
  it('constant rate: iteration k starts at k / rate', () => {
    const s = rateSegments(5 / 1000, [{ duration: 10_000, target: 5 }], 1000);
    expect(arrivalTime(s, 0)).toBe(0);
    expect(arrivalTime(s, 1)).toBeCloseTo(200);
    expect(arrivalTime(s, 49)).toBeCloseTo(9800);
    expect(arrivalTime(s, 50)).toBeUndefined();
    expect(iterationsDue(s, 10_000)).toBeCloseTo(50);
  });

  it('a ramp inverts its integral', () => {
    const s = rateSegments(0, [{ duration: 10_000, target: 100 }, { duration: 5000, target: 100 }], 1000);
    expect(iterationsDue(s, 10_000)).toBeCloseTo(500);
    for (const k of [1, 10, 250, 499, 500, 700, 999]) expect(iterationsDue(s, arrivalTime(s, k)!)).toBeCloseTo(k, 6);
    expect(arrivalTime(s, 1000)).toBeUndefined();
  });

  it('timeUnit scales the rate (rate per minute)', () => {
    const s = rateSegments(60 / 60_000, [{ duration: 60_000, target: 60 }], 60_000);
    expect(arrivalTime(s, 30)).toBeCloseTo(30_000);
  });

  it('ramping-vus target is linear within a stage', () => {
    const stages = [{ duration: 10_000, target: 10 }, { duration: 10_000, target: 0 }];
    expect(rampingVusTarget(0, stages, 0)).toBe(0);
    expect(rampingVusTarget(0, stages, 5000)).toBe(5);
    expect(rampingVusTarget(0, stages, 10_000)).toBe(10);
    expect(rampingVusTarget(0, stages, 15_000)).toBe(5);
    expect(rampingVusTarget(0, stages, 25_000)).toBe(0);
  });
});
