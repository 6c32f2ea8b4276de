import type { MetricSample, TimelineEvent } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import type { ReplicaController, ReplicaInfo } from '../stack/contract.js';
import type { ServiceDefinition, ServiceName, StackDefinition } from '../stack/definition.js';
import { wallClock, type Clock } from '../util/clock.js';
import { emptyMemory, type BehaviorMemory } from './behavior.js';
import { CpuSampler, type CpuReading } from './cpu-sampler.js';
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
  /** times the syncs and stamps decisions and samples (default: the wall clock, epoch ms; tests pass a virtual one) */
  clock?: Clock;
  /** per-replica CPU readings (default: /proc through CpuSampler; tests pass made-up ones) */
  sampler?: Pick<CpuSampler, 'sample'>;
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
  return new LocalHpaLoop(options);
}

/** The loop's state: each service's HPA spec and behavior memory, the sampler, the sync in flight. */
class LocalHpaLoop implements LocalAutoscaler {
  private readonly clock: Clock;
  private readonly sampler: Pick<CpuSampler, 'sample'>;
  private readonly services: readonly ServiceDefinition[];
  private readonly specs: Map<ServiceName, HpaSpec>;
  private readonly syncPeriodMs: number;
  private readonly memory = new Map<ServiceName, BehaviorMemory>();
  private readonly stopping = new AbortController();
  private inFlight: Promise<unknown> = Promise.resolve();
  private readonly loop: Promise<void>;

  constructor(private readonly options: LocalAutoscalerOptions) {
    const syncPeriodMs = options.syncPeriodMs ?? CONTROLLER_DEFAULTS.syncPeriodMs;
    const timeScale = options.timeScale ?? syncPeriodMs / CONTROLLER_DEFAULTS.syncPeriodMs;
    const behavior = scaleBehaviorTime(options.behavior ?? defaultBehavior(), timeScale);
    this.clock = options.clock ?? wallClock;
    this.sampler = options.sampler ?? new CpuSampler({ includeChildren: options.includeChildren });
    this.services = options.definition.services.filter((s) => s.hpa && (!options.services || options.services.includes(s.name)));
    this.syncPeriodMs = syncPeriodMs;
    this.specs = new Map(this.services.map((s) => [s.name, hpaSpec(s, behavior, options.tolerance ?? CONTROLLER_DEFAULTS.tolerance, timeScale)]));
    this.loop = options.manual ? Promise.resolve() : this.syncEvery(syncPeriodMs);
  }

  syncNow(): Promise<LocalScaleDecision[]> {
    const run = this.inFlight.then(() => this.sync());
    this.inFlight = run.catch(() => undefined);
    return run;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await this.inFlight.catch(() => undefined);
  }

  /** On a fixed grid from the start, so a slow sync does not shift every later one. */
  private async syncEvery(periodMs: number): Promise<void> {
    const start = this.clock.now();
    const stop = this.stopping.signal;
    for (let tick = 1; ; tick++) {
      await this.clock.sleep(Math.max(0, start + tick * periodMs - this.clock.now()), stop);
      if (stop.aborted) return;
      const run = this.sync().catch((error: unknown) =>
        this.options.runDir?.appendTimeline({ t: this.clock.now(), type: 'note', level: 'error', message: `autoscaler sync failed: ${String(error)}` }),
      );
      this.inFlight = run;
      await run;
    }
  }

  private async sync(): Promise<LocalScaleDecision[]> {
    const now = this.clock.now();
    const live = this.services.flatMap((s) => this.options.controller.replicas(s.name).filter(isLive));
    const readings = this.sampler.sample(live, now);
    const samples: MetricSample[] = [];
    const decisions: LocalScaleDecision[] = [];
    for (const service of this.services) decisions.push(await this.syncService(service.name, readings, now, samples));
    // NaN (no interval yet) is not JSON: drop those readings from the file
    this.options.runDir?.appendMetrics(samples.filter((s) => s.source !== 'cpu' || Number.isFinite(s.utilization)));
    return decisions;
  }

