import type { MetricSample, TimelineEvent } from '../run/records.js';
import type { RangeSeries } from '../telemetry/metrics/prometheus-api.js';
import { CadvisorMetrics, KubeStateMetrics } from './kube-metric-names.js';

/**
 * Pure: kube-state-metrics and cAdvisor series over a run (query_range answers) become the
 * evidence the scale-out check reads from a local run — `scale-decision` and `replicas` timeline
 * events and `cpu` samples — so analyzeScaleOut judges a cluster seen through Prometheus with the
 * same code as the local autoscaler. prometheus-evidence.ts asks the queries.
 */

/** A workload to judge: a Deployment scaled by an HPA. */
export interface KubeWorkloadRef {
  /** the Deployment's name; also the service name in the evidence unless `service` is given */
  deployment: string;
  /** the HPA's name (default: the Deployment's) */
  hpa?: string;
  /** the container whose CPU the HPA measures (default: the Deployment's name) */
  container?: string;
  /** the name the evidence gives the workload (default: the Deployment's) */
  service?: string;
  /** CPU target, percent of request; overrides the HPA's `kube_horizontalpodautoscaler_spec_target_metric` */
  targetCpuPercent?: number;
}

/** One answer per query; every query's series share the same step timestamps. */
export interface KubeSeries {
  /** HPA current/desired/min/max replicas (series carry `__name__`) */
  hpa: readonly RangeSeries[];
  /** the HPA's CPU utilisation target (optional in kube-state-metrics: may be empty) */
  hpaTarget: readonly RangeSeries[];
  /** Deployment status/ready/spec replicas (series carry `__name__`) */
  deployment: readonly RangeSeries[];
  /** cores per (pod, container): rate of container_cpu_usage_seconds_total */
  cpuRate: readonly RangeSeries[];
  /** cores per (pod, container): the CPU request */
  cpuRequests: readonly RangeSeries[];
  /** seconds per (pod, container): the cumulative counter */
  cpuTotal: readonly RangeSeries[];
}

export type KubeSeriesFamily = 'hpa' | 'deployment' | 'cpuRate' | 'cpuRequests';

type CpuSample = Extract<MetricSample, { source: 'cpu' }>;
type ScaleDecisionEvent = Extract<TimelineEvent, { type: 'scale-decision' }>;
type ReplicasEvent = Extract<TimelineEvent, { type: 'replicas' }>;

export interface KubeScaleOutEvidence {
  /** scale-decision and replicas events, in time order */
  timeline: TimelineEvent[];
  /** one sample per pod and step, in time order */
  cpu: CpuSample[];
  /** where each workload's CPU target came from */
  notes: string[];
}

/** As Kubernetes: an HPA without metrics targets 80 % CPU (autoscaling/v1's default). */
export const DEFAULT_TARGET_CPU_PERCENT = 80;

export const hpaName = (w: KubeWorkloadRef): string => w.hpa ?? w.deployment;
export const containerName = (w: KubeWorkloadRef): string => w.container ?? w.deployment;
const serviceName = (w: KubeWorkloadRef): string => w.service ?? w.deployment;

/** A pod of the workload: its container, in a pod named after the Deployment (`<deployment>-…`). */
function ownsPod(w: KubeWorkloadRef, metric: Record<string, string>): boolean {
  return metric.container === containerName(w) && (metric.pod ?? '').startsWith(`${w.deployment}-`);
}

/** Values by step time of the series that match; duplicates (two kube-state-metrics replicas) keep the highest. */
function valuesBy(series: readonly RangeSeries[], match: (metric: Record<string, string>) => boolean): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of series) {
    if (!match(s.metric)) continue;
    for (const p of s.points) if (Number.isFinite(p.value)) out.set(p.t, Math.max(out.get(p.t) ?? -Infinity, p.value));
  }
  return out;
}

const named = (name: string, label: string, value: string) => (m: Record<string, string>) => m.__name__ === name && m[label] === value;

/** The workloads that have no series at all in one family: what the caller names in its error. */
export function workloadsWithout(family: KubeSeriesFamily, series: KubeSeries, workloads: readonly KubeWorkloadRef[]): KubeWorkloadRef[] {
  const has: Record<KubeSeriesFamily, (w: KubeWorkloadRef) => boolean> = {
    hpa: (w) => valuesBy(series.hpa, named(KubeStateMetrics.hpaDesiredReplicas, 'horizontalpodautoscaler', hpaName(w))).size > 0,
    deployment: (w) => valuesBy(series.deployment, named(KubeStateMetrics.deploymentReplicas, 'deployment', w.deployment)).size > 0,
    cpuRate: (w) => series.cpuRate.some((s) => ownsPod(w, s.metric) && s.points.length > 0),
    cpuRequests: (w) => series.cpuRequests.some((s) => ownsPod(w, s.metric) && s.points.length > 0),
  };
  return workloads.filter((w) => !has[family](w));
}

export function kubeScaleOutEvidence(series: KubeSeries, workloads: readonly KubeWorkloadRef[]): KubeScaleOutEvidence {
  const timeline: TimelineEvent[] = [];
  const cpu: CpuSample[] = [];
  const notes: string[] = [];
  for (const w of workloads) {
    const samples = cpuSamples(series, w);
    const target = cpuTarget(series, w);
    notes.push(`${serviceName(w)}: CPU target ${target.percent}% (${target.source})`);
    timeline.push(...scaleDecisions(series, w, target.percent, utilizationByTime(samples)), ...replicaChanges(series, w));
    cpu.push(...samples);
  }
  return { timeline: timeline.sort((a, b) => a.t - b.t), cpu: cpu.sort((a, b) => a.t - b.t), notes };
}

