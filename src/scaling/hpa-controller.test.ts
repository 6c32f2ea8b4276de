import { describe, expect, it } from 'vitest';
import { emptyMemory, type BehaviorMemory } from './behavior.js';
import { hpaSync, type ScaleDecision } from './hpa-controller.js';
import { completeBehavior, defaultBehavior, type HpaSpec, type ScalingRules } from './hpa-spec.js';
import { proposeReplicas, type CalculatorContext, type PodSample } from './replica-calculator.js';

const REQUEST = 1000;
const cpuTarget = (averageUtilization: number) => ({ name: 'cpu', type: 'Utilization' as const, averageUtilization });
const spec = (over: Partial<HpaSpec> = {}): HpaSpec => ({
  name: 'catalog',
  minReplicas: 1,
  maxReplicas: 100,
  metrics: [cpuTarget(50)],
  behavior: defaultBehavior(),
  tolerance: 0.1,
  ...over,
});
/** A pod Running and Ready since long ago, or Running and never Ready (started 10 min ago), measuring `usage`. */
const pod = (name: string, usage: number | undefined, ready = true, request: number | undefined = REQUEST): PodSample => ({
  name,
  phase: 'Running',
  ready: { status: ready, since: ready ? -Infinity : -600_000 },
  startTime: ready ? -Infinity : -600_000,
  ...(usage !== undefined ? { usage } : {}),
  ...(request !== undefined ? { request } : {}),
});
/** n ready (or never-ready) pods each at `percent` % of a 1000m request */
const pods = (n: number, percent: number, ready = true): PodSample[] =>
  Array.from({ length: n }, (_, i) => pod(`${ready ? 'ready' : 'unready'}-${percent}-${i}`, (percent * REQUEST) / 100, ready));
const tol = { up: 0.1, down: 0.1 };
/** the calculator's context at t = 0 with the controller's default flags */
const ctx = (currentReplicas: number): CalculatorContext => ({ currentReplicas, tolerances: tol, now: 0, cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000 });

/** Runs syncs over simulated time: `totalUsage` millicores spread over the current replicas. */
function run(s: HpaSpec, start: number, steps: Array<{ t: number; totalUsage: number }>): ScaleDecision[] {
  let memory: BehaviorMemory = emptyMemory();
  let current = start;
  const out: ScaleDecision[] = [];
  for (const step of steps) {
    const each = Math.trunc(step.totalUsage / current);
    const input = { kind: 'pods' as const, pods: Array.from({ length: current }, (_, i) => pod(`p${i}`, each)) };
    const r = hpaSync(s, memory, { now: step.t, currentReplicas: current, metrics: { cpu: input } });
    memory = r.memory;
    current = r.decision.desired;
    out.push(r.decision);
  }
  return out;
}
const every = (periodMs: number, count: number, totalUsage: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({ t: from + i * periodMs, totalUsage }));

