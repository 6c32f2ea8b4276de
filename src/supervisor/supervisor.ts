import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentError, UsageError } from '../errors.js';
import { reapStaleChildren } from '../lifecycle/children.js';
import { onShutdown } from '../lifecycle/shutdown.js';
import { stateDir } from '../paths.js';
import type { TimelineEvent } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import { RoundRobinBalancer } from './balancer.js';
import type { ReplicaController, ReplicaInfo, StackState } from '../stack/contract.js';
import { checkDatabase, startEmbeddedDatabase, type StackDatabase } from './database.js';
import { DEFAULT_BASE_PORT, referenceStack, servicePort, type ServiceName, type StackDefinition } from '../stack/definition.js';
import { databaseHostPort, redactUrl, replicaEnvironment, upstreamUrls } from '../stack/environment.js';
import { connectFaultProxy, createEdgeProxies, edgeProxySpecs, removeEdgeProxies, startEmbeddedFaultProxy, type FaultProxyApi } from './fault-proxy.js';
import { assertPortsFree } from './ports.js';
import { ReplicaSet } from './replica-set.js';
import { stackPortClaims } from './stack-ports.js';
import { isProcessAlive, readStackState, removeStackState, stackStatePath, writeStackState } from '../stack/stack-state.js';
import { SupervisorMetricsServer, type AutoscalerStatus } from './supervisor-metrics.js';
import { shippedRuleFiles, startPrometheus, type RunningPrometheus } from '../telemetry/metrics/prometheus-server.js';
import { readyScrapeTargets } from '../stack/scrape-targets.js';

export interface StartStackOptions {
  /** moves every port of the stack (default DEFAULT_BASE_PORT) */
  basePort?: number;
  /** the stack to run (default: the reference stack); tests pass one whose services are fixtures */
  definition?: StackDefinition;
  /** replica logs go to runDir.logPath(...), stack/replica/replicas events to its timeline */
  runDir?: RunDirectory;
  /** replicas at start per service (default: each service's local.replicas) */
  replicas?: Partial<Record<ServiceName, number>>;
  /** a real PostgreSQL; default: the embedded PGlite server as a managed child */
  databaseUrl?: string;
  /** an external Toxiproxy API; default: the embedded Toxiproxy-compatible server */
  toxiproxyUrl?: string;
  /** false: no fault proxy, edges go straight to the balancers (default true) */
  faultProxy?: boolean;
  /** OTLP/HTTP base URL for every service; false (or unset) turns tracing off */
  otlpEndpoint?: string | false;
  /** extra environment for every service */
  env?: Readonly<Record<string, string>>;
  /** called right after a replica process is spawned (state "starting", port 0): e.g. to put it in a cgroup */
  onReplicaSpawned?(info: ReplicaInfo): void;
  /** every timeline event as it happens (the `up` command's live view) */
  onEvent?(event: TimelineEvent): void;
  /** how long a replica may take to report ready (default 30 s) */
  readyTimeoutMs?: number;
  /** where stack.json is written (default .peakready/stack.json); false: not written */
  stateFile?: string | false;
  /** also run Debian's Prometheus scraping every ready replica and the supervisor (base port + admin.prometheusOffset) */
  prometheus?: boolean;
  /** its scrape interval (default 5 s) */
  prometheusScrapeIntervalMs?: number;
}

export interface RunningStack extends ReplicaController {
  readonly definition: StackDefinition;
  readonly gatewayUrl: string;
  /** the fault proxy API the edges go through; undefined with faultProxy: false */
  readonly toxiproxyUrl: string | undefined;
  readonly databaseUrl: string;
  /** the supervisor's Prometheus endpoint */
  readonly metricsUrl: string;
  state(): StackState;
  /** what the autoscaler decided, for the supervisor's /metrics (desired, min, max, utilisation) */
  setAutoscalerStatus(service: ServiceName, status: AutoscalerStatus): void;
  /** marks a fault active/inactive on peakready_fault_active */
  setFaultActive(proxy: string, kind: string, active: boolean): void;
  /** stops everything the stack started; idempotent */
  stop(): Promise<void>;
}

const MAX_REPLICAS = 64;

