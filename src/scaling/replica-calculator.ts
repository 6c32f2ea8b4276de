import type { MetricTarget } from './hpa-spec.js';

/**
 * Kubernetes' replica calculator for one metric (pkg/controller/podautoscaler/replica_calculator.go,
 * read, not copied): the proposal one metric makes before stabilization and rate policies.
 * Pure: pods, their readiness and their measured usage come in; a proposal with its reason goes out.
 */

export interface PodSample {
  name: string;
  /**
   * 'ready' counts; 'unready' = pending, not ready or still initialising (left out, then counted
   * as 0 % on a scale-up); 'ignored' = being deleted or failed (left out entirely).
   */
  status: 'ready' | 'unready' | 'ignored';
  /** measured usage in milli-units (millicores for CPU); undefined = no metric for this pod */
  usage?: number;
  /** the pod's request in the same units (needed by Utilization targets) */
  request?: number;
}

export type MetricInput =
  /** per-pod samples, for Resource (Utilization or AverageValue) and Pods metrics */
  | { kind: 'pods'; pods: readonly PodSample[] }
  /** one value for the whole target (Object / External metrics) */
  | { kind: 'value'; value: number }
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

/** As Kubernetes: within tolerance when the ratio is within [1 − down, 1 + up]. */
export function withinTolerance(ratio: number, tolerances: Tolerances): boolean {
  return ratio > 1 ? ratio - 1 <= tolerances.up : 1 - ratio <= tolerances.down;
}

export function proposeReplicas(
  target: MetricTarget,
  input: MetricInput,
  currentReplicas: number,
  tolerances: Tolerances,
): MetricProposal | MetricFailure {
  if (input.kind === 'unavailable') return { metric: target.name, ok: false, reason: input.reason };
  if (target.type === 'Value') {
    if (input.kind !== 'value') return { metric: target.name, ok: false, reason: 'expected one value for the whole target' };
    return valueProposal(target, input.value, currentReplicas, tolerances);
  }
  if (input.kind !== 'pods') return { metric: target.name, ok: false, reason: 'expected per-pod samples' };
  return podsProposal(target, input.pods, currentReplicas, tolerances);
}

/** Object/External metric with a Value target: ratio = value / target over the ready pods. */
function valueProposal(
  target: Extract<MetricTarget, { type: 'Value' }>,
  value: number,
  currentReplicas: number,
  tolerances: Tolerances,
): MetricProposal {
  const usageRatio = value / target.value;
  const base = { metric: target.name, ok: true as const, current: value, target: target.value, usageRatio };
  if (withinTolerance(usageRatio, tolerances)) {
    return { ...base, replicas: currentReplicas, limitedBy: 'tolerance', reason: `ratio ${usageRatio.toFixed(3)} within tolerance` };
  }
  const replicas = Math.ceil(usageRatio * currentReplicas);
  return { ...base, replicas, limitedBy: 'none', reason: `ratio ${usageRatio.toFixed(3)} × ${currentReplicas} → ${replicas}` };
}

type PodTarget = Extract<MetricTarget, { type: 'Utilization' | 'AverageValue' }>;

interface Usage {
  ratio: number;
  current: number;
}

/** Pods by what the controller can use of them: measured and ready, unready, or without a sample. */
function classifyPods(pods: readonly PodSample[]): { ready: Map<string, PodSample>; unready: PodSample[]; missing: PodSample[] } {
  const ready = new Map<string, PodSample>();
  const unready: PodSample[] = [];
  const missing: PodSample[] = [];
  for (const pod of pods) {
    if (pod.status === 'ignored') continue;
    if (pod.status === 'unready') unready.push(pod);
    else if (pod.usage === undefined) missing.push(pod);
    else ready.set(pod.name, pod);
  }
  return { ready, unready, missing };
}

function podsProposal(target: PodTarget, pods: readonly PodSample[], currentReplicas: number, tolerances: Tolerances): MetricProposal | MetricFailure {
  const { ready, unready, missing } = classifyPods(pods);
  if (ready.size === 0) {
    return { metric: target.name, ok: false, reason: 'no metrics for the targeted pods (pods might be unready)' };
  }
  const goal = target.type === 'Utilization' ? target.averageUtilization : target.averageValue;
  if (target.type === 'Utilization') {
    const noRequest = [...ready.values(), ...missing, ...unready].find((p) => !p.request || p.request <= 0);
    if (noRequest) return { metric: target.name, ok: false, reason: `missing request for ${target.name} on pod ${noRequest.name}` };
  }
  const measured = [...ready.values()].map((p) => ({ usage: p.usage!, request: p.request ?? 0 }));
  const first = usage(target, measured);
  const base = { metric: target.name, ok: true as const, current: first.current, target: goal };

  const scaleUpWithUnready = unready.length > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (withinTolerance(first.ratio, tolerances)) {
      return { ...base, usageRatio: first.ratio, replicas: currentReplicas, limitedBy: 'tolerance', reason: `ratio ${first.ratio.toFixed(3)} within tolerance` };
    }
    const replicas = Math.ceil(first.ratio * ready.size);
    return { ...base, usageRatio: first.ratio, replicas, limitedBy: 'none', reason: `ratio ${first.ratio.toFixed(3)} × ${ready.size} ready → ${replicas}` };
  }
  return conservativeProposal({ target, goal, base, first, measured, unready, missing, scaleUpWithUnready, currentReplicas, tolerances });
}

interface ConservativeInput {
  target: PodTarget;
  goal: number;
  base: { metric: string; ok: true; current: number; target: number };
  first: Usage;
  measured: Array<{ usage: number; request: number }>;
  unready: PodSample[];
  missing: PodSample[];
  scaleUpWithUnready: boolean;
  currentReplicas: number;
  tolerances: Tolerances;
}

/**
 * Recompute conservatively (as Kubernetes): missing pods count as 100 % of request (or the
 * target, if above 100 %) on a scale-down and 0 on a scale-up; unready pods 0 on a scale-up.
 */
function conservativeProposal(input: ConservativeInput): MetricProposal {
  const { target, goal, base, first, measured, unready, missing, currentReplicas } = input;
  const adjusted = [...measured];
  if (missing.length > 0 && first.ratio !== 1) {
    for (const pod of missing) {
      const request = pod.request ?? 0;
      const fill =
        first.ratio > 1 ? 0 : target.type === 'Utilization' ? Math.trunc((request * Math.max(100, goal)) / 100) : goal;
      adjusted.push({ usage: fill, request });
    }
  }
  if (input.scaleUpWithUnready) for (const pod of unready) adjusted.push({ usage: 0, request: pod.request ?? 0 });
  const second = usage(target, adjusted);
  const why = missing.length > 0 ? 'missing-metrics' : 'unready-pods';
  const counted = `${missing.length} without metrics, ${unready.length} unready`;
  const flipped = (first.ratio < 1 && second.ratio > 1) || (first.ratio > 1 && second.ratio < 1);
  if (withinTolerance(second.ratio, input.tolerances) || flipped) {
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
function usage(target: PodTarget, samples: Iterable<{ usage: number; request: number }>): Usage {
  let total = 0;
  let requests = 0;
  let count = 0;
  for (const s of samples) {
    total += s.usage;
    requests += s.request;
    count++;
  }
  if (target.type === 'Utilization') {
    const current = requests > 0 ? Math.trunc((total * 100) / requests) : 0;
    return { current, ratio: current / target.averageUtilization };
  }
  const current = count > 0 ? Math.trunc(total / count) : 0;
  return { current, ratio: current / target.averageValue };
}
