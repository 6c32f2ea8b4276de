import { EnvironmentError, PeakreadyError } from '../errors.js';
import { clearOwnedFaults, inspectFaults } from '../faults/experiments/index.js';
import type { CleanupSnapshot } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import { createCpuLimiter } from '../scaling/cpu-limits.js';
import { startLocalAutoscaler } from '../scaling/local-autoscaler.js';
import type { ServiceName } from '../stack/definition.js';
import { readyScrapeTargets } from '../stack/scrape-targets.js';
import { startPrometheusSampler } from '../telemetry/metrics/prometheus-sampler.js';
import { startMetricsScraper } from '../telemetry/metrics/scraper.js';
import { startOtlpReceiver, type OtlpReceiver } from '../telemetry/otlp/receiver.js';
import { startRigSampler, type RigSampler } from '../telemetry/rig/rig-sampler.js';
import { assertPortsFree, portInUseMessage } from '../supervisor/ports.js';
import { checkStackCanStart, startStack, type RunningStack, type StartStackOptions } from '../supervisor/supervisor.js';
import { kubernetesFix, type DrillPlan } from './plan.js';

type Stop = () => Promise<void>;

/** What was left behind, for the clean-up check. */
export interface RigLeftovers {
  pids: Array<{ pid: number; name: string }>;
  faults: Pick<CleanupSnapshot, 'toxics' | 'disabledProxies'>;
}

/**
 * Everything a drill starts around the load: the watch of a cluster's HPAs and Deployments
 * (observe.scaling.kubernetes; first, so a cluster it cannot read fails the drill before anything
 * starts), the trace receiver, the bundled stack (with per-replica CPU limits where the machine
 * allows them, so scaling out adds capacity), its local autoscaler, and the metrics sampling. `tearDown` stops what was started, in reverse order, every step even
 * when an earlier one failed.
 */
export class DrillRig {
  private readonly limiter;
  private receiver: OtlpReceiver | undefined;
  private stack: RunningStack | undefined;
  private stopAutoscaler: Stop | undefined;
  private stopMetrics: Stop | undefined;
  private rigSampler: RigSampler | undefined;
  private stopClusterWatch: Stop | undefined;

  constructor(
    private readonly plan: DrillPlan,
    private readonly run: RunDirectory,
    private readonly log: (line: string) => void,
  ) {
    this.limiter = plan.withStack ? createCpuLimiter(plan.definition) : undefined;
  }

  /** For config.json: whether this machine can show capacity growing with replicas. */
  get capacityShowable(): { supported: boolean; reason: string } | undefined {
    return this.limiter ? { supported: this.limiter.support.supported, reason: this.limiter.support.reason } : undefined;
  }

  /** Where the load goes: the bundled stack's gateway, or the user's --target. */
  get baseUrl(): string {
    return this.stack?.gatewayUrl ?? this.plan.scriptEnv.BASE_URL!;
  }

  /** The Toxiproxy faults go through: the bundled stack's embedded one, or the user's. */
  get toxiproxyUrl(): string | undefined {
    return this.stack?.toxiproxyUrl ?? this.plan.toxiproxyUrl;
  }

  /** Replicas running now, per service (none on a --target run). */
  replicaCounts(): Record<string, number> {
    if (!this.stack) return {};
    return Object.fromEntries(this.stack.state().services.map((s) => [s.name, s.replicas.filter((r) => r.state !== 'stopped').length]));
  }

  /** The Prometheus started with the bundled stack (`observe.metrics.prometheus: started`), if any. */
  get prometheusUrl(): string | undefined {
    return this.stack?.state().prometheusUrl;
  }

  /**
   * Waits until no span has arrived for `quietMs` (at most `maxMs`): a system that is not ours
   * exports through its own batching (an SDK's or a Collector's, 5 s by default), so its last
   * traces arrive after the load has ended. The bundled shop's spans are flushed when it stops.
   */
  async tracesSettled(quietMs: number, maxMs: number, signal: AbortSignal): Promise<void> {
    const receiver = this.receiver;
    if (!receiver) return;
    const deadline = Date.now() + maxMs;
    let last = receiver.stats().spansReceived;
    let quietSince = Date.now();
    while (Date.now() < deadline && Date.now() - quietSince < quietMs && !signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = receiver.stats().spansReceived;
      if (now !== last) [last, quietSince] = [now, Date.now()];
    }
  }

  /** The running bundled stack, if this drill started one. */
  get runningStack(): RunningStack | undefined {
    return this.stack;
  }

