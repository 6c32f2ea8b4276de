import { describe, expect, it } from 'vitest';
import { formatBytes, formatNumber, formatTime, formatValue } from './value-format.js';

describe('formatTime', () => {
  it('picks the largest fitting unit with two decimals, like k6', () => {
    expect(formatTime(0)).toBe('0s');
    expect(formatTime(0.000127)).toBe('127ns');
    expect(formatTime(0.06179921)).toBe('61.8µs');
    expect(formatTime(44.9799197)).toBe('44.98ms');
    expect(formatTime(1347.61271)).toBe('1.35s');
    expect(formatTime(90_250)).toBe('1m30.25s');
    expect(formatTime(3_725_000)).toBe('1h2m5s');
  });

  it('uses summaryTimeUnit when given', () => {
    expect(formatTime(1500, 's')).toBe('1.5s');
    expect(formatTime(1.5, 'ms')).toBe('1.5ms');
    expect(formatTime(1.5, 'us')).toBe('1500µs');
  });
});

describe('formatBytes', () => {
  it('uses SI units, no decimal from 10 up', () => {
    expect(formatBytes(7)).toBe('7 B');
    expect(formatBytes(2_369_335)).toBe('2.4 MB');
    expect(formatBytes(372_009_371)).toBe('372 MB');
    expect(formatBytes(78_929.4)).toBe('79 kB');
    expect(formatBytes(999_999)).toBe('1.0 MB');
  });
});

describe('formatNumber / formatValue', () => {
  it('shows integers as they are and others with up to six decimals', () => {
    expect(formatNumber(16510)).toBe('16510');
    expect(formatNumber(549.995877862512)).toBe('549.995878');
    expect(formatValue(0.5, 'default')).toBe('0.5');
    expect(formatValue(1500, 'data')).toBe('1.5 kB');
    expect(formatValue(1500, 'time')).toBe('1.5s');
  });
});
