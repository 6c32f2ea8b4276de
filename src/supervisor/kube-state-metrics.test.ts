import { describe, expect, it } from 'vitest';
import { CadvisorMetrics, KubeStateMetrics } from '../scaling/kube-metric-names.js';
import { parseExposition } from '../telemetry/metrics/exposition.js';
import { SupervisorMetricsServer, type ReplicaCounts } from './supervisor-metrics.js';

/** The supervisor's /metrics text without a socket: counts and CPU are made up, the registry is real. */
const resources = { requests: { cpuMillicores: 200, memoryMiB: 128 }, limits: { cpuMillicores: 400, memoryMiB: 256 } };
const COUNTS: ReplicaCounts[] = [
  {
    service: 'catalog',
    replicas: 3,
    ready: 2,
    desired: 3,
    min: 1,
    max: 6,
    targetCpuPercent: 60,
    pods: [
      { pod: 'catalog-1', pid: 101, ...resources },
      { pod: 'catalog-2', pid: 102, ...resources },
      { pod: 'catalog-3', pid: 103, ...resources },
    ],
  },
  { service: 'cart', replicas: 1, ready: 1, desired: 1, min: 1, max: 4, pods: [{ pod: 'cart-1', pid: 201, ...resources }] },
];
const CPU = new Map([
  [101, 12.5],
  [102, 3.25],
  [201, 7],
]);

function server(): SupervisorMetricsServer {
  return new SupervisorMetricsServer(() => COUNTS, { cpuSeconds: (pids) => new Map(pids.filter((p) => CPU.has(p)).map((p) => [p, CPU.get(p)!])), node: 'this-host' });
}

async function samples(metrics: SupervisorMetricsServer, name: string) {
  return parseExposition(await metrics.text()).filter((s) => s.name === name);
}

describe('the local stack under kube-state-metrics and cAdvisor names', () => {
  it('one HPA per service, its status as the autoscaler last reported it (the count it saw, the one it asked for)', async () => {
    const metrics = server();
    metrics.setAutoscalerStatus('catalog', { current: 2, desired: 3, min: 1, max: 6, utilization: 0.9, target: 50 });
    const value = async (name: string, hpa: string) => (await samples(metrics, name)).find((s) => s.labels.horizontalpodautoscaler === hpa);
    expect(await value(KubeStateMetrics.hpaCurrentReplicas, 'catalog')).toMatchObject({ type: 'gauge', labels: { namespace: 'peakready', horizontalpodautoscaler: 'catalog' }, value: 2 });
    expect((await value(KubeStateMetrics.hpaDesiredReplicas, 'catalog'))?.value).toBe(3);
    expect((await value(KubeStateMetrics.hpaMinReplicas, 'catalog'))?.value).toBe(1);
    expect((await value(KubeStateMetrics.hpaMaxReplicas, 'catalog'))?.value).toBe(6);
    expect(await samples(metrics, KubeStateMetrics.hpaTargetMetric)).toEqual([
      {
        name: KubeStateMetrics.hpaTargetMetric,
        family: KubeStateMetrics.hpaTargetMetric,
        type: 'gauge',
        labels: { namespace: 'peakready', horizontalpodautoscaler: 'catalog', metric_name: 'cpu', metric_target_type: 'utilization' },
        value: 50,
      },
    ]);
    // no autoscaler status: the live count and the definition's bounds
    expect((await value(KubeStateMetrics.hpaCurrentReplicas, 'cart'))?.value).toBe(1);
    expect((await value(KubeStateMetrics.hpaMaxReplicas, 'cart'))?.value).toBe(4);
  });

  it('one Deployment per service: pods, ready pods, and the count asked for', async () => {
    const metrics = server();
    const deployment = async (name: string) => (await samples(metrics, name)).map((s) => [s.labels, s.value]);
    expect(await deployment(KubeStateMetrics.deploymentReplicas)).toEqual([
      [{ namespace: 'peakready', deployment: 'catalog' }, 3],
      [{ namespace: 'peakready', deployment: 'cart' }, 1],
    ]);
    expect(await deployment(KubeStateMetrics.deploymentReadyReplicas)).toEqual([
      [{ namespace: 'peakready', deployment: 'catalog' }, 2],
      [{ namespace: 'peakready', deployment: 'cart' }, 1],
    ]);
    expect((await deployment(KubeStateMetrics.deploymentSpecReplicas))[0]).toEqual([{ namespace: 'peakready', deployment: 'catalog' }, 3]);
  });

  it('a replica is a pod: requests and limits in cores and bytes, CPU as a cumulative counter of its process tree', async () => {
    const metrics = server();
    const requests = await samples(metrics, KubeStateMetrics.containerRequests);
    expect(requests.filter((s) => s.labels.pod === 'catalog-1')).toEqual([
      expect.objectContaining({ type: 'gauge', labels: { namespace: 'peakready', pod: 'catalog-1', container: 'catalog', node: 'this-host', resource: 'cpu', unit: 'core' }, value: 0.2 }),
      expect.objectContaining({ labels: { namespace: 'peakready', pod: 'catalog-1', container: 'catalog', node: 'this-host', resource: 'memory', unit: 'byte' }, value: 128 * 1024 * 1024 }),
    ]);
    const limits = await samples(metrics, KubeStateMetrics.containerLimits);
    expect(limits.find((s) => s.labels.pod === 'cart-1' && s.labels.resource === 'cpu')?.value).toBe(0.4);
    const cpu = await samples(metrics, CadvisorMetrics.containerCpuUsage);
    // catalog-3's process is gone: no series, as a container that stopped
    expect(cpu.map((s) => [s.type, s.labels, s.value])).toEqual([
      ['counter', { namespace: 'peakready', pod: 'catalog-1', container: 'catalog', cpu: 'total' }, 12.5],
      ['counter', { namespace: 'peakready', pod: 'catalog-2', container: 'catalog', cpu: 'total' }, 3.25],
      ['counter', { namespace: 'peakready', pod: 'cart-1', container: 'cart', cpu: 'total' }, 7],
    ]);
  });

  it('never lets the CPU counter fall (a child that exits unreaped takes its time with it; rate() would read a reset)', async () => {
    const readings = [new Map([[101, 10]]), new Map([[101, 9.5]]), new Map([[101, 11]])];
    const metrics = new SupervisorMetricsServer(() => [COUNTS[0]!], { cpuSeconds: () => readings.shift()!, node: 'this-host' });
    const value = async () => (await samples(metrics, CadvisorMetrics.containerCpuUsage)).map((s) => s.value);
    expect([await value(), await value(), await value()]).toEqual([[10], [10], [11]]);
  });

  it('keeps the supervisor’s own series as they were', async () => {
    const metrics = server();
    metrics.setAutoscalerStatus('catalog', { desired: 4, utilization: 0.42 });
    const text = await metrics.text();
    expect(text).toContain('peakready_replicas{service="catalog"} 3');
    expect(text).toContain('peakready_desired_replicas{service="catalog"} 4');
    expect(text).toContain('peakready_cpu_utilization_ratio{service="catalog"} 0.42');
  });
});
