import type { MetricSample, TimelineEvent } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import type { ReplicaController, ReplicaInfo } from '../stack/contract.js';
import type { ServiceName, StackDefinition } from '../stack/definition.js';
import { emptyMemory, type BehaviorMemory } from './behavior.js';
import { CpuSampler } from './cpu-sampler.js';
import { hpaSync, type ScaleDecision } from './hpa-controller.js';
import { CONTROLLER_DEFAULTS, defaultBehavior, scaleBehaviorTime, type HpaBehavior, type HpaSpec } from './hpa-spec.js';
import type { PodSample } from './replica-calculator.js';

/**
 * The local autoscaler: every sync period, for every service with an HPA, measure each replica's
 * CPU from /proc against its declared request, run the Kubernetes HPA algorithm (hpa-controller.ts)
 * and ask the supervisor for the new count. Every decision goes to the run's timeline as a
 * `scale-decision` event and every reading to metrics.ndjson as a `cpu` sample.
 */

/**
 * What the autoscaler reports per service after each sync. A superset of the supervisor's
 * AutoscalerStatus (desired, min, max, utilization as a ratio), so it can be passed straight to
 * `RunningStack.setAutoscalerStatus`.
 */
export interface AutoscalerStatus {
  t: number;
  current: number;
  ready: number;
  desired: number;
  min: number;
  max: number;
  /** average CPU utilisation of the ready replicas, ratio of request (0.6 = 60 %); null when unknown */
  utilization: number | null;
  /** the same in percent, as the HPA status and the timeline show it */
  utilizationPercent: number | null;
  /** target utilisation, percent */
  target: number;
  limitedBy: string;
  reason: string;
}

export interface LocalScaleDecision extends ScaleDecision {
  service: ServiceName;
  /** the supervisor refused or failed the change */
  error?: string;
}

export interface LocalAutoscalerOptions {
  controller: ReplicaController;
  definition: StackDefinition;
  runDir?: RunDirectory;
  /** Kubernetes' 15 s by default; shorter for compressed drills */
  syncPeriodMs?: number;
  /**
   * Multiplies every behavior period and window (default syncPeriodMs / 15 s, so a 1 s sync runs
   * the default behavior 15× faster and keeps its shape).
   */
  timeScale?: number;
  /** only these services (default: every service with an HPA) */
  services?: ServiceName[];
  /** the HPA behavior before time scaling (default: Kubernetes' defaults) */
  behavior?: HpaBehavior;
  tolerance?: number;
  /** epoch ms; injected by tests */
  clock?: { now(): number };
  /** no timer: syncs only happen through syncNow() (tests, benches) */
  manual?: boolean;
  /** count CPU of a replica's child processes too (scans /proc once per sync; default true) */
  includeChildren?: boolean;
  onDecision?: (decision: LocalScaleDecision) => void;
  setStatus?: (service: ServiceName, status: AutoscalerStatus) => void;
}

export interface LocalAutoscaler {
  /** runs one sync now (tests and benches drive time with it); resolves when its changes are made */
  syncNow(): Promise<LocalScaleDecision[]>;
  stop(): Promise<void>;
}

