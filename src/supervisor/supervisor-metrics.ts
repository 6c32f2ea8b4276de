import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';
import { processTreeCpuSeconds } from '../scaling/cpu-sampler.js';
import { SupervisorMetrics } from '../stack/metric-names.js';
import { registerKubeStateMetrics, type KubePod, type KubeWorkload } from './kube-state-metrics.js';
import { listenOrExplain } from './ports.js';

/** What the autoscaler reports about a service (peakready_desired/min/max_replicas, utilisation; the HPA series). */
export interface AutoscalerStatus {
  /** live replicas when it decided (an HPA's status.currentReplicas) */
  current?: number;
  desired?: number;
  min?: number;
  max?: number;
  /** average CPU utilisation, ratio of request (0.6 = 60 %); null when unknown */
  utilization?: number | null;
  /** target CPU utilisation, percent */
  target?: number;
}

export interface ReplicaCounts {
  service: string;
  replicas: number;
  ready: number;
  desired: number;
  min: number;
  max: number;
  /** the HPA's CPU target in the stack definition, percent */
  targetCpuPercent?: number;
  /** every replica process (draining ones included), for the kube-state-metrics and cAdvisor series */
  pods?: KubePod[];
}

export interface SupervisorMetricsOptions {
  /** cumulative CPU seconds per pid (default: the process tree's, from /proc) */
  cpuSeconds?: (pids: readonly number[]) => ReadonlyMap<number, number>;
  /** the `node` label of the pod resource series (default: this host's name) */
  node?: string;
}

/**
 * The supervisor's own /metrics (SupervisorMetrics in src/stack/metric-names.ts): replica counts read live
 * from the replica sets at scrape time, autoscaler bounds and utilisation as last reported, and
 * which faults are active; and the same stack under kube-state-metrics' and cAdvisor's names
 * (kube-state-metrics.ts). One registry per stack, so stacks side by side do not mix.
 */
export class SupervisorMetricsServer {
  private readonly registry = new Registry();
  private readonly autoscaler = new Map<string, AutoscalerStatus>();
  private readonly faults = new Map<string, { proxy: string; kind: string; active: boolean }>();
  private server: Server | undefined;

  constructor(counts: () => ReplicaCounts[], options: SupervisorMetricsOptions = {}) {
    const gauge = (name: string, help: string, value: (c: ReplicaCounts) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['service'],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const c of counts()) {
            const v = value(c);
            if (v !== undefined) this.set({ service: c.service }, v);
          }
        },
      });
    gauge(SupervisorMetrics.replicas, 'Replicas of the service (starting and ready; draining ones excluded)', (c) => c.replicas);
    gauge(SupervisorMetrics.readyReplicas, 'Ready replicas of the service (in the balancer rotation)', (c) => c.ready);
    gauge(SupervisorMetrics.desiredReplicas, 'Replicas the autoscaler (or the user) asked for', (c) => this.autoscaler.get(c.service)?.desired ?? c.desired);
    gauge(SupervisorMetrics.minReplicas, 'Lower bound of the autoscaler', (c) => this.autoscaler.get(c.service)?.min ?? c.min);
    gauge(SupervisorMetrics.maxReplicas, 'Upper bound of the autoscaler', (c) => this.autoscaler.get(c.service)?.max ?? c.max);
    gauge(SupervisorMetrics.cpuUtilization, 'Average CPU utilisation of the replicas, ratio of the CPU request', (c) => {
      const u = this.autoscaler.get(c.service)?.utilization;
      return u === null ? undefined : u;
    });
    const faults = this.faults;
    new Gauge({
      name: SupervisorMetrics.faultActive,
      help: '1 while a fault is active on a proxy',
      labelNames: ['proxy', 'kind'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const f of faults.values()) this.set({ proxy: f.proxy, kind: f.kind }, f.active ? 1 : 0);
      },
    });
    const workloads = () => counts().map((c) => this.kubeWorkload(c));
    registerKubeStateMetrics(this.registry, workloads, options.cpuSeconds ?? processTreeCpuSeconds, options.node);
  }

  /** A service as its Deployment and HPA: the HPA's figures as the autoscaler last reported them. */
  private kubeWorkload(c: ReplicaCounts): KubeWorkload {
    const status = this.autoscaler.get(c.service) ?? {};
    const target = status.target ?? c.targetCpuPercent;
    return {
      service: c.service,
      replicas: c.replicas,
      ready: c.ready,
      spec: c.desired,
      current: status.current ?? c.replicas,
      desired: status.desired ?? c.desired,
      min: status.min ?? c.min,
      max: status.max ?? c.max,
      ...(target !== undefined ? { targetCpuPercent: target } : {}),
      pods: c.pods ?? [],
    };
  }

  setAutoscalerStatus(service: string, status: AutoscalerStatus): void {
    this.autoscaler.set(service, { ...this.autoscaler.get(service), ...status });
  }

  setFaultActive(proxy: string, kind: string, active: boolean): void {
    this.faults.set(`${proxy}\u0000${kind}`, { proxy, kind, active });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  async listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      if (req.url !== '/metrics' && !req.url?.startsWith('/metrics?')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'not found; the supervisor serves GET /metrics' }));
        return;
      }
      this.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': this.registry.contentType });
          res.end(text);
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        },
      );
    });
    await listenOrExplain(server, port, 'the supervisor metrics endpoint');
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
