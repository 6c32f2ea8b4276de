import { emptyMemory, recordRescale, type BehaviorMemory } from './behavior.js';
import { hpaSync } from './hpa-controller.js';
import { isPerPodMetric, type HpaSpec, type MetricTarget } from './hpa-spec.js';
import { isReadyPod, type PodSample } from './pod-groups.js';
import type { PodSeries, PodSnapshot, PodState } from './pod-series.js';
import type { MetricInput } from './replica-calculator.js';
import type { SimulationStep } from './simulate.js';

/**
 * Replays a per-pod file as the cluster saw it: at every sync the workload's pods are the file's
 * (its latest snapshot at or before the sync) and the decision is what the Kubernetes controller
 * would have asked for then. The pods do not follow the decisions — the file already says what
 * ran — so the replay answers "what would this HPA have done with exactly these pods", and the
 * rate policies count the rescales the file shows, not the ones the replay asked for.
 * Pure (simulated time).
 */

export interface PodReplayOptions {
  syncPeriodMs: number;
  /** keep syncing this long after the last snapshot (its pods stay as they were) */
  tailMs: number;
}

/** Pods the target's spec counts: not being deleted, not finished. */
function counted(pod: PodState): boolean {
  return !pod.deleting && pod.phase !== 'Failed' && pod.phase !== 'Succeeded';
}

export function replayPods(hpa: HpaSpec, series: PodSeries, options: PodReplayOptions): SimulationStep[] {
  const { snapshots } = series;
  // a given history is the controller's memory; without one the first sync records the start size
  let memory: BehaviorMemory = { ...emptyMemory(), recommendations: series.recommendations };
  const end = snapshots.at(-1)!.t + options.tailMs;
  const steps: SimulationStep[] = [];
  let index = 0;
  let previous: { now: number; replicas: number } | undefined;
  for (let now = 0; now <= end; now += options.syncPeriodMs) {
    while (index + 1 < snapshots.length && snapshots[index + 1]!.t <= now) index++;
    const snapshot = snapshots[index]!;
    const replicas = snapshot.pods.filter(counted).length;
    // a change of the pod count is a rescale the controller made at the sync before
    if (previous && previous.replicas !== replicas) memory = recordRescale(hpa.behavior, memory, previous.now, previous.replicas, replicas);
    const ready = snapshot.pods.filter((p) => isReadyPod(podSample(p, undefined, snapshot.t))).length;
    const metrics: Record<string, MetricInput> = {};
    for (const metric of hpa.metrics) metrics[metric.name] = metricInput(metric, snapshot, ready);
    const result = hpaSync(hpa, memory, { now, currentReplicas: replicas, statusReplicas: replicas, metrics });
    // keep the recommendations; the rescale events come from the file, not from the decision
    memory = { ...result.memory, scaleUpEvents: memory.scaleUpEvents, scaleDownEvents: memory.scaleDownEvents };
    steps.push({ decision: result.decision, replicas: result.decision.desired, ready, observed: replicas });
    previous = { now, replicas };
  }
  return steps;
}

function metricInput(metric: MetricTarget, snapshot: PodSnapshot, readyPods: number): MetricInput {
  if (!isPerPodMetric(metric)) {
    const value = snapshot.values[metric.name];
    if (value === undefined) return { kind: 'unavailable', reason: 'no value at this time' };
    return { kind: 'value', value, readyPods };
  }
  return { kind: 'pods', pods: snapshot.pods.map((p) => podSample(p, metric.name, snapshot.t)) };
}

/** A pod of the file as the calculator reads it, with its value of `metric` measured at the snapshot's time. */
function podSample(pod: PodState, metric: string | undefined, measuredAt: number): PodSample {
  const m = metric !== undefined ? pod.metrics[metric] : undefined;
  return {
    name: pod.name,
    phase: pod.phase,
    ...(pod.deleting ? { deleting: true } : {}),
    ready: { status: pod.ready, since: pod.readySince },
    startTime: pod.startTime,
    ...(m?.usage !== undefined ? { usage: m.usage, measuredAt, windowMs: m.windowMs } : {}),
    ...(m?.request !== undefined ? { request: m.request } : {}),
  };
}
