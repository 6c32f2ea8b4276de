import { AppsV1Api, AutoscalingV2Api, Watch, Observable, type KubeConfig, type ConfigurationOptions, type V2MetricSpec } from '@kubernetes/client-node';
import { contextNamespace, loadKubeConfig } from '../config/kubeconfig.js';
import { EnvironmentError } from '../errors.js';
import type { TimelineEvent } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import { wallClock, type Clock } from '../util/clock.js';
import { K8sTimelineTranslator, type DeploymentObject, type HpaObject } from './k8s-events.js';

/**
 * Watches a real cluster's HPAs and Deployments through the Kubernetes API during a load run and
 * records the same timeline the local autoscaler writes: `scale-decision` when an HPA's status
 * changes (desired, current, utilisation, limiting condition) and `replicas` when a Deployment's
 * running or ready count changes. Lists first (the state at the start), then watches from the
 * list's resourceVersion; a dropped watch is re-listed and resumed without duplicate events.
 */

export interface K8sWatcherOptions {
  /** kubeconfig file; default: $KUBECONFIG or ~/.kube/config (as kubectl) */
  kubeconfig?: string;
  context?: string;
  /** default: the context's namespace, else "default" (as kubectl) */
  namespace?: string;
  runDir?: RunDirectory;
  /** stamps the events (default: the wall clock, epoch ms) */
  clock?: Pick<Clock, 'now'>;
  onEvent?: (event: TimelineEvent) => void;
  /** delay before re-listing after a watch ends (default 1 s) */
  retryMs?: number;
  /** only these Deployments and the HPAs that scale them (default: every one in the namespace) */
  workloads?: readonly string[];
  /** a list that has not answered by then fails (default 30 s) */
  listTimeoutMs?: number;
}

export interface K8sWatcher {
  /** the API server and namespace being watched */
  readonly server: string;
  readonly namespace: string;
  stop(): Promise<void>;
}

type Kind = 'hpa' | 'deployment';

const WATCH_TIMEOUT_SECONDS = 300;

const RESOURCES = {
  hpa: (ns: string) => `/apis/autoscaling/v2/namespaces/${encodeURIComponent(ns)}/horizontalpodautoscalers`,
  deployment: (ns: string) => `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments`,
};

export { loadKubeConfig };

/** The namespace kubectl would use: the given one, else the context's, else "default". */
export function kubeNamespace(kc: KubeConfig, namespace?: string): string {
  return namespace ?? contextNamespace(kc);
}

/** Starts watching; resolves once the initial lists were read (so their state is recorded). */
export async function startK8sWatcher(options: K8sWatcherOptions): Promise<K8sWatcher> {
  const kc = loadKubeConfig(options);
  const namespace = kubeNamespace(kc, options.namespace);
  const watcher = new ClusterWatcher(kc, namespace, options);
  // both lists settle before the answer: when one fails, the other's watch must not stay open
  const started = await Promise.allSettled([watcher.follow('hpa'), watcher.follow('deployment')]);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    watcher.stop();
    throw failed.reason;
  }
  return { server: watcher.server, namespace, stop: async () => watcher.stop() };
}

/** An HPA as a dry run shows it: what it scales, its bounds and CPU target. */
export interface HpaSummary {
  name: string;
  deployment: string;
  minReplicas: number;
  maxReplicas: number;
  targetCpuPercent?: number;
}

/**
 * Lists the namespace's HPAs once (a dry run's knock on the API): the server, the namespace and
 * what each HPA scales. An unreachable API, a refused list or no answer within `timeoutMs` is an
 * EnvironmentError of one line.
 */
export async function listK8sHpas(options: { kubeconfig?: string; context?: string; namespace?: string; timeoutMs: number }): Promise<{ server: string; namespace: string; hpas: HpaSummary[] }> {
  const kc = loadKubeConfig(options);
  const namespace = kubeNamespace(kc, options.namespace);
  const server = kc.getCurrentCluster()!.server;
  try {
    const list = await kc.makeApiClient(AutoscalingV2Api).listNamespacedHorizontalPodAutoscaler({ namespace }, timeoutOption(options.timeoutMs));
    const hpas = list.items.map((h) => ({
      name: h.metadata?.name ?? '?',
      deployment: h.spec?.scaleTargetRef.name ?? '?',
      minReplicas: h.spec?.minReplicas ?? 1,
      maxReplicas: h.spec?.maxReplicas ?? 0,
      ...cpuTarget(h.spec?.metrics),
    }));
    return { server, namespace, hpas };
  } catch (error) {
    throw new EnvironmentError(`Kubernetes API ${server}: cannot list HorizontalPodAutoscalers in namespace ${namespace}: ${describe(error)}`);
  }
}