describe('replica calculator (one metric)', () => {
  it('docs: 200m against a 100m target doubles the replicas, 50m halves them', () => {
    const avg = { name: 'packets', type: 'AverageValue' as const, averageValue: 100 };
    const at = (usage: number) => Array.from({ length: 4 }, (_, i) => pod(`p${i}`, usage, true, undefined));
    expect(proposeReplicas(avg, { kind: 'pods', pods: at(200) }, ctx(4))).toMatchObject({ ok: true, replicas: 8, usageRatio: 2 });
    expect(proposeReplicas(avg, { kind: 'pods', pods: at(50) }, ctx(4))).toMatchObject({ ok: true, replicas: 2, usageRatio: 0.5 });
  });

  it('skips scaling within the 0.1 tolerance, both ways, and scales just outside it', () => {
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: pods(4, 54) }, ctx(4))).toMatchObject({ replicas: 4, limitedBy: 'tolerance' });
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: pods(4, 46) }, ctx(4))).toMatchObject({ replicas: 4, limitedBy: 'tolerance' });
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: pods(4, 45) }, ctx(4))).toMatchObject({ replicas: 4, limitedBy: 'tolerance' });
    // Tolerances.isWithin (1.33+) compares in float64: 55/50 and 1 + 0.1 are the same double, so
    // exactly +10 % stays (the older |1 − ratio| ≤ 0.1 scaled it: 0.10000000000000009 > 0.1)
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: pods(4, 55) }, ctx(4))).toMatchObject({ replicas: 4, limitedBy: 'tolerance' });
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: pods(4, 56) }, ctx(4))).toMatchObject({ replicas: 5, limitedBy: 'none' });
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: pods(4, 44) }, ctx(4))).toMatchObject({ replicas: 4, limitedBy: 'none' });
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: pods(10, 44) }, ctx(10))).toMatchObject({ replicas: 9 });
  });

  it('truncates utilization to an integer percent before dividing, as the HPA status shows it', () => {
    // 44.9 % reads as 44 %: ratio 0.88 is outside the tolerance (0.898 would be inside)
    const p = Array.from({ length: 10 }, (_, i) => pod(`p${i}`, 449));
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: p }, ctx(10))).toMatchObject({ current: 44, replicas: 9, limitedBy: 'none' });
  });

  it('scale-up with unready pods counts them at 0 %', () => {
    // 3 ready at 100 % of a 50 % target, 1 starting: (300 + 0) / 4 = 75 % → ratio 1.5 → 6
    const r = proposeReplicas(cpuTarget(50), { kind: 'pods', pods: [...pods(3, 100), ...pods(1, 0, false)] }, ctx(4));
    expect(r).toMatchObject({ replicas: 6, limitedBy: 'none', usageRatio: 2 });
  });

  it('scale-down ignores unready pods', () => {
    const r = proposeReplicas(cpuTarget(50), { kind: 'pods', pods: [...pods(4, 10), ...pods(2, 90, false)] }, ctx(6));
    expect(r).toMatchObject({ replicas: 1 });
  });

  it('missing metrics count as 100 % of request on a scale-down and 0 % on a scale-up', () => {
    const missing = (n: number): PodSample[] => Array.from({ length: n }, (_, i) => pod(`m${i}`, undefined));
    // down: (4×10 + 100) / 5 = 28 % → 0.56 → ceil(2.8) = 3, not ceil(0.2 × 4) = 1
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: [...pods(4, 10), ...missing(1)] }, ctx(5))).toMatchObject({ replicas: 3 });
    // up: (2×100 + 0) / 3 = 66 % → 1.32 → ceil(3.96) = 4
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: [...pods(2, 100), ...missing(1)] }, ctx(3))).toMatchObject({ replicas: 4 });
    // the recomputed ratio flips direction: 40 % alone says down, (40 + 300) / 4 = 85 % says up → no change
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: [...pods(1, 40), ...missing(3)] }, ctx(4))).toMatchObject({ replicas: 4, limitedBy: 'missing-metrics' });
  });

  it('unready pods pulling the recomputed ratio into tolerance mean no change', () => {
    // 1 ready at 60 % (ratio 1.2), 1 unready: (60 + 0) / 2 = 30 % → flips to a scale-down → no change
    const r = proposeReplicas(cpuTarget(50), { kind: 'pods', pods: [...pods(1, 60), ...pods(1, 0, false)] }, ctx(2));
    expect(r).toMatchObject({ replicas: 2, limitedBy: 'unready-pods' });
  });

  it('fails without any ready metric or without a request', () => {
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: pods(2, 50, false) }, ctx(2))).toMatchObject({ ok: false });
    expect(proposeReplicas(cpuTarget(50), { kind: 'pods', pods: [{ ...pod('a', 10), request: undefined }] }, ctx(1))).toMatchObject({ ok: false, reason: expect.stringContaining('missing request') });
  });
});

