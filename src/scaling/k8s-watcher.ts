import { AppsV1Api, AutoscalingV2Api, Watch, type KubeConfig } from '@kubernetes/client-node';
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
}

export interface K8sWatcher {
  /** the API server and namespace being watched */
  readonly server: string;
  readonly namespace: string;
  stop(): Promise<void>;
}

type Kind = 'hpa' | 'deployment';

const RESOURCES = {
  hpa: (ns: string) => `/apis/autoscaling/v2/namespaces/${encodeURIComponent(ns)}/horizontalpodautoscalers`,
  deployment: (ns: string) => `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments`,
};

/** Starts watching; resolves once the initial lists were read (so their state is recorded). */
export async function startK8sWatcher(options: K8sWatcherOptions): Promise<K8sWatcher> {
  const kc = loadKubeConfig(options);
  const namespace = options.namespace ?? contextNamespace(kc);
  const watcher = new ClusterWatcher(kc, namespace, options);
  await Promise.all([watcher.follow('hpa'), watcher.follow('deployment')]);
  return { server: watcher.server, namespace, stop: async () => watcher.stop() };
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
      { resourceVersion, allowWatchBookmarks: true },
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
    if (handle) this.aborts.add(handle);
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
      const list = kind === 'hpa' ? await this.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace }) : await this.apps.listNamespacedDeployment({ namespace });
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
    this.options.runDir?.appendTimeline(event);
    this.options.onEvent?.(event);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return code ? `${error.message} (${String(code)})` : error.message;
  }
  return String(error);
}