function cpuTarget(metrics: V2MetricSpec[] | undefined): { targetCpuPercent?: number } {
  const cpu = metrics?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu')?.resource?.target?.averageUtilization;
  return cpu === undefined ? {} : { targetCpuPercent: cpu };
}

/** Aborts a request of the generated API clients after `ms`. */
function timeoutOption(ms: number): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context) => {
          context.setSignal(AbortSignal.timeout(ms));
          return new Observable(Promise.resolve(context));
        },
        post: (context) => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

/** The two list+watch loops of one namespace, their open watches and pending re-lists. */
class ClusterWatcher {
  readonly server: string;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly translator = new K8sTimelineTranslator();
  private readonly autoscaling: AutoscalingV2Api;
  private readonly apps: AppsV1Api;
  private readonly watch: Watch;
  private stopped = false;
  private readonly aborts = new Set<AbortController>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
    private readonly options: K8sWatcherOptions,
  ) {
    this.server = kc.getCurrentCluster()!.server;
    this.clock = options.clock ?? wallClock;
    this.autoscaling = kc.makeApiClient(AutoscalingV2Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.watch = new Watch(kc);
  }

  /** Lists `kind` (the state at the start), then watches from the list's resourceVersion. */
  async follow(kind: Kind): Promise<void> {
    const resourceVersion = await this.list(kind);
    if (this.stopped) return;
    let handle: AbortController | undefined;
    handle = await this.watch.watch(
      RESOURCES[kind](this.namespace),
      // the server ends the watch after this long (re-listed then, as any end): a watch whose
      // abort only errors the response body (node-fetch, after the headers) cannot outlive it
      { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_TIMEOUT_SECONDS },
      (phase, object) => {
        if (phase === 'BOOKMARK' || phase === 'ERROR') return;
        this.emit(this.translate(kind, object, phase));
      },
      (error) => {
        if (handle) this.aborts.delete(handle);
        handle = undefined;
        if (!this.stopped) this.relistLater(kind, error);
      },
    );
    // stopped while the watch was being opened: close it now, nothing else will
    if (handle && this.stopped) handle.abort();
    else if (handle) this.aborts.add(handle);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    for (const a of this.aborts) a.abort();
    this.aborts.clear();
  }

  private async list(kind: Kind): Promise<string | undefined> {
    const { namespace } = this;
    try {
      const timeout = timeoutOption(this.options.listTimeoutMs ?? 30_000);
      const list = kind === 'hpa' ? await this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }, timeout) : await this.apps.listNamespacedDeployment({ namespace }, timeout);
      for (const item of list.items) this.emit(this.translate(kind, item, 'ADDED'));
      return list.metadata?.resourceVersion;
    } catch (error) {
      throw new EnvironmentError(`Kubernetes API ${this.server}: cannot list ${kind === 'hpa' ? 'HorizontalPodAutoscalers' : 'Deployments'} in namespace ${namespace}: ${describe(error)}`);
    }
  }

  /** Watches end routinely (server timeouts, 410 Gone): re-list and resume. */
  private relistLater(kind: Kind, error: unknown): void {
    if (error) this.emit({ t: this.clock.now(), type: 'note', level: 'warn', message: `Kubernetes watch of ${kind} ended: ${describe(error)}; re-listing` });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.follow(kind).catch((e: unknown) => this.emit({ t: this.clock.now(), type: 'note', level: 'error', message: describe(e) }));
    }, this.options.retryMs ?? 1000);
    this.timers.add(timer);
  }

  private translate(kind: Kind, object: unknown, phase: string): TimelineEvent | undefined {
    const now = this.clock.now();
    return kind === 'hpa' ? this.translator.hpa(object as HpaObject, now, phase) : this.translator.deployment(object as DeploymentObject, now, phase);
  }

  private emit(event: TimelineEvent | undefined): void {
    if (!event) return;
    const { workloads } = this.options;
    if (workloads && 'service' in event && !workloads.includes(event.service)) return;
    this.options.runDir?.appendTimeline(event);
    this.options.onEvent?.(event);
  }
}

/** One line: a refused request's Status message (the API's own words), else the error and its code. */
function describe(error: unknown): string {
  const status = apiStatus(error);
  if (status) return status;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return code ? `${error.message} (${String(code)})` : error.message;
  }
  return String(error);
}

/** The generated clients throw an ApiException whose body is the API server's Status object. */
function apiStatus(error: unknown): string | undefined {
  const { code, body } = (error ?? {}) as { code?: unknown; body?: unknown };
  if (typeof code !== 'number' || body === undefined) return undefined;
  let parsed: unknown = body;
  try {
    if (typeof body === 'string') parsed = JSON.parse(body) as unknown;
  } catch {
    // not JSON: the HTTP status alone
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return `HTTP ${code}${typeof message === 'string' ? `: ${message}` : ''}`;
}
