import { hostname } from 'node:os';
import { Counter, Gauge, type Registry } from 'prom-client';
import { CadvisorMetrics, KubeStateMetrics } from '../scaling/kube-metric-names.js';
import type { Resources } from '../stack/definition.js';

/**
 * The local stack as a cluster's Prometheus would see it: per service one Deployment and one HPA
 * of that name, in namespace `peakready`, each replica a pod (pod = replica id, container = the
 * service), with kube-state-metrics' and cAdvisor's names, types, units and labels. So the
 * Prometheus evidence source is exercised on the bundled stack exactly as on a cluster.
 * Left out: labels a process has no value for (kube-state-metrics' pod `uid`, cAdvisor's `id`,
 * `image`, `name`).
 */

export const KUBE_NAMESPACE = 'peakready';

export interface KubePod {
  /** the replica id, e.g. "catalog-2" */
  pod: string;
  pid: number;
  requests: Resources;
  limits: Resources;
}

/** One service as its Deployment and HPA. */
export interface KubeWorkload {
  service: string;
  /** live replicas (starting and ready): the Deployment's status.replicas */
  replicas: number;
  ready: number;
  /** the count the replica set keeps: the Deployment's spec.replicas */
  spec: number;
  /** as an HPA's status: the replicas it saw at its last sync, and what it asked for */
  current: number;
  desired: number;
  min: number;
  max: number;
  /** the HPA's CPU target, percent of request */
  targetCpuPercent?: number;
  /** every replica process still running, draining ones included (a terminating pod still uses CPU) */
  pods: KubePod[];
}

type Labels = Record<string, string>;

const MIB = 1024 * 1024;

/**
 * Registers the series on `registry`; every value is read at scrape time from `workloads()`, and
 * CPU from `cpuSeconds` (cumulative seconds per pid: the replica's process tree, as a container's
 * cgroup counts every process in it).
 */
export function registerKubeStateMetrics(
  registry: Registry,
  workloads: () => KubeWorkload[],
  cpuSeconds: (pids: readonly number[]) => ReadonlyMap<number, number>,
  node: string = hostname(),
): void {
  const gauge = (name: string, help: string, labelNames: string[], rows: () => Array<[Labels, number]>) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const [labels, value] of rows()) this.set(labels, value);
      },
    });
  const hpa = (pick: (w: KubeWorkload) => number) => () =>
    workloads().map((w): [Labels, number] => [{ namespace: KUBE_NAMESPACE, horizontalpodautoscaler: w.service }, pick(w)]);
  const deployment = (pick: (w: KubeWorkload) => number) => () => workloads().map((w): [Labels, number] => [{ namespace: KUBE_NAMESPACE, deployment: w.service }, pick(w)]);
  const hpaLabels = ['namespace', 'horizontalpodautoscaler'];
  gauge(KubeStateMetrics.hpaCurrentReplicas, 'Replicas the HPA saw at its last sync (status.currentReplicas).', hpaLabels, hpa((w) => w.current));
  gauge(KubeStateMetrics.hpaDesiredReplicas, 'Replicas the HPA asked for (status.desiredReplicas).', hpaLabels, hpa((w) => w.desired));
  gauge(KubeStateMetrics.hpaMinReplicas, 'Lower bound of the HPA (spec.minReplicas).', hpaLabels, hpa((w) => w.min));
  gauge(KubeStateMetrics.hpaMaxReplicas, 'Upper bound of the HPA (spec.maxReplicas).', hpaLabels, hpa((w) => w.max));
  gauge(KubeStateMetrics.hpaTargetMetric, 'Target of each HPA metric (spec.metrics), percent for a utilization target.', [...hpaLabels, 'metric_name', 'metric_target_type'], () =>
    workloads().flatMap((w): Array<[Labels, number]> =>
      w.targetCpuPercent === undefined
        ? []
        : [[{ namespace: KUBE_NAMESPACE, horizontalpodautoscaler: w.service, metric_name: 'cpu', metric_target_type: 'utilization' }, w.targetCpuPercent]],
    ),
  );
  const deploymentLabels = ['namespace', 'deployment'];
  gauge(KubeStateMetrics.deploymentReplicas, 'Pods of the Deployment (status.replicas).', deploymentLabels, deployment((w) => w.replicas));
  gauge(KubeStateMetrics.deploymentReadyReplicas, 'Ready pods of the Deployment (status.readyReplicas).', deploymentLabels, deployment((w) => w.ready));
  gauge(KubeStateMetrics.deploymentSpecReplicas, 'Pods asked of the Deployment (spec.replicas).', deploymentLabels, deployment((w) => w.spec));
  const resourceLabels = ['namespace', 'pod', 'container', 'node', 'resource', 'unit'];
  gauge(KubeStateMetrics.containerRequests, 'Resource requests of a container: cpu in cores, memory in bytes.', resourceLabels, () => resourceRows(workloads(), node, 'requests'));
  gauge(KubeStateMetrics.containerLimits, 'Resource limits of a container: cpu in cores, memory in bytes.', resourceLabels, () => resourceRows(workloads(), node, 'limits'));
  registerCpuCounter(registry, workloads, cpuSeconds);
}

/** cpu in cores, memory in bytes, as kube-state-metrics converts a container's resources. */
function resourceRows(workloads: readonly KubeWorkload[], node: string, kind: 'requests' | 'limits'): Array<[Labels, number]> {
  return workloads.flatMap((w) =>
    w.pods.flatMap((p): Array<[Labels, number]> => {
      const labels = { namespace: KUBE_NAMESPACE, pod: p.pod, container: w.service, node };
      return [
        [{ ...labels, resource: 'cpu', unit: 'core' }, p[kind].cpuMillicores / 1000],
        [{ ...labels, resource: 'memory', unit: 'byte' }, p[kind].memoryMiB * MIB],
      ];
    }),
  );
}

/**
 * cAdvisor's cumulative CPU counter per container; a pod that is gone leaves, as its container does.
 * A cgroup's counter never falls, but a process tree's can (a child that exits unreaped takes its
 * time with it): the highest value seen is kept, so rate() never reads a counter reset.
 */
function registerCpuCounter(registry: Registry, workloads: () => KubeWorkload[], cpuSeconds: (pids: readonly number[]) => ReadonlyMap<number, number>): void {
  const highest = new Map<number, number>();
  new Counter({
    name: CadvisorMetrics.containerCpuUsage,
    help: 'CPU time the container used, seconds (its process tree).',
    labelNames: ['namespace', 'pod', 'container', 'cpu'],
    registers: [registry],
    collect() {
      this.reset();
      const pods = workloads().flatMap((w) => w.pods.map((p) => ({ service: w.service, ...p })));
      const seconds = cpuSeconds(pods.map((p) => p.pid));
      for (const pid of highest.keys()) if (!seconds.has(pid)) highest.delete(pid);
      for (const p of pods) {
        const read = seconds.get(p.pid);
        if (read === undefined) continue;
        const value = Math.max(read, highest.get(p.pid) ?? 0);
        highest.set(p.pid, value);
        this.inc({ namespace: KUBE_NAMESPACE, pod: p.pod, container: p.service, cpu: 'total' }, value);
      }
    },
  });
}
