import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../errors.js';

/**
 * A kubeconfig read as kubectl reads it: the given file, else $KUBECONFIG or ~/.kube/config, with
 * `context` made current (a usage error naming the contexts there are when it is not one of them).
 */
export function loadKubeConfig(options: { kubeconfig?: string | undefined; context?: string | undefined }): KubeConfig {
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

/** The context's namespace, else "default" (as kubectl). */
export function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}
