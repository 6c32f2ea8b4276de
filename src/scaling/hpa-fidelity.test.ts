import { describe, expect, it } from 'vitest';
import { emptyMemory, stabilize, type BehaviorMemory } from './behavior.js';
import { hpaSync, type ScaleDecision } from './hpa-controller.js';
import { completeBehavior, type HpaSpec, type MetricTarget } from './hpa-spec.js';
import { proposeReplicas, type CalculatorContext, type MetricInput, type PodSample } from './replica-calculator.js';

/**
 * The controller's rules that a replay most easily gets wrong, each checked against values worked
 * out by hand from pkg/controller/podautoscaler (horizontal.go, replica_calculator.go).
 */

const REQUEST = 1000;
const cpu: MetricTarget = { name: 'cpu', source: 'Resource', type: 'Utilization', averageUtilization: 50 };
const spec = (over: Partial<HpaSpec> = {}): HpaSpec => ({
  name: 'catalog',
  minReplicas: 1,
  maxReplicas: 100,
  metrics: [cpu],
  behavior: completeBehavior(),
  tolerance: 0.1,
  ...over,
});
const windows = (up: number, down: number) => completeBehavior({ scaleUp: { stabilizationWindowSeconds: up }, scaleDown: { stabilizationWindowSeconds: down } });
const ctx = (currentReplicas: number, over: Partial<CalculatorContext> = {}): CalculatorContext => ({
  currentReplicas,
  tolerances: { up: 0.1, down: 0.1 },
  now: 0,
  cpuInitializationPeriodMs: 300_000,
  initialReadinessDelayMs: 30_000,
  ...over,
});

/** A Running pod, Ready (since long ago) unless told otherwise. */
const pod = (name: string, usage: number | undefined, over: Partial<PodSample> = {}): PodSample => ({
  name,
  phase: 'Running',
  ready: { status: true, since: -Infinity },
  startTime: -Infinity,
  request: REQUEST,
  ...(usage !== undefined ? { usage } : {}),
  ...over,
});
/** Running, never Ready: started 10 min ago and not ready since. */
const neverReady = { ready: { status: false, since: -600_000 }, startTime: -600_000 };

/** Syncs every 15 s, each pod at `percent` of its request; the count follows the decisions. */
function syncs(s: HpaSpec, start: number, percents: number[], memory: BehaviorMemory = emptyMemory()): ScaleDecision[] {
  let current = start;
  const out: ScaleDecision[] = [];
  percents.forEach((percent, i) => {
    const pods = Array.from({ length: current }, (_, p) => pod(`p${p}`, (percent * REQUEST) / 100));
    const r = hpaSync(s, memory, { now: i * 15_000, currentReplicas: current, metrics: { cpu: { kind: 'pods', pods } } });
    memory = r.memory;
    current = r.decision.desired;
    out.push(r.decision);
  });
  return out;
}

describe('rule 1: stabilization uses both windows at once (stabilizeRecommendationWithBehaviors)', () => {
  it('the two CLI examples: a proposal between the windows keeps the current count', () => {
    // up 300 s, down 60 s, 2 replicas, 50 % → 20 % → 75 % at 50 %: proposals 2, 1, 3. At the third
    // sync the lowest recommendation of 300 s is 1 and the highest of 60 s is 3: 2 lies between.
    const a = syncs(spec({ behavior: windows(300, 60) }), 2, [50, 20, 75]);
    expect(a.map((d) => [d.proposal, d.desired])).toEqual([
      [2, 2],
      [1, 2],
      [3, 2],
    ]);
    expect(a[2]).toMatchObject({ limitedBy: 'stabilization', rescale: false });
    // swapped: up 60 s, down 300 s, 50 → 75 → 20 %: proposals 2, 3, 1; again 2 lies between 1 and 3
    const b = syncs(spec({ behavior: windows(60, 300) }), 2, [50, 75, 20]);
    expect(b.map((d) => [d.proposal, d.desired])).toEqual([
      [2, 2],
      [3, 2],
      [1, 2],
    ]);
  });

  const rec = (t: number, replicas: number) => ({ t, replicas });
  it.each([
    // [up s, down s, remembered, current, proposal, expected]
    { up: 0, down: 300, history: [], current: 4, proposal: 8, expected: 8 },
    // a high recommendation in the down window no longer lifts a scale-down proposal above current
    { up: 0, down: 300, history: [rec(-100_000, 10)], current: 4, proposal: 2, expected: 4 },
    { up: 0, down: 300, history: [rec(-100_000, 3)], current: 4, proposal: 2, expected: 3 },
    // a low recommendation in the up window no longer pulls a scale-up proposal below current
    { up: 60, down: 0, history: [rec(-30_000, 1)], current: 4, proposal: 8, expected: 4 },
    { up: 60, down: 300, history: [rec(-30_000, 6)], current: 4, proposal: 8, expected: 6 },
    // older than both windows: not counted (a window holds what is strictly newer than now − window)
    { up: 300, down: 300, history: [rec(-300_000, 9)], current: 4, proposal: 2, expected: 2 },
  ])('up $up s, down $down s, current $current, proposal $proposal → $expected', ({ up, down, history, current, proposal, expected }) => {
    const memory = { ...emptyMemory(), recommendations: history };
    expect(stabilize(windows(up, down), memory, 0, current, proposal).replicas).toBe(expected);
  });
});