function cpuTarget(series: KubeSeries, w: KubeWorkloadRef): { percent: number; source: string } {
  if (w.targetCpuPercent !== undefined) return { percent: w.targetCpuPercent, source: 'given' };
  const values = valuesBy(series.hpaTarget, (m) => m.horizontalpodautoscaler === hpaName(w));
  const latest = [...values.entries()].sort((a, b) => a[0] - b[0]).pop();
  if (latest) return { percent: latest[1], source: KubeStateMetrics.hpaTargetMetric };
  return { percent: DEFAULT_TARGET_CPU_PERCENT, source: `no ${KubeStateMetrics.hpaTargetMetric}: Kubernetes' default; give the workload's target to change it` };
}

/** One sample per pod and step where its usage, request and counter are all known. */
function cpuSamples(series: KubeSeries, w: KubeWorkloadRef): CpuSample[] {
  const out: CpuSample[] = [];
  for (const s of series.cpuRate) {
    if (!ownsPod(w, s.metric)) continue;
    const pod = s.metric.pod!;
    const same = (m: Record<string, string>) => m.pod === pod && m.container === s.metric.container;
    const requests = valuesBy(series.cpuRequests, same);
    const totals = valuesBy(series.cpuTotal, same);
    for (const { t, value: cores } of s.points) {
      const request = requests.get(t);
      const cpuSeconds = totals.get(t);
      if (!request || cpuSeconds === undefined || !Number.isFinite(cores)) continue;
      out.push({ t, source: 'cpu', service: serviceName(w), replica: pod, pid: 0, cpuSeconds, utilization: (cores / request) * 100, requestMillicores: request * 1000 });
    }
  }
  return out;
}

/** The workload's average utilisation per step, as the HPA computes it: total usage over total requests. */
function utilizationByTime(samples: readonly CpuSample[]): Map<number, number> {
  const sums = new Map<number, { usage: number; request: number }>();
  for (const s of samples) {
    const sum = sums.get(s.t) ?? { usage: 0, request: 0 };
    sum.usage += (s.utilization / 100) * s.requestMillicores;
    sum.request += s.requestMillicores;
    sums.set(s.t, sum);
  }
  return new Map([...sums].map(([t, s]) => [t, (s.usage / s.request) * 100]));
}

/**
 * A decision whenever the HPA's (current, desired) changed. An HPA writes both in one sync — the
 * count it saw and the one it asked for — so a new desired count is a decision taken from the
 * previous current count, even when a coarse step already shows the new pods counted.
 */
function scaleDecisions(series: KubeSeries, w: KubeWorkloadRef, target: number, utilization: ReadonlyMap<number, number>): ScaleDecisionEvent[] {
  const hpa = hpaName(w);
  const read = (name: string) => valuesBy(series.hpa, named(name, 'horizontalpodautoscaler', hpa));
  const current = read(KubeStateMetrics.hpaCurrentReplicas);
  const desired = read(KubeStateMetrics.hpaDesiredReplicas);
  const min = read(KubeStateMetrics.hpaMinReplicas);
  const max = read(KubeStateMetrics.hpaMaxReplicas);
  const out: ScaleDecisionEvent[] = [];
  let previous: { current: number; desired: number } | undefined;
  for (const t of [...desired.keys()].filter((k) => current.has(k)).sort((a, b) => a - b)) {
    const now = { current: current.get(t)!, desired: desired.get(t)! };
    if (previous && previous.current === now.current && previous.desired === now.desired) continue;
    const from = previous && previous.desired !== now.desired ? previous.current : now.current;
    const bounds = { min: min.get(t), max: max.get(t) };
    out.push({
      t,
      type: 'scale-decision',
      service: serviceName(w),
      current: from,
      desired: now.desired,
      utilization: utilization.get(t) ?? null,
      target,
      limitedBy: bounds.max !== undefined && now.desired >= bounds.max ? 'max' : bounds.min !== undefined && now.desired <= bounds.min ? 'min' : 'none',
      reason: `HPA ${hpa}: ${from} → ${now.desired} replicas (min ${bounds.min ?? '?'}, max ${bounds.max ?? '?'}), from kube-state-metrics`,
    });
    previous = now;
  }
  return out;
}

/** A replicas event whenever the Deployment's pod or ready count changed (as the Kubernetes watcher writes them). */
function replicaChanges(series: KubeSeries, w: KubeWorkloadRef): ReplicasEvent[] {
  const replicas = valuesBy(series.deployment, named(KubeStateMetrics.deploymentReplicas, 'deployment', w.deployment));
  const ready = valuesBy(series.deployment, named(KubeStateMetrics.deploymentReadyReplicas, 'deployment', w.deployment));
  const out: ReplicasEvent[] = [];
  let previous: { replicas: number; ready: number } | undefined;
  for (const t of [...replicas.keys()].sort((a, b) => a - b)) {
    const now = { replicas: replicas.get(t)!, ready: ready.get(t) ?? 0 };
    if (previous && previous.replicas === now.replicas && previous.ready === now.ready) continue;
    out.push({ t, type: 'replicas', service: serviceName(w), from: previous?.replicas ?? now.replicas, to: now.replicas, ready: now.ready });
    previous = now;
  }
  return out;
}

/** The series names each family's query reads, for messages. */
export const FAMILY_NAMES: Record<KubeSeriesFamily, string> = {
  hpa: `${KubeStateMetrics.hpaCurrentReplicas} / ${KubeStateMetrics.hpaDesiredReplicas}`,
  deployment: `${KubeStateMetrics.deploymentReplicas} / ${KubeStateMetrics.deploymentReadyReplicas}`,
  cpuRate: CadvisorMetrics.containerCpuUsage,
  cpuRequests: `${KubeStateMetrics.containerRequests}{resource="cpu"}`,
};