  /**
   * What must hold before the drill creates anything, its run directory included: no live stack
   * in the state file and every port the stack and the receiver will bind free, each refused in
   * one line whose fix is a flag or field the drill has.
   */
  static async checkCanStart(plan: DrillPlan, log: (line: string) => void): Promise<void> {
    // a stack already running first: its own line says whose it is and how to stop it
    if (plan.withStack) await checkStackCanStart(stackOptions(plan), (message) => log(`peakready: ${message}`));
    try {
      await assertPortsFree([{ port: plan.receiverPort, what: "the drill's OTLP receiver" }]);
    } catch (error) {
      if (!(error instanceof EnvironmentError)) throw error;
      throw new EnvironmentError(receiverPortInUse(plan), { cause: error });
    }
  }

  /** Starts everything in order; `signal` (an interruption) ends a start under way, and tearDown stops what started. */
  async start(signal: AbortSignal): Promise<void> {
    // first: a cluster that cannot be watched fails the drill before anything else starts
    await this.startClusterWatch();
    // the rig itself, from the start: a starved machine must show in the judgement (src/verify/rig.ts)
    this.rigSampler = startRigSampler({ runDir: this.run });
    if (this.plan.toxiproxyUrl) await clearOwnedFaults(this.plan.toxiproxyUrl);
    signal.throwIfAborted();
    await this.startReceiver();
    if (this.plan.withStack) {
      await this.startStack(signal);
      if (this.plan.autoscaler) this.startAutoscaler(this.plan.autoscaler);
    }
    this.startMetrics();
  }

  /** Stops the autoscaler before the stored data is read, so no replica changes under the reader. */
  async settle(): Promise<void> {
    const stop = this.stopAutoscaler;
    this.stopAutoscaler = undefined;
    await stop?.();
  }

  async tearDown(): Promise<RigLeftovers> {
    await this.stopClusterWatch?.().catch(() => undefined);
    await this.stopAutoscaler?.().catch(() => undefined);
    await this.stopMetrics?.().catch(() => undefined);
    this.rigSampler?.stop();
    const faults = await this.clearFaults();
    const pids: RigLeftovers['pids'] = [];
    if (this.stack) {
      for (const s of this.stack.state().services) for (const r of s.replicas) pids.push({ pid: r.pid, name: r.id });
      await this.stack.stop();
    }
    this.limiter?.release();
    await this.receiver?.close();
    this.logForwarded();
    return { pids, faults };
  }

  private async startReceiver(): Promise<void> {
    const forwardUrl = this.plan.otlpForwardUrl;
    try {
      this.receiver = await startOtlpReceiver({
        port: this.plan.receiverPort,
        runDir: this.run,
        ...(forwardUrl ? { forwardUrl } : {}),
      });
    } catch (error) {
      // taken since the check before the run: the same one line, with the drill's own fix
      if (!(error instanceof EnvironmentError)) throw error;
      throw new EnvironmentError(receiverPortInUse(this.plan), { cause: error });
    }
    if (forwardUrl) this.log(`peakready: forwarding every trace to ${forwardUrl}`);
  }

  private async startStack(signal: AbortSignal): Promise<void> {
    const { plan, limiter } = this;
    this.log(`peakready: starting the reference stack${plan.defects.length ? ` with seeded defects ${plan.defects.join(', ')}` : ''} ...`);
    const started = Date.now();
    this.stack = await startStack({
      ...stackOptions(plan),
      runDir: this.run,
      otlpEndpoint: this.receiver!.url,
      ...(limiter ? { onReplicaSpawned: (info) => limiter.onReplicaSpawned(info) } : {}),
      // the stack's database dying is said as it happens, not only in the timeline
      onEvent: (event) => {
        if (event.type === 'database') this.log(`peakready: database ${event.state}: ${event.detail}`);
      },
      signal,
    });
    this.log(`peakready: stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${this.stack.gatewayUrl}`);
  }

  private startAutoscaler({ syncPeriodMs, timeScale }: { syncPeriodMs: number; timeScale: number }): void {
    const running = this.stack!;
    const autoscaler = startLocalAutoscaler({
      controller: running,
      definition: running.definition,
      runDir: this.run,
      syncPeriodMs,
      timeScale,
      setStatus: (service: ServiceName, status) => running.setAutoscalerStatus(service, status),
    });
    this.stopAutoscaler = () => autoscaler.stop();
  }

