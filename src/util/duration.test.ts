import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { durationMs, formatDuration, parseDuration, parseFlagDuration } from './duration.js';

describe('durations as k6 reads them', () => {
  it('reads Go duration parts, in any combination', () => {
    expect(durationMs('30s')).toBe(30_000);
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('1h2m3s')).toBe(3_723_000);
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs('1.5s')).toBe(1500);
    expect(durationMs('.5s')).toBe(500);
    expect(durationMs('250us')).toBe(0.25);
    expect(durationMs('250µs')).toBe(0.25);
    expect(durationMs('1500000ns')).toBe(1.5);
    expect(durationMs(' 10s ')).toBe(10_000);
  });

  it('reads leading whole days, as k6 extends Go', () => {
    expect(durationMs('2d')).toBe(2 * 86_400_000);
    expect(durationMs('1d12h')).toBe(36 * 3_600_000);
    expect(durationMs('1.5d')).toBeUndefined();
    expect(durationMs('1h1d')).toBeUndefined();
  });

  it('reads a plain number, or a text of one, as milliseconds', () => {
    expect(durationMs(250)).toBe(250);
    expect(durationMs('250')).toBe(250);
    expect(durationMs('2.5')).toBe(2.5);
    expect(durationMs('0')).toBe(0);
  });

  it('refuses what is not a duration, negative ones included', () => {
    for (const bad of ['', 's', '5 seconds', '1x', '1m30', '10 s', '-1s', 'soon']) expect(durationMs(bad), bad).toBeUndefined();
    expect(durationMs(-1)).toBeUndefined();
    expect(durationMs(Number.NaN)).toBeUndefined();
  });

  it('names the flag in the usage error', () => {
    expect(() => parseDuration('soon', '--interval')).toThrow(UsageError);
    expect(() => parseDuration('soon', '--interval')).toThrow('--interval: "soon" is not a duration; write it like "30s", "1m30s" or "500ms"');
  });

  it('formats as k6 prints', () => {
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(350)).toBe('350ms');
    expect(formatDuration(2500)).toBe('2.5s');
  });
});

describe('parseFlagDuration: our own flags', () => {
  it("reads k6's durations, and a bare number as seconds", () => {
    expect(parseFlagDuration('20', '--timeout')).toBe(20_000);
    expect(parseFlagDuration('1.5', '--timeout')).toBe(1500);
    expect(parseFlagDuration('1m30s', '--timeout')).toBe(90_000);
    expect(parseFlagDuration('7d', '--older-than')).toBe(7 * 86_400_000);
    expect(() => parseFlagDuration('soon', '--timeout')).toThrow('--timeout: "soon" is not a duration');
  });
});
