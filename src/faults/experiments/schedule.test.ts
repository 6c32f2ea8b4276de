import { describe, expect, it } from 'vitest';
import { chaosPlan, methodSteps } from './schedule.js';
import { experimentSchema, type ChaosExperiment } from './schema.js';

function experiment(raw: Record<string, unknown>): ChaosExperiment {
  return { ...experimentSchema.parse({ title: 't', ...raw }), file: 'e.yaml' };
}

const lag = (extra: Record<string, unknown>) => ({ action: 'add-toxic', proxy: 'shop', toxic: { type: 'latency', attributes: { latency: 300 } }, ...extra });

describe('chaosPlan', () => {
  it('sorts the probes into their stages and keeps the interval and settle unscaled', () => {
    const plan = chaosPlan(
      experiment({
        'steady-state-hypothesis': {
          interval: '100ms',
          settle: '2s',
          probes: [
            { name: 'always', http: { url: 'http://x' } },
            { name: 'only-during', when: ['during'], load: { metric: 'm' }, tolerance: { max: 1 } },
            { name: 'edges', when: ['before', 'after'], load: { metric: 'm' }, tolerance: { max: 1 } },
          ],
        },
        method: [lag({ at: '10s', duration: '20s' })],
      }),
      0.1,
    );
    expect(Object.fromEntries(Object.entries(plan.probes).map(([stage, probes]) => [stage, probes.map((p) => p.name)]))).toEqual({
      before: ['always', 'edges'],
      during: ['always', 'only-during'],
      after: ['always', 'edges'],
    });
    expect(plan).toMatchObject({ intervalMs: 100, settleMs: 2000 });
    expect(plan.steps).toEqual([
      { atMs: 1000, kind: 'inject', action: 0 },
      { atMs: 3000, kind: 'revert', action: 0, holdMs: 2000 },
    ]);
  });

  it("takes the hypothesis' defaults: every 2 s during, 1 s settle, no probes", () => {
    const plan = chaosPlan(experiment({ method: [{ action: 'disable-proxy', proxy: 'shop', duration: '1s' }] }), 1);
    expect(plan).toMatchObject({ intervalMs: 2000, settleMs: 1000, probes: { before: [], during: [], after: [] } });
  });
});

describe('methodSteps', () => {
  const method = (actions: Array<Record<string, unknown>>) => experiment({ method: actions }).method;

  it('puts every action in at its offset and undoes it when its duration is over, in time order', () => {
    const steps = methodSteps(method([lag({ at: '5s', duration: '10s' }), { action: 'disable-proxy', proxy: 'db', at: '1s', duration: '2s' }]), 1);
    expect(steps.map((s) => [s.atMs, s.kind, s.action])).toEqual([
      [1000, 'inject', 1],
      [3000, 'revert', 1],
      [5000, 'inject', 0],
      [15_000, 'revert', 0],
    ]);
  });

  it('undoes before it puts in at the same instant, so back-to-back faults do not overlap', () => {
    const steps = methodSteps(method([lag({ duration: '1s' }), lag({ at: '1s', duration: '1s', toxic: { name: 'second', type: 'latency' } })]), 1);
    expect(steps.map((s) => [s.atMs, s.kind, s.action])).toEqual([
      [0, 'inject', 0],
      [1000, 'revert', 0],
      [1000, 'inject', 1],
      [2000, 'revert', 1],
    ]);
  });

  it('leaves an action without a duration in place (the rollback at the end undoes it)', () => {
    expect(methodSteps(method([{ action: 'enable-proxy', proxy: 'shop', at: '2s' }]), 1)).toEqual([{ atMs: 2000, kind: 'inject', action: 0 }]);
  });

  it('compresses offsets and durations by the time scale', () => {
    const steps = methodSteps(method([lag({ at: '1m', duration: '30s' })]), 0.05);
    expect(steps).toEqual([
      { atMs: 3000, kind: 'inject', action: 0 },
      { atMs: 4500, kind: 'revert', action: 0, holdMs: 1500 },
    ]);
  });
});