describe('HPA sync: bounds, several metrics', () => {
  it('clamps to maxReplicas and to minReplicas', () => {
    const up = hpaSync(spec({ maxReplicas: 5 }), emptyMemory(), { now: 0, currentReplicas: 4, metrics: { cpu: { kind: 'pods', pods: pods(4, 100) } } });
    expect(up.decision).toMatchObject({ proposal: 8, desired: 5, limitedBy: 'max' });
    // an HPA that has run for a while (a new one holds its start size for the 300 s window)
    const running: BehaviorMemory = { ...emptyMemory(), recommendations: [{ t: -600_000, replicas: 4 }] };
    const down = hpaSync(spec({ minReplicas: 3 }), running, { now: 0, currentReplicas: 4, metrics: { cpu: { kind: 'pods', pods: pods(4, 5) } } });
    expect(down.decision).toMatchObject({ proposal: 1, desired: 3, limitedBy: 'min' });
  });

  it('brings a count outside the bounds back before reading metrics, and leaves a target at zero alone', () => {
    expect(hpaSync(spec({ maxReplicas: 5 }), emptyMemory(), { now: 0, currentReplicas: 9, metrics: {} }).decision).toMatchObject({ desired: 5, limitedBy: 'max' });
    expect(hpaSync(spec({ minReplicas: 2 }), emptyMemory(), { now: 0, currentReplicas: 0, metrics: {} }).decision).toMatchObject({ desired: 0, limitedBy: 'scaled-to-zero', rescale: false });
  });

  it('several metrics: the largest proposal wins', () => {
    const s = spec({ metrics: [cpuTarget(50), { name: 'rps', type: 'Value', value: 100 }] });
    const r = hpaSync(s, emptyMemory(), { now: 0, currentReplicas: 2, metrics: { cpu: { kind: 'pods', pods: pods(2, 75) }, rps: { kind: 'value', value: 400, readyPods: 2 } } });
    expect(r.decision).toMatchObject({ proposal: 8, desired: 6, limitedBy: 'policy:Pods' });
    expect(r.decision.metrics.map((m) => (m.ok ? m.replicas : null))).toEqual([3, 8]);
  });

  it('does not scale down when another metric is unavailable', () => {
    const s = spec({ metrics: [cpuTarget(50), { name: 'rps', type: 'Value', value: 100 }] });
    const r = hpaSync(s, emptyMemory(), { now: 0, currentReplicas: 4, metrics: { cpu: { kind: 'pods', pods: pods(4, 10) }, rps: { kind: 'unavailable', reason: 'adapter down' } } });
    expect(r.decision).toMatchObject({ proposal: 1, desired: 4, limitedBy: 'invalid-metrics', rescale: false });
  });
});