describe('rule 2: a new HPA remembers its starting size (recordInitialRecommendation)', () => {
  it('does not scale down within the down window of its first sync', () => {
    // 10 replicas at 10 % from the first sync: proposal 2 every time; the start size 10 was
    // recorded at t = 0, and leaves the 300 s window at the first sync after t = 300 s
    const d = syncs(spec(), 10, Array.from({ length: 22 }, () => 10));
    expect(d[0]).toMatchObject({ proposal: 2, desired: 10, limitedBy: 'stabilization' });
    expect(d.findIndex((x) => x.desired < 10) * 15).toBe(300);
    expect(d[20]).toMatchObject({ t: 300_000, desired: 2 });
  });

  it('a down window of 0 s scales down at once; a given history replaces the start size', () => {
    expect(syncs(spec({ behavior: windows(0, 0) }), 10, [10])[0]).toMatchObject({ desired: 2 });
    const history = { ...emptyMemory(), recommendations: [{ t: -200_000, replicas: 6 }] };
    // the remembered 6 (200 s ago) holds for 100 s, and 10 was never recorded
    const d = syncs(spec(), 10, Array.from({ length: 8 }, () => 10), history);
    expect(d.map((x) => x.desired)).toEqual([6, 6, 6, 6, 6, 6, 6, 2]);
  });

  it("also on the controller's nil-behavior path (stabilizeRecommendation)", () => {
    expect(syncs(spec({ nilBehavior: 'controller' }), 10, [10])[0]).toMatchObject({ proposal: 2, desired: 10 });
  });
});

