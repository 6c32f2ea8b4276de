import { onShutdown } from '../lifecycle/shutdown.js';
import type { TimelineEvent } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import { startK8sWatcher } from './k8s-watcher.js';

/**
 * `peakready scale watch --kube-context/--namespace`: follows a real cluster's HPAs and
 * Deployments, records their timeline into a run directory (the given one, so a load run and the
 * cluster's scaling land side by side, or a new `scale-watch` run) and prints one line per change
 * until Ctrl-C.
 */
export async function watchCluster(options: {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  run?: string;
  out: NodeJS.WritableStream;
  /** resolves to stop (tests); default: Ctrl-C / SIGTERM */
  until?: Promise<void>;
}): Promise<RunDirectory> {
  const run = options.run ? RunDirectory.open(options.run) : RunDirectory.create('scale-watch');
  const watcher = await startK8sWatcher({
    kubeconfig: options.kubeconfig,
    context: options.context,
    namespace: options.namespace,
    runDir: run,
    onEvent: (e) => options.out.write(formatClusterEvent(e) + '\n'),
  });
  options.out.write(`peakready: watching HPAs and Deployments in namespace ${watcher.namespace} on ${watcher.server}; recording into ${run.root} (Ctrl-C to stop)\n`);
  let release: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => (release = resolve));
  const unregister = onShutdown('scale watch (cluster)', async () => {
    await watcher.stop();
    release?.();
  });
  await Promise.race([stopped, options.until ?? new Promise<never>(() => undefined)]);
  await watcher.stop();
  unregister();
  return run;
}

export function formatClusterEvent(e: TimelineEvent): string {
  const time = new Date(e.t).toISOString().slice(11, 19);
  switch (e.type) {
    case 'scale-decision':
      return `${time} hpa ${e.service} current=${e.current} desired=${e.desired} cpu=${e.utilization ?? '-'}%/${e.target}% limitedBy=${e.limitedBy}`;
    case 'replicas':
      return `${time} deployment ${e.service} replicas ${e.from} -> ${e.to} ready=${e.ready}`;
    case 'note':
      return `${time} ${e.level}: ${e.message}`;
    default:
      return `${time} ${e.type}`;
  }
}
