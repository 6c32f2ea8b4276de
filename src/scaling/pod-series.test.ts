import { describe, expect, it } from 'vitest';
import { completeBehavior, type HpaSpec, type MetricTarget } from './hpa-spec.js';
import { csvRows } from './metric-rows.js';
import { replayPods } from './pod-replay.js';
import { parsePodSeries, type PodSeriesOptions } from './pod-series.js';

/**
 * The per-pod form of `scale simulate --metrics`, read and replayed: what the controller would
 * ask for at each sync given exactly the pods a cluster showed (expected values worked out from
 * replica_calculator.go's groupPods / GetResourceReplicas / calcPlainMetricReplicas).
 */

const cpu: MetricTarget = { name: 'cpu', source: 'Resource', type: 'Utilization', averageUtilization: 50 };
const hpa = (metrics: MetricTarget[] = [cpu], over: Partial<HpaSpec> = {}): HpaSpec => ({
  name: 'catalog',
  minReplicas: 1,
  maxReplicas: 20,
  metrics,
  // no stabilization, so each sync shows the calculator's own proposal
  behavior: completeBehavior({ scaleUp: { stabilizationWindowSeconds: 0 }, scaleDown: { stabilizationWindowSeconds: 0 } }),
  tolerance: 0.1,
  ...over,
});
const options: PodSeriesOptions = { requestMilli: { cpu: 1000 }, metricWindowMs: 15_000 };
const read = (text: string, spec = hpa(), opts = options) => parsePodSeries(csvRows(text), 'pods.csv', spec, opts);
const replay = (text: string, spec = hpa(), opts = options) => replayPods(spec, read(text, spec, opts), { syncPeriodMs: 15_000, tailMs: 0 });
const desired = (text: string, spec = hpa(), opts = options) => replay(text, spec, opts).map((s) => s.decision.desired);

describe('per-pod file: missing metrics (GetResourceReplicas)', () => {
  it('on a scale-down a pod without a metric counts at 100 % of its request', () => {
    // 3 pods at 10 % and one without a sample: (300 + 1000) / 4000 = 32 % → 0.64 → ceil(2.56) = 3
    // (leaving it out would give 10 % → ceil(0.2 × 3) = 1)
    const text = 'time,pod,metric,value\n0,a,cpu,100m\n0,b,cpu,100m\n0,c,cpu,100m\n0,d,cpu,\n';
    const [step] = replay(text);
    expect(step!.decision).toMatchObject({ current: 4, proposal: 3, desired: 3, utilization: 10 });
  });

  it('on a scale-up at 0, so a few busy pods among silent ones do not scale the rest out', () => {
    // 2 of 5 pods report 60 % (ratio 1.2, alone ceil(2.4) = 3); with 3 at 0: 1200 / 5000 = 24 %,
    // which flips the direction → no change
    const text = 'time,pod,metric,value\n0,a,cpu,600m\n0,b,cpu,600m\n0,c,cpu,\n0,d,cpu,\n0,e,cpu,\n';
    expect(replay(text)[0]!.decision).toMatchObject({ current: 5, proposal: 5, desired: 5, limitedBy: 'missing-metrics' });
  });
});

describe('per-pod file: unready pods on CPU vs custom metrics (groupPods)', () => {
  const rps: MetricTarget = { name: 'rps', source: 'Pods', type: 'AverageValue', averageValue: 10_000 };
  const busy = ['a', 'b', 'c'].flatMap((p) => [`0,${p},cpu,1,true,-1h,Running`, `0,${p},rps,20,true,-1h,Running`]);
  /** the proposal of each metric (cpu at a 50 % target, rps at 10 per pod) with a fourth pod d */
  const proposals = (...d: string[]) =>
    replay(['time,pod,metric,value,ready,start,phase', ...busy, ...d].join('\n'), hpa([cpu, rps]))[0]!.decision.metrics.map((m) => (m.ok ? m.replicas : m.reason));

  it('a running pod that is not ready: CPU leaves it out (0 on a scale-up), a Pods metric uses its value', () => {
    // cpu: (300 + 0) / 4 = 75 % → ratio 1.5 → 6; rps: 4 pods at 20 against 10 → 8
    expect(proposals('0,d,cpu,1,false,-10m,Running', '0,d,rps,20,false,-10m,Running')).toEqual([6, 8]);
  });

  it('a Pending pod is unready for both: (3 × 20 + 0) / 4 = 15 → 6', () => {
    expect(proposals('0,d,cpu,,false,,Pending', '0,d,rps,,false,,Pending')).toEqual([6, 6]);
  });
});

