import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { contextNamespace, loadKubeConfig } from '../config/kubeconfig.js';
import { EnvironmentError } from '../errors.js';

/**
 * The few Kubernetes API calls a load on the k6-operator takes: is the TestRun resource served
 * (k6.io/v1alpha1 `testruns`, installed with the operator's CRD), create the script's ConfigMap and
 * the TestRun, read the TestRun's `status.stage`, delete both. Every failure is one line naming the
 * API server and what to do.
 */

/** Where the cluster is: a kubeconfig (default $KUBECONFIG or ~/.kube/config), a context, a namespace (default the context's). */
export interface ClusterRef {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
}

/** `status` of a TestRun (k6-operator's TestRunStatus): the stage and the standard conditions. */
export interface TestRunStatus {
  stage?: string;
  conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
}

const TESTRUNS = { group: 'k6.io', version: 'v1alpha1', plural: 'testruns' } as const;
export const INSTALL_OPERATOR_URL = 'https://grafana.com/docs/k6/latest/set-up/set-up-distributed-k6/install-k6-operator/';

export class K6OperatorApi {
  readonly server: string;
  readonly namespace: string;
  readonly context: string;
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;

  private constructor(kc: KubeConfig, namespace: string | undefined) {
    this.server = kc.getCurrentCluster()!.server;
    this.context = kc.getCurrentContext();
    this.namespace = namespace ?? contextNamespace(kc);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  /** Reads the kubeconfig (a usage error for a missing file or context); contacts nothing. */
  static open(ref: ClusterRef): K6OperatorApi {
    return new K6OperatorApi(loadKubeConfig(ref), ref.namespace);
  }

  /** Lists TestRuns (one at most): the API answers and the operator's CRD is installed, or one line saying which is not. */
  async check(): Promise<void> {
    try {
      await this.custom.listNamespacedCustomObject({ ...TESTRUNS, namespace: this.namespace, limit: 1 });
    } catch (error) {
      if (statusOf(error) === 404) {
        throw new EnvironmentError(`Kubernetes API ${this.server}: no TestRun resource (k6.io/v1alpha1 testruns answered 404): install the k6-operator in the cluster (${INSTALL_OPERATOR_URL})`);
      }
      throw this.failure('list TestRuns', error);
    }
  }

  async createConfigMap(body: object): Promise<void> {
    await this.core.createNamespacedConfigMap({ namespace: this.namespace, body }).catch((error: unknown) => {
      throw this.failure('create the script\'s ConfigMap', error);
    });
  }

  async createTestRun(body: object): Promise<void> {
    await this.custom.createNamespacedCustomObject({ ...TESTRUNS, namespace: this.namespace, body }).catch((error: unknown) => {
      throw this.failure('create the TestRun', error);
    });
  }

  /** The TestRun's status now; undefined when it is gone (404). */
  async status(name: string): Promise<TestRunStatus | undefined> {
    try {
      const object = (await this.custom.getNamespacedCustomObject({ ...TESTRUNS, namespace: this.namespace, name })) as { status?: TestRunStatus };
      return object.status ?? {};
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.failure(`read TestRun ${name}`, error);
    }
  }

  /** Deletes the TestRun (what it owns goes with it: propagation Background); `absent` when it was already gone. */
  async deleteTestRun(name: string): Promise<'deleted' | 'absent'> {
    return this.gone(`delete TestRun ${name}`, () => this.custom.deleteNamespacedCustomObject({ ...TESTRUNS, namespace: this.namespace, name, propagationPolicy: 'Background' }));
  }

  async deleteConfigMap(name: string): Promise<'deleted' | 'absent'> {
    return this.gone(`delete ConfigMap ${name}`, () => this.core.deleteNamespacedConfigMap({ namespace: this.namespace, name }));
  }

  private async gone(what: string, call: () => Promise<unknown>): Promise<'deleted' | 'absent'> {
    try {
      await call();
      return 'deleted';
    } catch (error) {
      if (statusOf(error) === 404) return 'absent';
      throw this.failure(what, error);
    }
  }

  private failure(what: string, error: unknown): EnvironmentError {
    const status = statusOf(error);
    if (status === undefined) {
      return new EnvironmentError(`cannot reach the Kubernetes API at ${this.server} (${reasonOf(error)}): check load.k6Operator's kubeconfig and context (now "${this.context}")`);
    }
    const fix = status === 401 || status === 403 ? `: let the context's user create, get and delete configmaps and testruns.k6.io in namespace ${this.namespace}` : '';
    return new EnvironmentError(`Kubernetes API ${this.server}: cannot ${what} in namespace ${this.namespace}: HTTP ${status} ${messageOf(error)}${fix}`);
  }
}

/** The HTTP status of an API answer (client-node's ApiException), undefined when there was no answer. */
function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API's own message: a Status object's `message`, when the body is one. */
function messageOf(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? `(${message})` : '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown; cause?: { code?: unknown } }).code ?? (error as { cause?: { code?: unknown } }).cause?.code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