  /**
   * The cluster's HPAs and Deployments (observe.scaling.kubernetes), listed then watched into the
   * run's timeline until tearDown: the same scale-decision and replicas events the local
   * autoscaler writes. It holds only in-process connections, stopped by tearDown on every path.
   */
  private async startClusterWatch(): Promise<void> {
    const k8s = this.plan.scalingFromKubernetes;
    if (!k8s) return;
    const { kubeconfig, context, namespace, workloads } = k8s;
    try {
      const { startK8sWatcher } = await import('../scaling/k8s-watcher.js');
      const watcher = await startK8sWatcher({ ...(kubeconfig ? { kubeconfig } : {}), context, namespace, ...(workloads ? { workloads } : {}), runDir: this.run });
      this.stopClusterWatch = () => watcher.stop();
    } catch (error) {
      if (!(error instanceof PeakreadyError)) throw error;
      throw new EnvironmentError(`observe.scaling.kubernetes, context "${context}": ${error.message}; ${kubernetesFix(k8s)}`, { cause: error });
    }
    const decided = new Set(this.run.timeline().flatMap((e) => (e.type === 'scale-decision' ? [e.service] : [])));
    this.log(`peakready: watching HPAs and Deployments ${workloads ? `of ${workloads.join(', ')} ` : ''}in namespace ${namespace} through the Kubernetes API at ${k8s.server} (context ${context})`);
    const unscaled = (workloads ?? []).filter((w) => !decided.has(w));
    if (unscaled.length) this.log(`peakready: no HPA scales ${unscaled.join(', ')} in namespace ${namespace}: the scale-out check cannot judge ${unscaled.length === 1 ? 'it' : 'them'}`);
  }

  /** Metrics from Prometheus (the user's, or the one started with the stack), else a scrape of every ready replica. */
  private startMetrics(): void {
    const { prometheus } = this.plan;
    const intervalMs = this.plan.scrapeIntervalMs;
    const prometheusUrl = prometheus === true ? this.stack?.state().prometheusUrl : prometheus;
    if (prometheusUrl) {
      this.log(`peakready: metrics from Prometheus at ${prometheusUrl} (PromQL)`);
      const sampler = startPrometheusSampler({ url: prometheusUrl, intervalMs, runDir: this.run });
      this.stopMetrics = () => sampler.stop();
    } else if (this.stack) {
      const running = this.stack;
      const scraper = startMetricsScraper({ targets: () => readyScrapeTargets(running.state()), intervalMs, runDir: this.run });
      this.stopMetrics = () => scraper.stop();
    }
  }

  /**
   * Removes every fault this drill owns, then reads what is still there: on the bundled shop's own
   * fault proxy, everything; on the user's Toxiproxy, only what this drill added (its toxics) or
   * touched (the proxies its experiments disabled), never the user's own faults.
   */
  private async clearFaults(): Promise<RigLeftovers['faults']> {
    const url = this.toxiproxyUrl;
    if (!url) return { toxics: [], disabledProxies: [] };
    await clearOwnedFaults(url).catch(() => undefined);
    const left = await inspectFaults(url).catch(() => ({ toxics: [], disabledProxies: [] }));
    if (this.plan.withStack) return left;
    const touched = new Set(this.run.timeline().flatMap((e) => (e.type === 'fault' && e.kind === 'disable' ? [e.proxy] : [])));
    return { toxics: left.toxics.filter((t) => t.owned), disabledProxies: left.disabledProxies.filter((p) => touched.has(p)) };
  }

  private logForwarded(): void {
    const forwarded = this.receiver?.stats().forward;
    if (!forwarded) return;
    this.log(
      `peakready: forwarded ${forwarded.forwarded} OTLP requests to ${this.plan.otlpForwardUrl} ` +
        `(${forwarded.failed} failed, ${forwarded.dropped} dropped)${forwarded.lastError ? `; last error: ${forwarded.lastError}` : ''}`,
    );
  }
}

/** The bundled stack as the plan wants it (what `checkCanStart` checks and `start` starts). */
function stackOptions(plan: DrillPlan): StartStackOptions {
  return {
    basePort: plan.definition.basePort,
    defects: plan.defects,
    ...(plan.databaseUrl ? { databaseUrl: plan.databaseUrl } : {}),
    ...(plan.toxiproxyUrl ? { toxiproxyUrl: plan.toxiproxyUrl } : {}),
    ...(plan.prometheus === true ? { prometheus: true, prometheusScrapeIntervalMs: plan.scrapeIntervalMs } : {}),
  };
}

/** The receiver's port is taken: the fix is the file's receiver port if it names one, else --base-port. */
function receiverPortInUse(plan: DrillPlan): string {
  const port = plan.receiverPort;
  if (plan.gameDay.observe.traces.receiver?.port !== undefined) {
    return `port ${port} (the drill's OTLP receiver, observe.traces.receiver.port in ${plan.gameDay.file}) is already in use on 127.0.0.1; stop whatever holds it (find it with \`ss -ltnp 'sport = :${port}'\`) or choose another port there`;
  }
  return portInUseMessage(port, "the drill's OTLP receiver");
}
