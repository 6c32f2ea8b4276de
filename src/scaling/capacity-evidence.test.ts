import { describe, expect, it } from 'vitest';
import type { MetricSample, RequestRecord, TimelineEvent } from '../run/records.js';
import { capacityEvidence } from './capacity-evidence.js';

const T0 = 1_700_000_000_000;
const readyNote = (timeline: TimelineEvent[]) =>
  capacityEvidence({ service: 'gateway', scaleOutAt: T0, timeline, samples: [], requests: [], syncPeriodMs: 1500 }).evidence[0];

describe('when the added replicas became ready', () => {
  it('local stack: the new replica\'s own ready event, not the old replica counted in the scale event', () => {
    expect(
      readyNote([
        { t: T0 + 15, type: 'replica', service: 'gateway', replica: 'gateway-2', pid: 2, state: 'started' },
        { t: T0 + 15, type: 'replicas', service: 'gateway', from: 1, to: 2, ready: 1 },
        { t: T0 + 692, type: 'replica', service: 'gateway', replica: 'gateway-2', pid: 2, state: 'ready' },
      ]),
    ).toBe('new replicas ready 0.7s after the decision');
  });

  it('a cluster: when the Deployment\'s ready count rises above what it was at the scale-out', () => {
    expect(
      readyNote([
        { t: T0 + 100, type: 'replicas', service: 'gateway', from: 1, to: 3, ready: 1 },
        { t: T0 + 12_000, type: 'replicas', service: 'gateway', from: 3, to: 3, ready: 2 },
        { t: T0 + 20_000, type: 'replicas', service: 'gateway', from: 3, to: 3, ready: 3 },
      ]),
    ).toBe('new replicas ready 12.0s after the decision');
  });
});

describe('whether the scale-out added capacity', () => {
  // recommendations at a fixed arrival rate: one replica at 150 % of its 100m request, then two
  const cpu = (t: number, replica: string, utilization: number): MetricSample => ({ t, source: 'cpu', service: 'recommendations', replica, pid: 1, cpuSeconds: 0, utilization, requestMillicores: 100 });
  const timeline: TimelineEvent[] = [
    { t: T0 + 10, type: 'replicas', service: 'recommendations', from: 1, to: 2, ready: 1 },
    { t: T0 + 700, type: 'replica', service: 'recommendations', replica: 'recommendations-2', pid: 2, state: 'ready' },
  ];
  const load = (from: number, to: number, p95: number): RequestRecord[] =>
    Array.from({ length: 100 }, (_, i) => ({ t: from + ((to - from) * i) / 100, scenario: 's', name: 'n', method: 'GET', status: 200, duration: i < 95 ? p95 - 1 : p95, failed: false }));
  const evidence = (afterUtilization: number, afterP95: number) => {
    const samples: MetricSample[] = [];
    for (let t = T0 - 4500; t < T0; t += 1500) samples.push(cpu(t, 'recommendations-1', 150));
    for (let t = T0 + 2500; t < T0 + 8000; t += 1500) samples.push(cpu(t, 'recommendations-1', afterUtilization), cpu(t, 'recommendations-2', afterUtilization));
    const requests = [...load(T0 - 4500, T0, 207), ...load(T0 + 2300, T0 + 8000, afterP95)];
    return capacityEvidence({ service: 'recommendations', scaleOutAt: T0, timeline, samples, requests, syncPeriodMs: 1500 });
  };

  it('counts headroom: more CPU for the service and each replica far less busy, at a fixed arrival rate with latency held', () => {
    const result = evidence(85, 200);
    expect(result.grew).toBe(true);
    expect(result.evidence).toContain('recommendations CPU per replica: 150% of request before → 85.0% after, total 150m → 170m (headroom added)');
  });

  it('not when latency got worse, when the replicas are about as busy as before, or when the service got no more CPU', () => {
    expect(evidence(85, 260).grew).toBe(false);
    expect(evidence(140, 200).grew).toBe(false);
    // two replicas at 75 %: the same 150m as one at 150 %, shared out (saturated cores)
    expect(evidence(75, 200).grew).toBe(false);
    expect(evidence(75, 200).spareBefore).toBe(false);
  });

  it('says when the service had spare CPU before scaling, so that no load it kept up with could show growth', () => {
    const samples: MetricSample[] = [];
    for (let t = T0 - 4500; t < T0; t += 1500) samples.push(cpu(t, 'recommendations-1', 67));
    for (let t = T0 + 2500; t < T0 + 8000; t += 1500) samples.push(cpu(t, 'recommendations-1', 42), cpu(t, 'recommendations-2', 42));
    const requests = [...load(T0 - 4500, T0, 176), ...load(T0 + 2300, T0 + 8000, 188)];
    const result = capacityEvidence({ service: 'recommendations', scaleOutAt: T0, timeline, samples, requests, syncPeriodMs: 1500 });
    expect(result).toMatchObject({ grew: false, spareBefore: true });
    expect(result.evidence.at(-1)).toContain('had spare CPU before the scale-out (67.0% of request per replica)');
  });
});