describe('per-pod file: the CPU initialization period', () => {
  // a, b, c busy (100 %) since long ago; d starts 20 s before the file, becomes Ready at 15 s
  const text = [
    'time,pod,metric,value,ready,start',
    ...[0, 15, 30].flatMap((t) => ['a', 'b', 'c'].map((p) => `${t},${p},cpu,1,true,`)),
    '0,d,cpu,1,false,-20',
    '15,d,cpu,1,true,-20',
    '30,d,cpu,1,true,-20',
  ].join('\n');

  it("counts a new pod's CPU only once a whole sample window follows its readiness", () => {
    // 0 s: not ready (within 5 min of its start) → unready → 6; 15 s: ready since 15 s, its 15 s
    // sample began before that → still unready → 6; 30 s: counted → 4 × 200 % → 8
    expect(desired(text)).toEqual([6, 6, 8]);
  });

  it('with no initialization period, only the initial readiness delay: unready while never ready', () => {
    // 0 s: not ready, last change at its start (within 30 s of it) → unready → 6; then counted → 8
    expect(desired(text, hpa([cpu], { cpuInitializationPeriodMs: 0 }))).toEqual([6, 8, 8]);
  });

  it('a longer sample window keeps it out one sync more', () => {
    expect(desired(text, hpa(), { ...options, metricWindowMs: 30_000 })).toEqual([6, 6, 6]);
  });
});

describe('per-pod file: External series, history and the pods the file shows', () => {
  const queue: MetricTarget = { name: 'queue', source: 'External', type: 'Value', value: 100_000 };

  it('sums the series of an External metric and multiplies by the Ready pods', () => {
    // 150 + 150 = 300 against 100 (milli-units: 100000) → ratio 3 × 2 ready pods = 6; with one not ready, 3
    const text = 'time,pod,metric,value,ready\n0,web-a,,,true\n0,web-b,,,true\n0,queue=a,queue,150\n0,queue=b,queue,150\n';
    expect(desired(text, hpa([queue]))).toEqual([6]);
    expect(desired(text.replace('0,web-b,,,true', '0,web-b,,,false'), hpa([queue]))).toEqual([3]);
  });

  it('starts from a given recommendation history instead of the start size', () => {
    const down = hpa([cpu], { behavior: completeBehavior() });
    const text = 'time,pod,metric,value\n0,a,cpu,100m\n0,b,cpu,100m\n0,c,cpu,100m\n0,d,cpu,100m\n';
    // a new HPA remembers its 4 pods for 300 s; a history of 2, 10 min old, lets it go to 1 at once
    expect(desired(text, down)).toEqual([4]);
    expect(desired(`${text}-10m,,recommendation,2\n`, down)).toEqual([1]);
  });

  it('replays the pods as they were: the count comes from the file, not from the decisions', () => {
    const text = 'time,pod,metric,value\n0,a,cpu,1\n15,a,cpu,1\n15,b,cpu,1\n';
    const steps = replay(text);
    expect(steps.map((s) => [s.observed, s.decision.current, s.decision.desired])).toEqual([
      [1, 1, 2],
      [2, 2, 4],
    ]);
  });
});

describe('per-pod file: bad rows', () => {
  it('names the line and the field of every problem, with a suggestion', () => {
    const text = [
      'time,pod,metric,value,ready,phase',
      '0,a,cpu,150m,true,Runing',
      '0,b,cpu,lots,true,Running',
      '0,c,cpux,1,true,Running',
      '15,a,cpu,150m,maybe,Running',
      'soon,a,cpu,1,true,Running',
      '2026-11-27T08:00:00Z,a,cpu,1,true,Running',
    ].join('\n');
    expect(() => read(text)).toThrow(
      new RegExp(
        [
          'pods\\.csv:2 row 1\\.phase: "Runing" is not a pod phase; did you mean "Running"\\?',
          'pods\\.csv:3 row 2\\.value: "lots" is not a quantity; write it like "150m", "0\\.15" or "75%"',
          'pods\\.csv:4 row 3\\.metric: "cpux" is not a metric of HPA catalog; did you mean "cpu"\\?',
          'pods\\.csv:5 row 4\\.ready: "maybe" is not true or false',
          'pods\\.csv:6 row 5\\.time: needs a time',
          'pods\\.csv:7 row 6\\.time: mixes an ISO timestamp with the file\'s relative times',
        ].join('[\\s\\S]*'),
      ),
    );
  });

  it('refuses an unknown column, a second row for a pod, a percent without a request, a late recommendation', () => {
    expect(() => read('time,pod,metric,value,redy\n0,a,cpu,1,true\n')).toThrow(/pods\.csv:2 row 1\.redy: unknown column; did you mean "ready"\?/);
    expect(() => read('time,pod,metric,value\n0,a,cpu,1\n0,a,cpu,2\n')).toThrow(/pods\.csv:3 row 2\.metric: pod a already has a cpu row at this time/);
    expect(() => read('time,pod,metric,value\n0,a,cpu,50%\n', hpa(), { ...options, requestMilli: {} })).toThrow(/pods\.csv:2 row 1\.request: "50%" is a percent of the pod's request/);
    expect(() => read('time,pod,metric,value\n0,a,cpu,1\n30,,recommendation,3\n')).toThrow(/pods\.csv:3 row 2\.time: a recommendation row gives the memory the replay starts with/);
    expect(() => read('time,pod,metric,value,ready\n0,a,cpu,1,true\n0,a,,,false\n')).toThrow(/pods\.csv:3 row 2\.ready: pod a has another ready at this time on line 2/);
  });

  it('reads percents of the request and quantities alike', () => {
    const series = read('time,pod,metric,value,request\n0,a,cpu,75%,200m\n0,b,cpu,0.15,200m\n');
    expect(series.snapshots[0]!.pods.map((p) => p.metrics.cpu?.usage)).toEqual([150, 150]);
  });
});
