/**
 * Pods as the HPA's replica calculator sorts them before it averages a per-pod metric
 * (replica_calculator.go `groupPods`, read, not copied). Pure: the pods' phase, Ready condition,
 * start time and measurement come in, with the time of the sync and the controller's two
 * readiness flags; the groups go out.
 */

/** `status.phase` of a pod. */
export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface PodSample {
  name: string;
  phase: PodPhase;
  /** `metadata.deletionTimestamp` is set: the pod is terminating */
  deleting?: boolean;
  /** the pod's Ready condition and its `lastTransitionTime` (ms); absent while the pod has none */
  ready?: { status: boolean; since: number };
  /** `status.startTime` (ms); absent until the kubelet starts the pod */
  startTime?: number;
  /** measured usage in milli-units (millicores for CPU); undefined = no metric for this pod */
  usage?: number;
  /** when `usage` was measured (the end of its window, ms) and the window's length: CPU's readiness rule reads them */
  measuredAt?: number;
  windowMs?: number;
  /** the pod's request in the same units (needed by Utilization targets) */
  request?: number;
}

/** The controller's readiness flags and the time of the sync. */
export interface ReadinessClock {
  now: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay */
  initialReadinessDelayMs: number;
}

export interface PodGroups {
  /** measured and counted as they are */
  ready: PodSample[];
  /** left out, then counted as 0 on a scale-up */
  unready: PodSample[];
  /** without a metric: counted conservatively once the direction is known */
  missing: PodSample[];
  /** being deleted or failed: not counted at all */
  ignored: PodSample[];
}

/**
 * As `groupPods`: terminating and failed pods are ignored; pending pods are unready for every
 * metric; a pod without a metric is missing (whatever its readiness); only for CPU is a running
 * pod judged by its Ready condition — see `unreadyForCpu`. Other metrics (memory, Pods metrics)
 * use a running pod's value even while it is not ready.
 */
export function groupPods(pods: readonly PodSample[], isCpu: boolean, clock: ReadinessClock): PodGroups {
  const groups: PodGroups = { ready: [], unready: [], missing: [], ignored: [] };
  for (const pod of pods) {
    if (pod.deleting || pod.phase === 'Failed') groups.ignored.push(pod);
    else if (pod.phase === 'Pending') groups.unready.push(pod);
    else if (pod.usage === undefined) groups.missing.push(pod);
    else if (isCpu && unreadyForCpu(pod, clock)) groups.unready.push(pod);
    else groups.ready.push(pod);
  }
  return groups;
}

/**
 * CPU of a starting pod is misleading, so `groupPods` leaves out a pod without a Ready condition
 * or a start time; within the CPU initialization period after its start, a pod that is not ready,
 * or whose sample began before it last changed readiness; after that period, a pod that is not
 * ready and never was (its readiness last changed within the initial readiness delay of its start).
 */
export function unreadyForCpu(pod: PodSample, clock: ReadinessClock): boolean {
  if (!pod.ready || pod.startTime === undefined) return true;
  if (pod.startTime + clock.cpuInitializationPeriodMs > clock.now) {
    const measuredAt = pod.measuredAt ?? clock.now;
    return !pod.ready.status || measuredAt < pod.ready.since + (pod.windowMs ?? 0);
  }
  return !pod.ready.status && pod.startTime + clock.initialReadinessDelayMs > pod.ready.since;
}

/** Running with a true Ready condition: the pods `getReadyPodsCount` counts for Object/External metrics. */
export function isReadyPod(pod: PodSample): boolean {
  return pod.phase === 'Running' && pod.ready?.status === true;
}
