import { describe, expect, it } from 'vitest';
import { formatChaosProgress, ProbeFeed } from './probe-feed.js';
import { boundText } from './probes.js';

describe('probe results on change and on failure', () => {
  it('a line for the first result in a stage and for every change; repeats are silent, a lasting failure says so every 10 s', () => {
    const lines: string[] = [];
    let now = 0;
    const feed = new ProbeFeed((l) => lines.push(l), () => now);
    const ok = { ok: true, value: 12, detail: 'status 200 in 12 ms' };
    const fail = { ok: false, value: 900, detail: 'status 200 in 900 ms (over 500 ms)' };
    feed.record('before', 'product page', ok);
    for (let i = 0; i < 30; i++) {
      now += 2000;
      feed.record('during', 'product page', i >= 10 && i < 20 ? fail : ok);
    }
    now += 2000;
    feed.record('after', 'product page', ok);
    expect(lines).toEqual([
      'peakready: probe before ok   product page: status 200 in 12 ms',
      'peakready: probe during ok   product page: status 200 in 12 ms',
      'peakready: probe during FAIL product page: status 200 in 900 ms (over 500 ms)',
      'peakready: probe during FAIL product page: status 200 in 900 ms (over 500 ms) (failing 6 times in a row)',
      'peakready: probe during ok   product page: status 200 in 12 ms (after 10 failures)',
      'peakready: probe after ok   product page: status 200 in 12 ms',
    ]);
    expect(feed.tally).toEqual({ ok: 22, failed: 10, skipped: 0 });
  });

  it('a skipped probe is said once, and counted apart', () => {
    const lines: string[] = [];
    const feed = new ProbeFeed((l) => lines.push(l), () => 0);
    for (let i = 0; i < 5; i++) feed.record('during', 'errors', { ok: true, value: null, detail: 'no value yet for http_req_failed.rate', skipped: true });
    expect(lines).toEqual(['peakready: probe during skip errors: no value yet for http_req_failed.rate']);
    expect(feed.tally).toEqual({ ok: 0, failed: 0, skipped: 5 });
  });

  it('a progress line', () => {
    expect(formatChaosProgress({ stage: 'during', elapsedMs: 24_000, totalMs: 60_000, faultsOn: 1, tally: { ok: 12, failed: 1, skipped: 0 } })).toBe('during 00:24/01:00 | 1 fault on | probes 12 ok, 1 failed');
    expect(formatChaosProgress({ stage: 'after', elapsedMs: 61_000, totalMs: 60_000, faultsOn: 0, tally: { ok: 3, failed: 0, skipped: 2 } })).toBe('after 01:01/01:00 | no fault on | probes 3 ok, 0 failed, 2 skipped');
  });

  it('a tolerance as a reader says it, never -∞', () => {
    expect(boundText(undefined, 0.01)).toBe('at most 0.01');
    expect(boundText(4, undefined)).toBe('at least 4');
    expect(boundText(4, 8)).toBe('between 4 and 8');
    expect(boundText(4, 4)).toBe('exactly 4');
  });
});
