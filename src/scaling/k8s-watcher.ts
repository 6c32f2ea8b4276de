import { AppsV1Api, AutoscalingV2Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { EnvironmentError, UsageError } from '../errors.js';
import type { TimelineEvent } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
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
  clock?: { now(): number };
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

const RESOURCES = {
  hpa: (ns: string) => `/apis/autoscaling/v2/namespaces/${encodeURIComponent(ns)}/horizontalpodautoscalers`,
  deployment: (ns: string) => `/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/deployments`,
};

export function loadKubeConfig(options: { kubeconfig?: string; context?: string }): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    throw new UsageError(`cannot read kubeconfig ${options.kubeconfig ?? '(default)'}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (options.context) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(options.context)) {
      throw new UsageError(`--kube-context: no context "${options.context}" in the kubeconfig (contexts: ${names.join(', ') || 'none'})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new UsageError('the kubeconfig has no current cluster; pass --kube-context');
  return kc;
}

/** Starts watching; resolves once the initial lists were read (so their state is recorded). */
export async function startK8sWatcher(options: K8sWatcherOptions): Promise<K8sWatcher> {
  const kc = loadKubeConfig(options);
  const server = kc.getCurrentCluster()!.server;
  const namespace = options.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  const clock = options.clock ?? Date;
  const translator = new K8sTimelineTranslator();
  const autoscaling = kc.makeApiClient(AutoscalingV2Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const watch = new Watch(kc);
  const emit = (event: TimelineEvent | undefined) => {
    if (!event) return;
    options.runDir?.appendTimeline(event);
    options.onEvent?.(event);
  };
  let stopped = false;
  const aborts = new Set<AbortController>();
  const timers = new Set<NodeJS.Timeout>();

  const follow = async (kind: 'hpa' | 'deployment'): Promise<void> => {
    let resourceVersion: string | undefined;
    try {
      if (kind === 'hpa') {
        const list = await autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace });
        for (const item of list.items) emit(translator.hpa(item as HpaObject, clock.now(), 'ADDED'));
        resourceVersion = list.metadata?.resourceVersion;
      } else {
        const list = await apps.listNamespacedDeployment({ namespace });
        for (const item of list.items) emit(translator.deployment(item as DeploymentObject, clock.now(), 'ADDED'));
        resourceVersion = list.metadata?.resourceVersion;
      }
    } catch (error) {
      throw new EnvironmentError(`Kubernetes API ${server}: cannot list ${kind === 'hpa' ? 'HorizontalPodAutoscalers' : 'Deployments'} in namespace ${namespace}: ${describe(error)}`);
    }
    if (stopped) return;
    let handle: AbortController | undefined;
    handle = await watch.watch(
      RESOURCES[kind](namespace),
      { resourceVersion, allowWatchBookmarks: true },
      (phase, object) => {
        if (phase === 'BOOKMARK' || phase === 'ERROR') return;
        emit(kind === 'hpa' ? translator.hpa(object as HpaObject, clock.now(), phase) : translator.deployment(object as DeploymentObject, clock.now(), phase));
      },
      (error) => {
        if (handle) aborts.delete(handle);
        handle = undefined;
        if (stopped) return;
        // watches end routinely (server timeouts, 410 Gone): re-list and resume
        if (error) emit({ t: clock.now(), type: 'note', level: 'warn', message: `Kubernetes watch of ${kind} ended: ${describe(error)}; re-listing` });
        const timer = setTimeout(() => {
          timers.delete(timer);
          follow(kind).catch((e: unknown) => emit({ t: clock.now(), type: 'note', level: 'error', message: describe(e) }));
        }, options.retryMs ?? 1000);
        timers.add(timer);
      },
    );
    if (handle) aborts.add(handle);
  };

  await Promise.all([follow('hpa'), follow('deployment')]);
  return {
    server,
    namespace,
    stop: async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const a of aborts) a.abort();
      aborts.clear();
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return code ? `${error.message} (${String(code)})` : error.message;
  }
  return String(error);
}