/** Starts the whole local stack and resolves when every replica is ready. */
export async function startStack(options: StartStackOptions = {}): Promise<RunningStack> {
  const basePort = options.basePort ?? options.definition?.basePort ?? DEFAULT_BASE_PORT;
  const def: StackDefinition = options.definition ? { ...options.definition, basePort } : referenceStack(basePort);
  const counts = initialReplicas(def, options.replicas);
  const stateFile = options.stateFile === undefined ? stackStatePath() : options.stateFile;
  const withFaultProxy = options.toxiproxyUrl !== undefined || options.faultProxy !== false;
  const startedAt = Date.now();
  const record = (event: TimelineEvent) => {
    options.runDir?.appendTimeline(event);
    options.onEvent?.(event);
  };

  if (stateFile) claimStateFile(stateFile, record);
  const reaped = reapStaleChildren();
  if (reaped.length) record({ t: Date.now(), type: 'note', level: 'warn', message: `reaped leftovers of an earlier run: ${reaped.join(', ')}` });
  await assertPortsFree(
    stackPortClaims(def, { embeddedDatabase: !options.databaseUrl, embeddedFaultProxy: withFaultProxy && !options.toxiproxyUrl, faultProxy: withFaultProxy, prometheus: options.prometheus === true }),
  );
  record({ t: Date.now(), type: 'stack', state: 'starting', detail: `base port ${basePort}` });

  const logDir = options.runDir ? undefined : join(stateDir(), 'logs', new Date(startedAt).toISOString().replace(/[:.]/g, '-'));
  if (logDir) mkdirSync(logDir, { recursive: true });
  const logFile = (name: string) => (options.runDir ? options.runDir.logPath(`${name}.log`) : join(logDir!, `${name}.log`));
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;

  const sets = new Map<ServiceName, ReplicaSet>();
  const balancers: RoundRobinBalancer[] = [];
  const metrics = new SupervisorMetricsServer(() =>
    [...sets.values()].map((set) => {
      const local = def.services.find((s) => s.name === set.name)!.local;
      return { service: set.name, replicas: set.replicas().length, ready: set.readyCount(), desired: set.desired, min: local.minReplicas, max: local.maxReplicas };
    }),
  );
  let database: StackDatabase | undefined;
  let faultApi: FaultProxyApi | undefined;
  let prometheus: RunningPrometheus | undefined;
  let proxyNames: string[] = [];
  let stopping: Promise<void> | undefined;
  let unregister: () => void = () => undefined;

  const state = (): StackState => ({
    supervisorPid: process.pid,
    startedAt,
    basePort,
    gatewayUrl: `http://127.0.0.1:${servicePort(def, 'gateway')}`,
    ...(faultApi ? { toxiproxyUrl: faultApi.url } : {}),
    ...(options.otlpEndpoint ? { otlpUrl: options.otlpEndpoint } : {}),
    ...(prometheus ? { prometheusUrl: prometheus.url } : {}),
    databaseUrl: database ? redactUrl(database.url) : '',
    ...(options.runDir ? { runDir: options.runDir.root } : {}),
    services: def.services.map((s) => ({ name: s.name, port: servicePort(def, s.name), replicas: sets.get(s.name)?.allReplicas() ?? [] })),
  });
  let stateFileFailed = false;
  const changed = () => {
    if (stopping) return;
    prometheus?.refreshTargets();
    if (!stateFile) return;
    try {
      writeStackState(stateFile, state());
    } catch (error) {
      // runs inside child-process events: a full disk must not take the stack down, only stack.json
      if (!stateFileFailed) record({ t: Date.now(), type: 'note', level: 'error', message: `cannot write ${stateFile}: ${(error as Error).message}` });
      stateFileFailed = true;
    }
  };

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      record({ t: Date.now(), type: 'stack', state: 'stopping' });
      await Promise.all(balancers.map((b) => b.close()));
      await Promise.all([...sets.values()].map((s) => s.stop()));
      if (faultApi && !faultApi.embedded && proxyNames.length) await removeEdgeProxies(faultApi.url, proxyNames);
      await Promise.all([faultApi?.close(), database?.stop(), metrics.close(), prometheus?.stop()]);
      if (stateFile) removeStackState(stateFile);
      record({ t: Date.now(), type: 'stack', state: 'stopped' });
      unregister();
    })());
  unregister = onShutdown('stop the local stack', stop);

  try {
    database = options.databaseUrl
      ? await checkDatabase(options.databaseUrl)
      : await startEmbeddedDatabase(def, logFile('postgres'), Math.max(readyTimeoutMs, 60_000));
    if (withFaultProxy) {
      faultApi = options.toxiproxyUrl
        ? await connectFaultProxy(options.toxiproxyUrl)
        : await startEmbeddedFaultProxy('127.0.0.1', basePort + def.admin.faultProxyApiOffset);
      const specs = edgeProxySpecs(def, databaseHostPort(database.url));
      await createEdgeProxies(faultApi, specs);
      proxyNames = specs.map((s) => s.name);
    }
    const urls = upstreamUrls(def, { proxied: withFaultProxy, databaseUrl: database.url });
    for (const service of def.services) {
      const balancer = new RoundRobinBalancer(service.name, servicePort(def, service.name));
      await balancer.listen();
      balancers.push(balancer);
      sets.set(
        service.name,
        new ReplicaSet({
          service,
          balancer,
          environment: (replicaId) =>
            replicaEnvironment({ service, replicaId, urls, otlpEndpoint: options.otlpEndpoint ?? false, inherited: process.env, extra: options.env }),
          logFile,
          readyTimeoutMs,
          record,
          changed,
          onSpawned: options.onReplicaSpawned,
        }),
      );
    }
    await metrics.listen(basePort + def.admin.supervisorMetricsOffset);
    // Every service starts while the database finishes starting: the services retry their
    // migrations for 30 s, and what is left of the database's start here is the warm one (a cold
    // PGlite template was made before startEmbeddedDatabase returned), a few seconds.
    const db = database;
    await Promise.all([
      ...[...sets.values()].map((set) => set.start(counts[set.name])),
      db.ready.then(() =>
        record({ t: Date.now(), type: 'note', level: 'info', message: `database ready after ${Date.now() - startedAt} ms (${db.embedded ? 'embedded PGlite' : 'PostgreSQL'})` }),
      ),
    ]);
    if (options.prometheus) {
      const supervisorMetrics = `http://127.0.0.1:${basePort + def.admin.supervisorMetricsOffset}/metrics`;
      prometheus = await startPrometheus({
        targets: () => [...readyScrapeTargets(state()), { service: 'supervisor', replica: 'supervisor', url: supervisorMetrics }],
        port: basePort + def.admin.prometheusOffset,
        ...(options.runDir ? { runDir: options.runDir } : {}),
        ruleFiles: shippedRuleFiles(),
        ...(options.prometheusScrapeIntervalMs ? { scrapeIntervalMs: options.prometheusScrapeIntervalMs } : {}),
      });
      record({ t: Date.now(), type: 'note', level: 'info', message: `Prometheus scraping the stack at ${prometheus.url}` });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  changed();
  record({ t: Date.now(), type: 'stack', state: 'ready', detail: `gateway http://127.0.0.1:${servicePort(def, 'gateway')} in ${Date.now() - startedAt} ms` });

  const setFor = (service: ServiceName): ReplicaSet => {
    const set = sets.get(service);
    if (!set) throw new UsageError(`unknown service "${service}"; the stack has ${[...sets.keys()].join(', ')}`);
    return set;
  };
  return {
    definition: def,
    gatewayUrl: `http://127.0.0.1:${servicePort(def, 'gateway')}`,
    toxiproxyUrl: faultApi?.url,
    databaseUrl: database.url,
    metricsUrl: `http://127.0.0.1:${basePort + def.admin.supervisorMetricsOffset}/metrics`,
    state,
    replicas: (service) => setFor(service).replicas(),
    setReplicas: async (service, count) => {
      if (!Number.isInteger(count) || count < 0 || count > MAX_REPLICAS) {
        throw new UsageError(`replicas for ${service} must be a whole number from 0 to ${MAX_REPLICAS}, not ${count}`);
      }
      if (stopping) return;
      setFor(service).scale(count);
    },
    setAutoscalerStatus: (service, status) => metrics.setAutoscalerStatus(service, status),
    setFaultActive: (proxy, kind, active) => metrics.setFaultActive(proxy, kind, active),
    stop,
  };
}

function initialReplicas(def: StackDefinition, wanted: Partial<Record<ServiceName, number>> = {}): Record<ServiceName, number> {
  const out = {} as Record<ServiceName, number>;
  for (const [name, count] of Object.entries(wanted)) {
    if (!def.services.some((s) => s.name === name)) {
      throw new UsageError(`replicas: unknown service "${name}"; the stack has ${def.services.map((s) => s.name).join(', ')}`);
    }
    if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > MAX_REPLICAS)) {
      throw new UsageError(`replicas: ${name}=${count} must be a whole number from 1 to ${MAX_REPLICAS}`);
    }
  }
  for (const s of def.services) out[s.name] = wanted[s.name] ?? s.local.replicas;
  return out;
}

/** One stack per state file: a live one refuses a second; a dead one's file is stale and removed. */
function claimStateFile(path: string, record: (event: TimelineEvent) => void): void {
  const existing = readStackState(path);
  if (!existing || existing.supervisorPid === process.pid) return;
  if (isProcessAlive(existing.supervisorPid)) {
    throw new EnvironmentError(
      `a stack is already running (supervisor pid ${existing.supervisorPid}, gateway ${existing.gatewayUrl}, recorded in ${path}); ` +
        'stop it with `peakready down`, or give this one its own state directory with PEAKREADY_HOME',
    );
  }
  removeStackState(path);
  record({ t: Date.now(), type: 'note', level: 'warn', message: `removed a stale ${path} (supervisor pid ${existing.supervisorPid} is gone)` });
}

