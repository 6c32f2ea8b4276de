import { describe, expect, it } from 'vitest';
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

  it('shows phase, time left, traffic, scaled services and faults', () => {
    const line = formatDrillStatus({ ...status, activeFaults: [{ start: 0, end: Infinity, proxy: 'recommendations', experiment: 'x', kind: 'disable' }] });
    expect(line).toBe('surge    01:12/03:00 (01:48 left) | 412 req/s p95 87ms err 0.2% | replicas catalog 3 search 2 | faults recommendations:down');
  });

  it('names a toxic by its type', () => {
    const latency = { start: 0, end: Infinity, proxy: 'payments', experiment: 'x', kind: 'toxic' as const, toxic: { name: 'peakready-l', type: 'latency' } };
    expect(formatDrillStatus({ ...status, activeFaults: [latency] })).toMatch(/\| faults payments:latency$/);
    expect(formatDrillStatus({ ...status, activeFaults: [] })).toMatch(/\| faults none$/);
  });
});
