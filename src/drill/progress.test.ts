import { describe, expect, it } from 'vitest';
import type { FaultWindow } from '../run/timeline.js';
import { formatDrillStatus } from './progress.js';

describe('drill progress line', () => {
  const status = {
    phase: 'surge',
    elapsedMs: 72_000,
    totalMs: 180_000,
    requestsPerSecond: 411.6,
    p95Ms: 86.7,
    errorRate: 0.0021,
    replicas: { gateway: 1, catalog: 3, search: 2 },
  };
  const outage: FaultWindow = { start: 0, end: Infinity, proxy: 'recommendations', experiment: 'x', kind: 'toxic', toxic: { name: 'peakready-t', type: 'timeout' } };

  it('puts what matters first: phase, time left, errors, faults, replicas; then traffic and the clock', () => {
    const line = formatDrillStatus({ ...status, activeFaults: [{ start: 0, end: Infinity, proxy: 'recommendations', experiment: 'x', kind: 'disable' }] });
    expect(line).toBe('surge 01:48 left | err 0.2% | faults recommendations:down | replicas catalog 3 search 2 | 412 req/s p95 87ms | 01:12/03:00');
  });

  it('names a toxic by its type, and says when no fault is on', () => {
    const latency: FaultWindow = { start: 0, end: Infinity, proxy: 'payments', experiment: 'x', kind: 'toxic', toxic: { name: 'peakready-l', type: 'latency' } };
    expect(formatDrillStatus({ ...status, activeFaults: [latency] })).toContain('| faults payments:latency |');
    expect(formatDrillStatus({ ...status, activeFaults: [] })).toContain('| no faults |');
  });

  it('at the peak of a big stack, a 100- or 120-column terminal still shows the active fault', () => {
    const many = Object.fromEntries(['gateway', 'catalog', 'search', 'cart', 'checkout', 'payments', 'inventory', 'orders', 'recommendations'].map((s, i) => [s, 10 + i]));
    const peak = { ...status, requestsPerSecond: 12_345, p95Ms: 1234.5, errorRate: 0.1234, replicas: many, activeFaults: [outage] };
    expect(formatDrillStatus(peak).length).toBeGreaterThan(130);
    for (const width of [80, 100, 120]) {
      const line = formatDrillStatus(peak, width);
      expect(line.length, line).toBeLessThanOrEqual(width);
      expect(line).toMatch(/^surge 01:48 left \| err 12\.3% \| faults recommendations:timeout/);
    }
    // a long replica list is shortened before it is dropped
    expect(formatDrillStatus(peak, 100)).toMatch(/\| replicas gateway 10 .*\+\d+ more$/);
  });

  it('keeps the phase, time left, errors and faults even on a very narrow terminal', () => {
    const two = { ...status, activeFaults: [outage, { ...outage, proxy: 'payments', toxic: { name: 'p', type: 'latency' } }] };
    expect(formatDrillStatus(two, 70)).toBe('surge 01:48 left | err 0.2% | faults recommendations:timeout +1 more');
    expect(formatDrillStatus(two, 50)).toBe('surge 01:48 left | err 0.2% | faults recommendati…');
  });
});
