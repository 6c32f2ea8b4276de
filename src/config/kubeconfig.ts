import { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../errors.js';

/**
 * A kubeconfig read as kubectl reads it: the given file, else $KUBECONFIG or ~/.kube/config, with
 * `context` made current (a usage error naming the contexts there are when it is not one of them).
 * `setting` names where the user picks the context, in a message (default the `--kube-context`
 * flag; a game-day file passes its field).
 */
export function loadKubeConfig(options: { kubeconfig?: string | undefined; context?: string | undefined; setting?: string }): KubeConfig {
  const setting = options.setting ?? '--kube-context';
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
      throw new UsageError(`${setting}: no context "${options.context}" in the kubeconfig (contexts: ${names.join(', ') || 'none'})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new UsageError(`the kubeconfig has no current cluster; set ${setting}`);
  return kc;
}

/** The context's namespace, else "default" (as kubectl). */
export function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
}
