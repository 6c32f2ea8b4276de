import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { onShutdown } from '../lifecycle/shutdown.js';
import { stateDir } from '../paths.js';
import type { TimelineEvent } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import type { ReplicaInfo, StackState } from '../stack/contract.js';
import { servicePort, type ServiceDefinition, type ServiceName, type StackDefinition, type UpstreamName } from '../stack/definition.js';
import { DEFECTS_ENV, defectsEnvValue } from '../stack/defects.js';
import { databaseHostPort, redactUrl, replicaEnvironment, upstreamUrls } from '../stack/environment.js';
import { readyScrapeTargets } from '../stack/scrape-targets.js';
import { startLocalAutoscaler, type LocalAutoscaler } from '../scaling/local-autoscaler.js';
import { shippedRuleFiles, startPrometheus, type RunningPrometheus } from '../telemetry/metrics/prometheus-server.js';
import { RoundRobinBalancer } from './balancer.js';
import { checkDatabase, type StackDatabase } from './database.js';
import { startEmbeddedDatabase } from './embedded-database.js';
import { connectFaultProxy, createEdgeProxies, edgeProxySpecs, removeEdgeProxies, startEmbeddedFaultProxy, type FaultProxyApi } from './fault-proxy.js';
import { ReplicaSet } from './replica-set.js';
import { MAX_REPLICAS, type RunningStack, type StackPlan, type StartStackOptions } from './start-options.js';
import { StackStateWriter } from './state-file.js';
import { SupervisorMetricsServer, type AutoscalerStatus, type ReplicaCounts } from './supervisor-metrics.js';

/**
 * The local stack while it runs: each start step is a method, and whatever a step started is a
 * field, so `stop()` undoes exactly what exists, whichever step failed. Start order and why:
 * src/supervisor/README.md.
 */
export class LocalStack implements RunningStack {
  readonly definition: StackDefinition;
  private readonly plan: StackPlan;
  private readonly options: StartStackOptions;
  private readonly record: (event: TimelineEvent) => void;
  private readonly logFile: (name: string) => string;
  private readonly stateWriter: StackStateWriter | undefined;
  private readonly metrics: SupervisorMetricsServer;
  private readonly sets = new Map<ServiceName, ReplicaSet>();
  private readonly balancers: RoundRobinBalancer[] = [];
  private readonly unregister: () => void;
  private database: StackDatabase | undefined;
  private faultApi: FaultProxyApi | undefined;
  private proxyNames: string[] = [];
  private prometheus: RunningPrometheus | undefined;
  private autoscaler: LocalAutoscaler | undefined;
  private stopping: Promise<void> | undefined;

  constructor(plan: StackPlan, options: StartStackOptions, record: (event: TimelineEvent) => void) {
    this.definition = plan.def;
    this.plan = plan;
    this.options = options;
    this.record = record;
    this.logFile = logFiles(options.runDir, plan.startedAt);
    this.stateWriter = plan.stateFile ? new StackStateWriter(plan.stateFile, record) : undefined;
    this.metrics = new SupervisorMetricsServer(() => this.replicaCounts());
    this.unregister = onShutdown('stop the local stack', () => this.stop());
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${servicePort(this.definition, 'gateway')}`;
  }

  get toxiproxyUrl(): string | undefined {
    return this.faultApi?.url;
  }

  get databaseUrl(): string {
    return this.database?.url ?? '';
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.plan.basePort + this.definition.admin.supervisorMetricsOffset}/metrics`;
  }

  /** Starts everything in order and resolves when every replica is ready; on a failure, stops what started. */
  async start(): Promise<void> {
    const { signal } = this.options;
    try {
      signal?.throwIfAborted();
      const database = await this.startDatabase();
      signal?.throwIfAborted();
      if (this.plan.withFaultProxy) await this.startFaultProxies(database);
      signal?.throwIfAborted();
      await this.startServices(database);
      signal?.throwIfAborted();
      if (this.options.prometheus) await this.startPrometheus();
      if (this.options.autoscale) this.startAutoscaler(this.options.autoscale.syncPeriodMs);
    } catch (error) {
      await this.stop();
      throw error;
    }
    this.changed();
    this.record({ t: Date.now(), type: 'stack', state: 'ready', detail: `gateway ${this.gatewayUrl} in ${Date.now() - this.plan.startedAt} ms` });
  }