describe('rule 3: unready pods are special only for CPU (groupPods)', () => {
  const podsMetric: MetricTarget = { name: 'requests', source: 'Pods', type: 'AverageValue', averageValue: 500 };
  const memory: MetricTarget = { name: 'memory', source: 'Resource', type: 'Utilization', averageUtilization: 50 };
  const propose = (target: MetricTarget, pods: PodSample[], over: Partial<CalculatorContext> = {}) => {
    const r = proposeReplicas(target, { kind: 'pods', pods }, ctx(pods.length, over));
    return r.ok ? r.replicas : r.reason;
  };
  const threeBusy = [pod('a', 1000), pod('b', 1000), pod('c', 1000)];

  it.each([
    // 3 ready pods at 1000 (200 % of a 50 % target / of 500), and a fourth in some state
    // CPU: a running, never-ready pod with a sample is unready → 0 on scale-up: 75 % → ceil(1.5 × 4) = 6
    { target: cpu, fourth: pod('d', 1000, neverReady), expected: 6 },
    // a Pods metric uses that pod's value: 4 × 1000 → ratio 2 → 8
    { target: podsMetric, fourth: pod('d', 1000, neverReady), expected: 8 },
    // memory is a resource metric, but groupPods judges readiness only for CPU: 8
    { target: memory, fourth: pod('d', 1000, neverReady), expected: 8 },
    // a Pending pod is unready for every metric: (3000 + 0) / 4 = 750 → 1.5 → 6
    { target: podsMetric, fourth: pod('d', undefined, { phase: 'Pending', ready: { status: false, since: 0 } }), expected: 6 },
    // being deleted: not counted at all → ceil(2 × 3) = 6 for CPU (4 × 200 % would be 8)
    { target: cpu, fourth: pod('d', 1000, { deleting: true }), expected: 6 },
  ])('$target.name with a fourth pod → $expected', ({ target, fourth, expected }) => {
    expect(propose(target, [...threeBusy, fourth])).toBe(expected);
  });

  it('a not-ready pod without a metric is missing, not unready: 100 % of its request on a scale-down', () => {
    // 3 ready at 10 % and one never-ready without a sample: (300 + 1000) / 4000 = 32 % → 0.64 → ceil(2.56) = 3
    // (left out as unready it would have been 10 % → 0.2 → 1)
    expect(propose(cpu, [pod('a', 100), pod('b', 100), pod('c', 100), pod('d', undefined, neverReady)])).toBe(3);
  });

  it.each([
    // within the 5 min CPU initialization period (started 60 s ago), ready for 50 s, a 15 s sample: counted
    { what: 'ready 50 s, sample of 15 s', over: { startTime: -60_000, ready: { status: true, since: -50_000 }, measuredAt: 0, windowMs: 15_000 }, expected: 6 },
    // ready for 5 s only: its 15 s sample began before it was ready → unready → 0 on scale-up
    { what: 'ready 5 s, sample of 15 s', over: { startTime: -60_000, ready: { status: true, since: -5_000 }, measuredAt: 0, windowMs: 15_000 }, expected: 4 },
    // not ready within the period: unready
    { what: 'not ready within the period', over: { startTime: -60_000, ready: { status: false, since: -60_000 } }, expected: 4 },
    // after the period, not ready but ready once (went unready 9 min after start): its CPU is used
    { what: 'not ready, was ready before', over: { startTime: -600_000, ready: { status: false, since: -60_000 } }, expected: 6 },
    // after the period, never ready (last change within the 30 s readiness delay of its start): unready
    { what: 'not ready, never was', over: { startTime: -600_000, ready: { status: false, since: -590_000 } }, expected: 4 },
  ])('CPU initialization rules: $what → $expected', ({ over, expected }) => {
    // 2 ready pods at 100 % of a 50 % target and the pod under test at 100 %:
    // counted → 3 × 100 % → ceil(2 × 3) = 6; unready → (200 + 0) / 3 = 66 % → ceil(1.32 × 3) = 4
    expect(propose(cpu, [pod('a', 1000), pod('b', 1000), { ...pod('t', 1000), ...over }])).toBe(expected);
  });

  it('CPU of a pod without a start time or a Ready condition is left out', () => {
    const { startTime: _start, ...noStart } = pod('t', 1000);
    const { ready: _ready, ...noCondition } = pod('t', 1000);
    expect(propose(cpu, [pod('a', 1000), pod('b', 1000), noStart])).toBe(4);
    expect(propose(cpu, [pod('a', 1000), pod('b', 1000), noCondition])).toBe(4);
    // the same pods on a Pods metric count: 3 × 1000 against 500 → 6
    expect(propose({ name: 'requests', source: 'Pods', type: 'AverageValue', averageValue: 500 }, [pod('a', 1000), pod('b', 1000), noCondition])).toBe(6);
  });
});

describe('rules 4 and 5: Object and External metrics (getUsageRatioReplicaCount, GetObjectPerPodMetricReplicas)', () => {
  const queue: MetricTarget = { name: 'queue', source: 'External', type: 'Value', value: 100 };
  const value = (v: number, readyPods: number): MetricInput => ({ kind: 'value', value: v, readyPods });

  it.each([
    // from zero replicas: ceil(ratio), no tolerance
    { v: 250, current: 0, ready: 0, expected: 3 },
    { v: 105, current: 0, ready: 0, expected: 2 },
    { v: 0, current: 0, ready: 0, expected: 0 },
    // otherwise the tolerance first, then ratio × the Running and Ready pods (not the current count)
    { v: 105, current: 4, ready: 2, expected: 4 },
    { v: 300, current: 4, ready: 2, expected: 6 },
    { v: 300, current: 4, ready: 4, expected: 12 },
  ])('Value: $v against 100 with $current replicas, $ready ready → $expected', ({ v, current, ready, expected }) => {
    expect(proposeReplicas(queue, value(v, ready), ctx(current))).toMatchObject({ ok: true, replicas: expected });
  });

  it('scales a target at zero back up through the whole sync when minReplicas is 0', () => {
    const d = hpaSync(spec({ minReplicas: 0, metrics: [queue] }), emptyMemory(), { now: 0, currentReplicas: 0, metrics: { queue: value(250, 0) } });
    expect(d.decision).toMatchObject({ proposal: 3, desired: 3, rescale: true });
  });

  it.each([
    // AverageValue of an Object/External metric: value / (target × status.replicas), then ceil(value / target)
    { v: 1000, status: 4, expected: 10 },
    { v: 420, status: 4, expected: 4 },
    { v: 300, status: 4, expected: 3 },
  ])('AverageValue: $v over 100 per pod with $status pods → $expected', ({ v, status, expected }) => {
    const perPod: MetricTarget = { name: 'queue', source: 'Object', type: 'AverageValue', averageValue: 100 };
    expect(proposeReplicas(perPod, value(v, status), ctx(status, { statusReplicas: status }))).toMatchObject({ replicas: expected });
  });
});