describe('HPA sync: behavior over simulated time', () => {
  it('default scale-up: max(Pods 4, Percent 100) per 15 s', () => {
    // demand of 40 cores at 50 % → 80 replicas wanted; 1 → 5 → 10 → 20 → 40 → 80, one step per 15 s
    const d = run(spec(), 1, every(15_000, 6, 40_000));
    expect(d.map((x) => x.desired)).toEqual([5, 10, 20, 40, 80, 80]);
    expect(d[0]).toMatchObject({ limitedBy: 'policy:Pods' });
    expect(d[2]).toMatchObject({ limitedBy: 'policy:Percent' });
  });

  it('a second sync inside the same policy period cannot add more', () => {
    const d = run(spec(), 2, [...every(5_000, 3, 40_000), { t: 15_000, totalUsage: 40_000 }]);
    expect(d.map((x) => x.desired)).toEqual([6, 6, 6, 12]);
    expect(d[1]).toMatchObject({ rescale: false, limitedBy: 'policy:Pods' });
  });

  it('docs: Percent 900 scales 1 → 10 → 100 → 1000', () => {
    const scaleUp: ScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 900, periodSeconds: 60 }] };
    const s = spec({ maxReplicas: 10_000, behavior: completeBehavior({ scaleUp }) });
    expect(run(s, 1, every(60_000, 4, 5_000_000)).map((x) => x.desired)).toEqual([10, 100, 1000, 10_000]);
  });

  it('docs: scale-down Pods 4 and Percent 10 per 60 s — 80 → 72 → 64, then 4 at a time below 40', () => {
    const scaleDown: ScalingRules = {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 60 },
        { type: 'Percent', value: 10, periodSeconds: 60 },
      ],
    };
    const s = spec({ behavior: completeBehavior({ scaleDown }) });
    const d = run(s, 80, every(60_000, 12, 5_000));
    const counts = d.map((x) => x.desired);
    expect(counts.slice(0, 2)).toEqual([72, 64]);
    expect(d[0]).toMatchObject({ limitedBy: 'policy:Percent' });
    const below40 = d.findIndex((x) => x.current < 40);
    expect(d[below40]!.current - d[below40]!.desired).toBe(4);
    expect(d[below40]).toMatchObject({ limitedBy: 'policy:Pods' });
    // within one period no second step
    const inner = run(s, 80, [{ t: 0, totalUsage: 5_000 }, { t: 15_000, totalUsage: 5_000 }]);
    expect(inner.map((x) => x.desired)).toEqual([72, 72]);
  });

  it('selectPolicy Min picks the smaller change, Disabled forbids the direction', () => {
    const scaleUp: ScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Min', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
    expect(run(spec({ behavior: completeBehavior({ scaleUp }) }), 10, every(15_000, 1, 100_000))[0]).toMatchObject({ desired: 14, limitedBy: 'policy:Pods' });
    const scaleDown: ScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Disabled', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
    const d = run(spec({ behavior: completeBehavior({ scaleDown }) }), 10, every(15_000, 3, 100));
    expect(d.map((x) => x.desired)).toEqual([10, 10, 10]);
    expect(d[0]).toMatchObject({ limitedBy: 'disabled' });
  });

  it('default scale-down keeps the highest recommendation of the last 300 s', () => {
    // 10 replicas busy, then load drops to 1 core (2 replicas at 50 %)
    const steps = [...every(15_000, 2, 5_000), ...every(15_000, 25, 1_000, 30_000)];
    const d = run(spec(), 10, steps);
    const firstDown = d.findIndex((x) => x.desired < 10);
    expect(d[2]).toMatchObject({ desired: 10, limitedBy: 'stabilization', proposal: 2 });
    // the last recommendation of 10 was at t = 15 s: it leaves the 300 s window at 315 s
    expect(d[firstDown]!.t).toBe(315_000);
    expect(d[firstDown]!.desired).toBe(2);
  });

  it('scale-up stabilization keeps the lowest recommendation of its window', () => {
    const scaleUp: ScalingRules = { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
    const d = run(spec({ behavior: completeBehavior({ scaleUp }) }), 4, [{ t: 0, totalUsage: 2_000 }, ...every(15_000, 5, 8_000, 15_000)]);
    expect(d[1]).toMatchObject({ desired: 4, limitedBy: 'stabilization' });
    // the low recommendation of t = 0 leaves the 60 s window at 60 s; then Percent 100 allows 8
    expect(d.find((x) => x.desired > 4)).toMatchObject({ t: 60_000, desired: 8 });
  });

  it('without behavior: the documented defaults, or the controller\'s own nil-behavior path on request', () => {
    const surge = every(15_000, 3, 100_000);
    expect(run(spec(), 1, surge).map((x) => x.desired)).toEqual([5, 10, 20]);
    const legacy = run(spec({ nilBehavior: 'controller' }), 1, surge);
    expect(legacy.map((x) => x.desired)).toEqual([4, 8, 16]);
    expect(legacy[0]).toMatchObject({ limitedBy: 'scale-up-limit' });
    // its stabilization keeps the highest recommendation of 300 s in both directions: an earlier,
    // rate-limited proposal of 40 still pulls a later scale-up past the current proposal of 10
    const steps = [{ t: 0, totalUsage: 20_000 }, { t: 15_000, totalUsage: 5_000 }];
    expect(run(spec(), 4, steps).map((x) => x.desired)).toEqual([8, 10]);
    expect(run(spec({ nilBehavior: 'controller' }), 4, steps).map((x) => x.desired)).toEqual([8, 16]);
  });
});