export function startLocalAutoscaler(options: LocalAutoscalerOptions): LocalAutoscaler {
  const syncPeriodMs = options.syncPeriodMs ?? CONTROLLER_DEFAULTS.syncPeriodMs;
  const timeScale = options.timeScale ?? syncPeriodMs / CONTROLLER_DEFAULTS.syncPeriodMs;
  const behavior = scaleBehaviorTime(options.behavior ?? defaultBehavior(), timeScale);
  const clock = options.clock ?? Date;
  const sampler = new CpuSampler({ includeChildren: options.includeChildren });
  const services = options.definition.services.filter((s) => s.hpa && (!options.services || options.services.includes(s.name)));
  const specs = new Map<ServiceName, HpaSpec>(
    services.map((s) => [
      s.name,
      {
        name: s.name,
        minReplicas: s.local.minReplicas,
        maxReplicas: s.local.maxReplicas,
        metrics: [{ name: 'cpu', type: 'Utilization', averageUtilization: s.hpa!.targetCPUUtilizationPercent }],
        behavior,
        tolerance: options.tolerance ?? CONTROLLER_DEFAULTS.tolerance,
      },
    ]),
  );
  const memory = new Map<ServiceName, BehaviorMemory>();

  async function sync(): Promise<LocalScaleDecision[]> {
    const now = clock.now();
    const all = services.flatMap((s) => options.controller.replicas(s.name).filter((r) => r.state === 'ready' || r.state === 'starting'));
    const readings = sampler.sample(all, now);
    const samples: MetricSample[] = [];
    const decisions: LocalScaleDecision[] = [];
    for (const service of services) {
      const spec = specs.get(service.name)!;
      const replicas = options.controller.replicas(service.name);
      const pods: PodSample[] = [];
      for (const r of replicas) {
        const reading = readings.get(r.id);
        if (reading && (r.state === 'ready' || r.state === 'starting')) {
          samples.push({
            t: now,
            source: 'cpu',
            service: service.name,
            replica: r.id,
            pid: r.pid,
            cpuSeconds: reading.cpuSeconds,
            utilization: reading.usageMillicores === undefined ? Number.NaN : (reading.usageMillicores / r.cpuRequestMillicores) * 100,
            requestMillicores: r.cpuRequestMillicores,
          });
        }
        pods.push(podSample(r, reading?.usageMillicores));
      }
      const current = replicas.filter((r) => r.state === 'ready' || r.state === 'starting').length;
      const result = hpaSync(spec, memory.get(service.name) ?? emptyMemory(), { now, currentReplicas: current, metrics: { cpu: { kind: 'pods', pods } } });
      const decision: LocalScaleDecision = { ...result.decision, service: service.name };
      if (decision.rescale) {
        try {
          await options.controller.setReplicas(service.name, decision.desired);
          memory.set(service.name, result.memory);
        } catch (error) {
          decision.error = error instanceof Error ? error.message : String(error);
        }
      } else {
        memory.set(service.name, result.memory);
      }
      decisions.push(decision);
      record(decision);
      options.setStatus?.(service.name, {
        t: now,
        current,
        ready: replicas.filter((r) => r.state === 'ready').length,
        desired: decision.error ? current : decision.desired,
        min: spec.minReplicas,
        max: spec.maxReplicas,
        utilization: decision.utilization === null ? null : decision.utilization / 100,
        utilizationPercent: decision.utilization,
        target: decision.target,
        limitedBy: decision.limitedBy,
        reason: decision.reason,
      });
      options.onDecision?.(decision);
    }
    // NaN (no interval yet) is not JSON: drop those readings from the file
    options.runDir?.appendMetrics(samples.filter((s) => s.source !== 'cpu' || Number.isFinite(s.utilization)));
    return decisions;
  }

  function record(d: LocalScaleDecision): void {
    if (!options.runDir) return;
    const event: TimelineEvent = {
      t: d.t,
      type: 'scale-decision',
      service: d.service,
      current: d.current,
      desired: d.error ? d.current : d.desired,
      utilization: d.utilization,
      target: d.target,
      limitedBy: d.error ? 'error' : d.limitedBy,
      reason: d.error ? `could not scale to ${d.desired}: ${d.error}` : d.reason,
    };
    options.runDir.appendTimeline(event);
  }

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();
  const start = clock.now();
  let tick = 0;
  const schedule = () => {
    if (stopped || options.manual) return;
    tick++;
    // on a fixed grid from the start, so a slow sync does not shift every later one
    const delay = Math.max(0, start + tick * syncPeriodMs - clock.now());
    timer = setTimeout(() => {
      inFlight = sync()
        .catch((error: unknown) => options.runDir?.appendTimeline({ t: clock.now(), type: 'note', level: 'error', message: `autoscaler sync failed: ${String(error)}` }))
        .finally(schedule);
    }, delay);
    timer.unref();
  };
  schedule();

  return {
    syncNow: () => {
      const run = inFlight.then(sync);
      inFlight = run.catch(() => undefined);
      return run;
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight.catch(() => undefined);
    },
  };
}

/** As Kubernetes sees pods: starting = not ready (0 % on a scale-up), draining = being deleted. */
function podSample(r: ReplicaInfo, usage: number | undefined): PodSample {
  const status = r.state === 'ready' ? 'ready' : r.state === 'starting' ? 'unready' : 'ignored';
  return { name: r.id, status, request: r.cpuRequestMillicores, ...(usage !== undefined ? { usage: Math.round(usage) } : {}) };
}
