import { describe, expect, it } from 'vitest';
import { activeFaults, formatDrillStatus } from './progress.js';

describe('drill progress line', () => {
  it('shows phase, time left, traffic, scaled services and faults', () => {
    const line = formatDrillStatus({
      phase: 'surge',
      elapsedMs: 72_000,
      totalMs: 180_000,
      requestsPerSecond: 411.6,
      p95Ms: 86.7,
      errorRate: 0.0021,
      replicas: { gateway: 1, catalog: 3, search: 2 },
      activeFaults: ['recommendations:down'],
    });
    expect(line).toBe('surge    01:12/03:00 (01:48 left) | 412 req/s p95 87ms err 0.2% | replicas catalog 3 search 2 | faults recommendations:down');
  });

  it('tracks faults switched on and off', () => {
    const base = { experiment: 'x', t: 0 } as const;
    expect(
      activeFaults([
        { ...base, type: 'fault', state: 'on', proxy: 'recommendations', kind: 'disable' },
        { ...base, type: 'fault', state: 'on', proxy: 'payments', kind: 'toxic', toxic: { name: 'l', type: 'latency', stream: 'downstream', toxicity: 1, attributes: {} } },
        { ...base, type: 'fault', state: 'off', proxy: 'recommendations', kind: 'disable' },
      ]),
    ).toEqual(['payments:latency']);
  });
});
