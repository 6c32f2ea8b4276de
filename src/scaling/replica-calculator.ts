import { isPerPodMetric, metricSource, type MetricTarget } from './hpa-spec.js';
import { groupPods, type PodSample, type ReadinessClock } from './pod-groups.js';

/**
 * Kubernetes' replica calculator for one metric (pkg/controller/podautoscaler/replica_calculator.go,
 * read, not copied): the proposal one metric makes before stabilization and rate policies.
 * Pure: pods, their readiness and their measured usage come in; a proposal with its reason goes out.
 */

export type { PodPhase, PodSample } from './pod-groups.js';

export type MetricInput =
  /** per-pod samples, for Resource, ContainerResource and Pods metrics */
  | { kind: 'pods'; pods: readonly PodSample[] }
  /**
   * one value for the whole target (Object metrics; External metrics: the sum of their series),
   * with the count of Running and Ready pods that a Value target multiplies the ratio by
   */
  | { kind: 'value'; value: number; readyPods: number }
  | { kind: 'unavailable'; reason: string };

export type ProposalLimit = 'none' | 'tolerance' | 'unready-pods' | 'missing-metrics';

export interface MetricProposal {
  metric: string;
  ok: true;
  replicas: number;
  /** Utilization: integer percent of request, as the HPA status shows it; otherwise the average value */
  current: number;
  target: number;
  /** current / target as Kubernetes computes it (utilization truncated to an integer first) */
  usageRatio: number;
  limitedBy: ProposalLimit;
  reason: string;
}

export interface MetricFailure {
  metric: string;
  ok: false;
  reason: string;
}

export interface Tolerances {
  up: number;
  down: number;
}

/** What the controller knows at this sync besides the metric. */
export interface CalculatorContext extends ReadinessClock {
  /** the target's `spec.replicas` */
  currentReplicas: number;
  /** the target's `status.replicas` (pods created): Object/External AverageValue targets divide by it; default currentReplicas */
  statusReplicas?: number;
  tolerances: Tolerances;
}

/** As `Tolerances.isWithin` (Kubernetes 1.33+): no change while 1 − down ≤ ratio ≤ 1 + up, in float64. */
export function withinTolerance(ratio: number, tolerances: Tolerances): boolean {
  return 1 - tolerances.down <= ratio && ratio <= 1 + tolerances.up;
}

export function proposeReplicas(target: MetricTarget, input: MetricInput, context: CalculatorContext): MetricProposal | MetricFailure {
  if (input.kind === 'unavailable') return { metric: target.name, ok: false, reason: input.reason };
  if (!isPerPodMetric(target)) {
    if (input.kind !== 'value') return { metric: target.name, ok: false, reason: 'expected one value for the whole target' };
    if (target.type === 'Value') return valueProposal(target, input.value, input.readyPods, context);
    if (target.type === 'AverageValue') return averageOfValueProposal(target, input.value, context);
    return { metric: target.name, ok: false, reason: 'Utilization is only valid for Resource metrics' };
  }
  if (input.kind !== 'pods') return { metric: target.name, ok: false, reason: 'expected per-pod samples' };
  if (target.type === 'Value') return { metric: target.name, ok: false, reason: `a ${metricSource(target)} metric has no Value target; use AverageValue` };
  return podsProposal(target, input.pods, context);
}

/**
 * Object/External metric with a Value target (`getUsageRatioReplicaCount`): ratio × the Running
 * and Ready pods, within tolerance no change; from zero replicas (scale-to-zero) ceil(ratio) with
 * no tolerance.
 */
function valueProposal(target: Extract<MetricTarget, { type: 'Value' }>, value: number, readyPods: number, context: CalculatorContext): MetricProposal {
  const usageRatio = value / target.value;
  const base = { metric: target.name, ok: true as const, current: value, target: target.value, usageRatio };
  if (context.currentReplicas === 0) {
    const replicas = Math.ceil(usageRatio);
    return { ...base, replicas, limitedBy: 'none', reason: `ratio ${usageRatio.toFixed(3)} from zero replicas → ${replicas}` };
  }
  if (withinTolerance(usageRatio, context.tolerances)) {
    return { ...base, replicas: context.currentReplicas, limitedBy: 'tolerance', reason: `ratio ${usageRatio.toFixed(3)} within tolerance` };
  }
  const replicas = Math.ceil(usageRatio * readyPods);
  return { ...base, replicas, limitedBy: 'none', reason: `ratio ${usageRatio.toFixed(3)} × ${readyPods} ready → ${replicas}` };
}

/**
 * Object/External metric with an AverageValue target (`GetObjectPerPodMetricReplicas`,
 * `GetExternalPerPodMetricReplicas`): the value shared by the target's pods (status.replicas);
 * outside tolerance, ceil(value / target).
 */
function averageOfValueProposal(target: Extract<MetricTarget, { type: 'AverageValue' }>, value: number, context: CalculatorContext): MetricProposal {
  const pods = context.statusReplicas ?? context.currentReplicas;
  const usageRatio = value / (target.averageValue * pods);
  const current = Math.ceil(value / pods);
  const base = { metric: target.name, ok: true as const, current, target: target.averageValue, usageRatio };
  if (withinTolerance(usageRatio, context.tolerances)) {
    return { ...base, replicas: pods, limitedBy: 'tolerance', reason: `ratio ${usageRatio.toFixed(3)} within tolerance` };
  }
  const replicas = Math.ceil(value / target.averageValue);
  return { ...base, replicas, limitedBy: 'none', reason: `${value} over a target of ${target.averageValue} per pod → ${replicas}` };
}

