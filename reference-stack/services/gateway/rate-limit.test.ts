import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './rate-limit.js';

describe('TokenBuckets', () => {
  it('allows a burst, then refuses with the wait until the next token', () => {
    const buckets = new TokenBuckets(2, 3);
    expect([0, 0, 0].map(() => buckets.take('a', 1000))).toEqual([0, 0, 0]);
    expect(buckets.take('a', 1000)).toBeCloseTo(0.5);
    expect(buckets.take('a', 1250)).toBeCloseTo(0.25);
    expect(buckets.take('a', 1500)).toBe(0);
  });

  it('keeps one bucket per client and refills up to the burst only', () => {
    const buckets = new TokenBuckets(1, 2);
    buckets.take('a', 0);
    buckets.take('a', 0);
    expect(buckets.take('a', 0)).toBeGreaterThan(0);
    expect(buckets.take('b', 0)).toBe(0);
    // an hour later the bucket holds 2 tokens, not 3600
    expect([buckets.take('a', 3_600_000), buckets.take('a', 3_600_000), buckets.take('a', 3_600_000) > 0]).toEqual([0, 0, true]);
  });

  it('forgets idle clients when the table is full', () => {
    const buckets = new TokenBuckets(10, 1, 2);
    buckets.take('a', 0);
    buckets.take('b', 0);
    expect(buckets.take('c', 10_000)).toBe(0);
    expect(buckets.take('c', 10_000)).toBeGreaterThan(0);
  });
});
