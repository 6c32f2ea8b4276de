import { UsageError } from '../errors.js';
import type { TimelineEvent } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import type { ReplicaController, ReplicaInfo, StackState } from '../stack/contract.js';
import { DEFAULT_BASE_PORT, referenceStack, type ServiceName, type StackDefinition } from '../stack/definition.js';
import { withDefects, type DefectName } from '../stack/defects.js';
import { stackStatePath } from '../stack/stack-state.js';
import type { AutoscalerStatus } from './supervisor-metrics.js';

/** What `startStack` is asked for, what it returns, and the plan it makes of the options first. */

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
  /**
   * seeded defects to switch on (src/stack/defects.ts): passed to every replica as
   * PEAKREADY_DEFECTS (always set by the supervisor: none = empty), and applied to the definition
   */
  defects?: readonly DefectName[];
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
  /** scale every service with an HPA by the local autoscaler (Kubernetes' algorithm), as a cluster's HPAs would */
  autoscale?: { syncPeriodMs: number };
  /**
   * aborts the start (the drill was interrupted): the waits for readiness end at once, whatever
   * started is stopped, and `startStack` rejects
   */
  signal?: AbortSignal;
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

export const MAX_REPLICAS = 64;

/** The options resolved once, before anything starts. */
export interface StackPlan {
  def: StackDefinition;
  basePort: number;
  /** the seeded defects switched on (none: the healthy shop) */
  defects: readonly DefectName[];
  /** replicas at start, per service */
  counts: Record<ServiceName, number>;
  stateFile: string | false;
  withFaultProxy: boolean;
  readyTimeoutMs: number;
  startedAt: number;
}

/** Resolves the options (refusing unknown services and impossible replica counts) into a plan. */
export function planStack(options: StartStackOptions): StackPlan {
  const basePort = options.basePort ?? options.definition?.basePort ?? DEFAULT_BASE_PORT;
  const defects = options.defects ?? [];
  const def = withDefects(options.definition ? { ...options.definition, basePort } : referenceStack(basePort), defects);
  return {
    def,
    basePort,
    defects,
    counts: initialReplicas(def, options.replicas),
    stateFile: options.stateFile === undefined ? stackStatePath() : options.stateFile,
    withFaultProxy: options.toxiproxyUrl !== undefined || options.faultProxy !== false,
    readyTimeoutMs: options.readyTimeoutMs ?? 30_000,
    startedAt: Date.now(),
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