  /** One service's HPA sync: its pods as Kubernetes sees them, the decision, the change, the records. */
  private async syncService(name: ServiceName, readings: ReadonlyMap<string, CpuReading>, now: number, samples: MetricSample[]): Promise<LocalScaleDecision> {
    const spec = this.specs.get(name)!;
    const replicas = this.options.controller.replicas(name);
    samples.push(...cpuSamples(name, replicas, readings, now));
    // each reading covers the interval since the previous sync
    const pods = replicas.map((r) => podSample(r, readings.get(r.id)?.usageMillicores, now, this.syncPeriodMs));
    const current = replicas.filter(isLive).length;
    const result = hpaSync(spec, this.memory.get(name) ?? emptyMemory(), { now, currentReplicas: current, metrics: { cpu: { kind: 'pods', pods } } });
    const decision: LocalScaleDecision = { ...result.decision, service: name };
    await this.apply(decision, result.memory);
    this.options.runDir?.appendTimeline(decisionEvent(decision));
    this.options.setStatus?.(name, autoscalerStatus(decision, spec, current, replicas.filter((r) => r.state === 'ready').length));
    this.options.onDecision?.(decision);
    return decision;
  }

  /** Asks the supervisor for the change; a refused one is not remembered, so the next sync decides again. */
  private async apply(decision: LocalScaleDecision, memory: BehaviorMemory): Promise<void> {
    if (decision.rescale) {
      try {
        await this.options.controller.setReplicas(decision.service, decision.desired);
      } catch (error) {
        decision.error = error instanceof Error ? error.message : String(error);
        return;
      }
    }
    this.memory.set(decision.service, memory);
  }
}

/** The service's HPA; the controller's readiness periods are compressed with the behavior's. */
function hpaSpec(service: ServiceDefinition, behavior: HpaBehavior, tolerance: number, timeScale: number): HpaSpec {
  return {
    cpuInitializationPeriodMs: CONTROLLER_DEFAULTS.cpuInitializationPeriodMs * timeScale,
    initialReadinessDelayMs: CONTROLLER_DEFAULTS.initialReadinessDelayMs * timeScale,
    name: service.name,
    minReplicas: service.local.minReplicas,
    maxReplicas: service.local.maxReplicas,
    metrics: [{ name: 'cpu', type: 'Utilization', averageUtilization: service.hpa!.targetCPUUtilizationPercent }],
    behavior,
    tolerance,
  };
}

function isLive(r: ReplicaInfo): boolean {
  return r.state === 'ready' || r.state === 'starting';
}

/** A `cpu` sample per live replica that was read; utilisation is NaN until a reading has an interval. */
function cpuSamples(service: ServiceName, replicas: readonly ReplicaInfo[], readings: ReadonlyMap<string, CpuReading>, now: number): MetricSample[] {
  return replicas.flatMap((r): MetricSample[] => {
    const reading = readings.get(r.id);
    if (!reading || !isLive(r)) return [];
    const utilization = reading.usageMillicores === undefined ? Number.NaN : (reading.usageMillicores / r.cpuRequestMillicores) * 100;
    return [{ t: now, source: 'cpu', service, replica: r.id, pid: r.pid, cpuSeconds: reading.cpuSeconds, utilization, requestMillicores: r.cpuRequestMillicores }];
  });
}

function decisionEvent(d: LocalScaleDecision): TimelineEvent {
  return {
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
}

function autoscalerStatus(d: LocalScaleDecision, spec: HpaSpec, current: number, ready: number): AutoscalerStatus {
  return {
    t: d.t,
    current,
    ready,
    desired: d.error ? current : d.desired,
    min: spec.minReplicas,
    max: spec.maxReplicas,
    utilization: d.utilization === null ? null : d.utilization / 100,
    utilizationPercent: d.utilization,
    target: d.target,
    limitedBy: d.limitedBy,
    reason: d.reason,
  };
}

/**
 * As Kubernetes sees pods: a replica is a Running pod since it was spawned, Ready once it answers
 * its readiness check (a starting one: Ready False since its start), and a draining or stopped one
 * is being deleted. The calculator's CPU rules (pod-groups.ts) then judge them as for a cluster.
 */
function podSample(r: ReplicaInfo, usage: number | undefined, now: number, windowMs: number): PodSample {
  const measured = usage !== undefined ? { usage: Math.round(usage), measuredAt: now, windowMs } : {};
  const base = { name: r.id, phase: 'Running' as const, request: r.cpuRequestMillicores, startTime: r.startedAt, ...measured };
  if (r.state === 'draining' || r.state === 'stopped') return { ...base, deleting: true };
  if (r.state === 'starting') return { ...base, ready: { status: false, since: r.startedAt } };
  return { ...base, ready: { status: true, since: r.readyAt ?? r.startedAt } };
}
