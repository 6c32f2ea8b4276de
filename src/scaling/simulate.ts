import { emptyMemory } from './behavior.js';
import { hpaSync, type ScaleDecision } from './hpa-controller.js';
import { isPerPodMetric, type HpaSpec, type MetricTarget } from './hpa-spec.js';
import type { MetricSeries, SeriesPoint } from './series.js';
import type { MetricInput, PodSample } from './replica-calculator.js';

/**
 * Replays a metric series through the HPA algorithm: what Kubernetes would have run, sync by
 * sync. Pure (simulated time): the same series and options always give the same decisions.
 */

export interface SimulationOptions {
  syncPeriodMs: number;
  initialReplicas: number;
  /** per-pod request in milli-units per metric name, for `<metric>_total` columns on Utilization targets */
  requestMilli: Readonly<Record<string, number>>;
  /** a new pod is Pending for this long: unready for every metric (0 % on a scale-up, left out otherwise) */
  podStartupMs: number;
  /** keep syncing this long after the last sample (to see scale-down play out) */
  tailMs: number;
}

export interface SimulationStep {
  decision: ScaleDecision;
  /** replicas running after the decision (a per-pod replay: the count the HPA asks for) */
  replicas: number;
  ready: number;
  /** a per-pod replay: the pods the file shows at this sync */
  observed?: number;
}

export function simulate(hpa: HpaSpec, series: MetricSeries, options: SimulationOptions): SimulationStep[] {
  const last = series.points.at(-1)?.t ?? 0;
  const end = last + options.tailMs;
  let memory = emptyMemory();
  /** start time of each running pod (simulated ms) */
  let pods: number[] = Array.from({ length: options.initialReplicas }, () => -Infinity);
  const steps: SimulationStep[] = [];
  let index = 0;
  for (let now = 0; now <= end; now += options.syncPeriodMs) {
    while (index + 1 < series.points.length && series.points[index + 1]!.t <= now) index++;
    const point = series.points[index]!;
    const metrics: Record<string, MetricInput> = {};
    for (const metric of hpa.metrics) metrics[metric.name] = metricInput(metric, point, pods, now, options);
    const result = hpaSync(hpa, memory, { now, currentReplicas: pods.length, statusReplicas: pods.length, metrics });
    memory = result.memory;
    const desired = result.decision.desired;
    // scale-down removes the newest pods first, as a ReplicaSet prefers not-ready and younger pods
    pods = desired >= pods.length ? [...pods, ...Array.from({ length: desired - pods.length }, () => now)] : pods.slice(0, desired);
    steps.push({ decision: result.decision, replicas: pods.length, ready: pods.filter((s) => now - s >= options.podStartupMs).length });
  }
  return steps;
}

function metricInput(metric: MetricTarget, point: SeriesPoint, pods: readonly number[], now: number, options: SimulationOptions): MetricInput {
  const { name, type } = metric;
  const perPod = isPerPodMetric(metric);
  let sample = point.values[name];
  if (!sample) return { kind: 'unavailable', reason: 'no sample at this time' };
  if (sample.kind === 'average' && point.replicas !== undefined && perPod) {
    // averages measured on `replicas` pods: the workload's total, to be shared by ours
    const request = type === 'Utilization' ? options.requestMilli[name] : undefined;
    if (type === 'Utilization' && request === undefined) {
      return { kind: 'unavailable', reason: `a replicas column needs the pod's ${name} request (a Deployment in the same file, or --cpu-request)` };
    }
    const each = type === 'Utilization' ? (sample.value * request!) / 100 : sample.value;
    sample = { kind: 'total', value: each * point.replicas };
  }
  const isReady = (start: number) => now - start >= options.podStartupMs;
  const readyCount = pods.filter(isReady).length;
  if (!perPod) return { kind: 'value', value: sample.value, readyPods: readyCount };
  const request = options.requestMilli[name];
  if (type === 'Utilization' && sample.kind === 'total' && request === undefined) {
    return { kind: 'unavailable', reason: `${name}_total needs the pod's ${name} request (a Deployment in the same file, or --cpu-request)` };
  }
  const requestValue = request ?? 1000;
  // an average sample is what each ready pod reports; a total is shared by the ready pods
  const usage =
    sample.kind === 'total'
      ? readyCount > 0
        ? sample.value / readyCount
        : 0
      : type === 'Utilization'
        ? (sample.value * requestValue) / 100
        : sample.value;
  // a started pod is Running and Ready since its startup ended, measured over a window that
  // began after that (so CPU's initialization rules never hold it back here)
  const samples: PodSample[] = pods.map((start, i) =>
    isReady(start)
      ? { name: `pod-${i}`, phase: 'Running', ready: { status: true, since: start + options.podStartupMs }, startTime: start, usage: Math.round(usage), measuredAt: now, request: requestValue }
      : { name: `pod-${i}`, phase: 'Pending', request: requestValue },
  );
  return { kind: 'pods', pods: samples };
}