type PodTarget = Extract<MetricTarget, { type: 'Utilization' | 'AverageValue' }>;

interface Usage {
  ratio: number;
  current: number;
}

interface Measured {
  usage: number;
  request: number;
}

/** `GetResourceReplicas` (Utilization) and `calcPlainMetricReplicas` (AverageValue). */
function podsProposal(target: PodTarget, pods: readonly PodSample[], context: CalculatorContext): MetricProposal | MetricFailure {
  const source = metricSource(target);
  // the controller judges readiness only for CPU (`resource == v1.ResourceCPU` in groupPods)
  const isCpu = (source === 'Resource' || source === 'ContainerResource') && target.name === 'cpu';
  const { ready, unready, missing } = groupPods(pods, isCpu, context);
  if (ready.length === 0) {
    return { metric: target.name, ok: false, reason: 'did not receive metrics for targeted pods (pods might be unready)' };
  }
  const goal = target.type === 'Utilization' ? target.averageUtilization : target.averageValue;
  if (target.type === 'Utilization') {
    // as `calculateRequests`: every listed pod needs a request
    const noRequest = pods.find((p) => !p.request || p.request <= 0);
    if (noRequest) return { metric: target.name, ok: false, reason: `missing request for ${target.name} on pod ${noRequest.name}` };
  }
  const measured: Measured[] = ready.map((p) => ({ usage: p.usage!, request: p.request ?? 0 }));
  const first = usage(target, measured);
  const base = { metric: target.name, ok: true as const, current: first.current, target: goal };
  const { currentReplicas, tolerances } = context;

  const scaleUpWithUnready = unready.length > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (withinTolerance(first.ratio, tolerances)) {
      return { ...base, usageRatio: first.ratio, replicas: currentReplicas, limitedBy: 'tolerance', reason: `ratio ${first.ratio.toFixed(3)} within tolerance` };
    }
    const replicas = Math.ceil(first.ratio * ready.length);
    return { ...base, usageRatio: first.ratio, replicas, limitedBy: 'none', reason: `ratio ${first.ratio.toFixed(3)} × ${ready.length} ready → ${replicas}` };
  }

  // Recompute conservatively: missing pods at 100 % of request (or the target, if above 100 %) on
  // a scale-down and 0 on a scale-up; unready pods at 0 on a scale-up.
  const adjusted = [...measured];
  if (first.ratio !== 1) {
    for (const pod of missing) {
      const request = pod.request ?? 0;
      const fill = first.ratio > 1 ? 0 : target.type === 'Utilization' ? Math.trunc((request * Math.max(100, goal)) / 100) : goal;
      adjusted.push({ usage: fill, request });
    }
  }
  if (scaleUpWithUnready) for (const pod of unready) adjusted.push({ usage: 0, request: pod.request ?? 0 });
  const second = usage(target, adjusted);
  const why = missing.length > 0 ? 'missing-metrics' : 'unready-pods';
  const counted = `${missing.length} without metrics, ${unready.length} unready`;
  const flipped = (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1);
  if (withinTolerance(second.ratio, tolerances) || flipped) {
    return {
      ...base,
      usageRatio: first.ratio,
      replicas: currentReplicas,
      limitedBy: why,
      reason: `ratio ${first.ratio.toFixed(3)} recomputed as ${second.ratio.toFixed(3)} (${counted}): ${flipped ? 'direction flips' : 'within tolerance'}, no change`,
    };
  }
  const replicas = Math.ceil(second.ratio * adjusted.length);
  if ((second.ratio < 1 && replicas > currentReplicas) || (second.ratio > 1 && replicas < currentReplicas)) {
    return { ...base, usageRatio: first.ratio, replicas: currentReplicas, limitedBy: why, reason: `recomputed proposal ${replicas} would reverse the direction (${counted}), no change` };
  }
  return {
    ...base,
    usageRatio: first.ratio,
    replicas,
    limitedBy: 'none',
    reason: `ratio ${first.ratio.toFixed(3)} recomputed as ${second.ratio.toFixed(3)} over ${adjusted.length} pods (${counted}) → ${replicas}`,
  };
}

/**
 * Utilization: Σ usage × 100 / Σ request, truncated to an integer percent (as the HPA status
 * reports it) before dividing by the target. AverageValue: Σ usage / pods, truncated.
 */
function usage(target: PodTarget, samples: readonly Measured[]): Usage {
  let total = 0;
  let requests = 0;
  for (const s of samples) {
    total += s.usage;
    requests += s.request;
  }
  if (target.type === 'Utilization') {
    const current = requests > 0 ? Math.trunc((total * 100) / requests) : 0;
    return { current, ratio: current / target.averageUtilization };
  }
  const current = samples.length > 0 ? Math.trunc(total / samples.length) : 0;
  return { current, ratio: current / target.averageValue };
}
