import { describe, expect, it } from 'vitest';
import type { TimelineEvent } from '../run/records.js';
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