  state(): StackState {
    const def = this.definition;
    return {
      supervisorPid: process.pid,
      startedAt: this.plan.startedAt,
      basePort: this.plan.basePort,
      gatewayUrl: this.gatewayUrl,
      ...(this.faultApi ? { toxiproxyUrl: this.faultApi.url } : {}),
      ...(this.options.otlpEndpoint ? { otlpUrl: this.options.otlpEndpoint } : {}),
      ...(this.prometheus ? { prometheusUrl: this.prometheus.url } : {}),
      databaseUrl: this.database ? redactUrl(this.database.url) : '',
      ...(this.options.runDir ? { runDir: this.options.runDir.root } : {}),
      services: def.services.map((s) => ({ name: s.name, port: servicePort(def, s.name), replicas: this.sets.get(s.name)?.allReplicas() ?? [] })),
    };
  }

  replicas(service: ServiceName): ReplicaInfo[] {
    return this.setFor(service).replicas();
  }

  async setReplicas(service: ServiceName, count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 0 || count > MAX_REPLICAS) {
      throw new UsageError(`replicas for ${service} must be a whole number from 0 to ${MAX_REPLICAS}, not ${count}`);
    }
    if (this.stopping) return;
    this.setFor(service).scale(count);
  }

  setAutoscalerStatus(service: ServiceName, status: AutoscalerStatus): void {
    this.metrics.setAutoscalerStatus(service, status);
  }

  setFaultActive(proxy: string, kind: string, active: boolean): void {
    this.metrics.setFaultActive(proxy, kind, active);
  }

  /** Stops everything the stack started, newest first; idempotent (also the Ctrl-C / SIGTERM hook). */
  stop(): Promise<void> {
    return (this.stopping ??= this.stopEverything());
  }

  private async stopEverything(): Promise<void> {
    this.record({ t: Date.now(), type: 'stack', state: 'stopping' });
    await this.autoscaler?.stop();
    await Promise.all(this.balancers.map((b) => b.close()));
    await Promise.all([...this.sets.values()].map((s) => s.stop()));
    const faultApi = this.faultApi;
    // a user's Toxiproxy outlives us: our proxies must not keep listening there
    if (faultApi && !faultApi.embedded && this.proxyNames.length) await removeEdgeProxies(faultApi.url, this.proxyNames);
    await Promise.all([faultApi?.close(), this.database?.stop(), this.metrics.close(), this.prometheus?.stop()]);
    this.stateWriter?.remove();
    this.record({ t: Date.now(), type: 'stack', state: 'stopped' });
    this.unregister();
  }

  /** Kubernetes' HPA algorithm over the replicas' measured CPU, its periods compressed with the sync period. */
  private startAutoscaler(syncPeriodMs: number): void {
    this.autoscaler = startLocalAutoscaler({
      controller: this,
      definition: this.definition,
      ...(this.options.runDir ? { runDir: this.options.runDir } : {}),
      syncPeriodMs,
      timeScale: syncPeriodMs / 15_000,
      setStatus: (service, status) => this.setAutoscalerStatus(service, status),
    });
  }

  /** The user's PostgreSQL (checked now) or the embedded PGlite (started; `ready` says when it accepts connections). */
  private async startDatabase(): Promise<StackDatabase> {
    const { databaseUrl } = this.options;
    this.database = databaseUrl
      ? await checkDatabase(databaseUrl)
      : await startEmbeddedDatabase(this.definition, this.logFile('postgres'), Math.max(this.plan.readyTimeoutMs, 60_000), this.record);
    return this.database;
  }

  /** The fault proxy API (a user's Toxiproxy or the embedded one) and one proxy per upstream edge. */
  private async startFaultProxies(database: StackDatabase): Promise<void> {
    const { toxiproxyUrl } = this.options;
    this.faultApi = toxiproxyUrl
      ? await connectFaultProxy(toxiproxyUrl)
      : await startEmbeddedFaultProxy('127.0.0.1', this.plan.basePort + this.definition.admin.faultProxyApiOffset);
    const specs = edgeProxySpecs(this.definition, databaseHostPort(database.url));
    await createEdgeProxies(this.faultApi, specs);
    this.proxyNames = specs.map((s) => s.name);
  }

  /** A balancer and a replica set per service, the supervisor's /metrics, then every replica started. */
  private async startServices(database: StackDatabase): Promise<void> {
    const urls = upstreamUrls(this.definition, { proxied: this.plan.withFaultProxy, databaseUrl: database.url });
    for (const service of this.definition.services) await this.addService(service, urls);
    await this.metrics.listen(this.plan.basePort + this.definition.admin.supervisorMetricsOffset);
    // Every service starts while the database finishes starting: the services retry their
    // migrations for 30 s, and what is left of the database's start here is the warm one (a cold
    // PGlite template was made before startEmbeddedDatabase returned), a few seconds.
    const databaseReady = database.ready.then(() =>
      this.record({
        t: Date.now(),
        type: 'note',
        level: 'info',
        message: `database ready after ${Date.now() - this.plan.startedAt} ms (${database.embedded ? 'embedded PGlite' : 'PostgreSQL'})`,
      }),
    );
    // the longest wait of a start: an interruption ends it at once (whatever it waits for is
    // already a field, so stop() finds it)
    await untilAborted(Promise.all([...[...this.sets.values()].map((set) => set.start(this.plan.counts[set.name])), databaseReady]), this.options.signal);
  }

  /** StartStackOptions.env, and PEAKREADY_DEFECTS as the supervisor was told (a stray one in the shell does not count) */
  private extraEnv(env: Readonly<Record<string, string>> | undefined): Record<string, string> {
    return { ...env, [DEFECTS_ENV]: defectsEnvValue(this.plan.defects) };
  }

  private async addService(service: ServiceDefinition, urls: Record<UpstreamName, string>): Promise<void> {
    const balancer = new RoundRobinBalancer(service.name, servicePort(this.definition, service.name));
    await balancer.listen();
    this.balancers.push(balancer);
    const { otlpEndpoint, env, onReplicaSpawned } = this.options;
    const set = new ReplicaSet({
      service,
      balancer,
      environment: (replicaId) => replicaEnvironment({ service, replicaId, urls, otlpEndpoint: otlpEndpoint ?? false, inherited: process.env, extra: this.extraEnv(env) }),
      logFile: this.logFile,
      readyTimeoutMs: this.plan.readyTimeoutMs,
      record: this.record,
      changed: () => this.changed(),
      onSpawned: onReplicaSpawned,
    });
    this.sets.set(service.name, set);
  }

  /** Debian's Prometheus scraping every ready replica (targets re-read on every change) and the supervisor. */
  private async startPrometheus(): Promise<void> {
    const { runDir, prometheusScrapeIntervalMs } = this.options;
    const prometheus = await startPrometheus({
      targets: () => [...readyScrapeTargets(this.state()), { service: 'supervisor', replica: 'supervisor', url: this.metricsUrl }],
      port: this.plan.basePort + this.definition.admin.prometheusOffset,
      ...(runDir ? { runDir } : {}),
      ruleFiles: shippedRuleFiles(),
      ...(prometheusScrapeIntervalMs ? { scrapeIntervalMs: prometheusScrapeIntervalMs } : {}),
    });
    this.prometheus = prometheus;
    this.record({ t: Date.now(), type: 'note', level: 'info', message: `Prometheus scraping the stack at ${prometheus.url}` });
  }

  /** Something changed (a replica started, got ready, left): Prometheus' targets and stack.json follow. */
  private changed(): void {
    if (this.stopping) return;
    this.prometheus?.refreshTargets();
    this.stateWriter?.write(this.state());
  }

  private replicaCounts(): ReplicaCounts[] {
    return [...this.sets.values()].map((set) => {
      const { local, resources, hpa } = this.definition.services.find((s) => s.name === set.name)!;
      const pods = set.allReplicas().filter((r) => r.state !== 'stopped').map((r) => ({ pod: r.id, pid: r.pid, ...resources }));
      return {
        service: set.name,
        replicas: set.replicas().length,
        ready: set.readyCount(),
        desired: set.desired,
        min: local.minReplicas,
        max: local.maxReplicas,
        ...(hpa ? { targetCpuPercent: hpa.targetCPUUtilizationPercent } : {}),
        pods,
      };
    });
  }

  private setFor(service: ServiceName): ReplicaSet {
    const set = this.sets.get(service);
    if (!set) throw new UsageError(`unknown service "${service}"; the stack has ${[...this.sets.keys()].join(', ')}`);
    return set;
  }
}

/** `work`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => undefined); // abandoned on abort: its own failure no longer matters
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('the start was interrupted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Where each process logs: the run directory's logs/, else a fresh .peakready/logs/<start time>/. */
function logFiles(runDir: RunDirectory | undefined, startedAt: number): (name: string) => string {
  if (runDir) return (name) => runDir.logPath(`${name}.log`);
  const dir = join(stateDir(), 'logs', new Date(startedAt).toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  return (name) => join(dir, `${name}.log`);
}
