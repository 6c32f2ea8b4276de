import { request } from 'undici';
import { EnvironmentError, UsageError } from '../errors.js';
import { queryRange, type RangeSeries } from '../telemetry/metrics/prometheus-api.js';
import {
  containerName,
  FAMILY_NAMES,
  hpaName,
  kubeScaleOutEvidence,
  workloadsWithout,
  type KubeScaleOutEvidence,
  type KubeSeries,
  type KubeSeriesFamily,
  type KubeWorkloadRef,
} from './kube-evidence.js';
import { CadvisorMetrics, KubeStateMetrics } from './kube-metric-names.js';

/**
 * Scale-out evidence from a Prometheus that scrapes kube-state-metrics and cAdvisor (a cluster's,
 * or the bundled stack's: the supervisor exports the same names): a few `query_range` calls over
 * the run's span, turned into the timeline events and cpu samples the scale-out check reads
 * (kube-evidence.ts). Missing series and an unreachable Prometheus are one line naming the query
 * and the fix.
 */

export interface PrometheusScaleOutOptions {
  prometheusUrl: string;
  namespace: string;
  workloads: readonly KubeWorkloadRef[];
  /** the run's span, epoch ms */
  from: number;
  to: number;
  /** how often kube-state-metrics and cAdvisor are scraped (default 15 s): the finest useful step, and the rate window */
  scrapeIntervalMs?: number;
}

export interface PrometheusScaleOutEvidence extends KubeScaleOutEvidence {
  stepMs: number;
  /** the PromQL asked, by family */
  queries: Record<keyof KubeSeries, string>;
}

const DEFAULT_SCRAPE_INTERVAL_MS = 15_000;
/** points per series to aim for: enough to see every sync of a short run, few for a long one */
const MAX_POINTS = 1000;

/** No finer than the scrape interval (nothing new between scrapes), at most MAX_POINTS over the span, whole seconds. */
export function evidenceStepMs(spanMs: number, scrapeIntervalMs = DEFAULT_SCRAPE_INTERVAL_MS): number {
  return Math.max(1000, Math.ceil(Math.max(scrapeIntervalMs, spanMs / MAX_POINTS) / 1000) * 1000);
}

/** As Grafana's $__rate_interval: at least four scrapes, and a scrape more than the step. */
export function rateWindowMs(stepMs: number, scrapeIntervalMs = DEFAULT_SCRAPE_INTERVAL_MS): number {
  return Math.max(stepMs + scrapeIntervalMs, 4 * scrapeIntervalMs);
}

const quote = (value: string) => JSON.stringify(value);
/** An exact alternation: Kubernetes names may hold dots, which a regex would read as any character. */
const alternation = (values: readonly string[]) => [...new Set(values)].map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
const anyOf = (values: readonly string[]) => quote(alternation(values));

/** The PromQL for each family of series, over the named workloads in the namespace. */
export function scaleOutQueries(options: Pick<PrometheusScaleOutOptions, 'namespace' | 'workloads' | 'scrapeIntervalMs'>, stepMs: number): Record<keyof KubeSeries, string> {
  const ns = `namespace=${quote(options.namespace)}`;
  const hpas = `horizontalpodautoscaler=~${anyOf(options.workloads.map(hpaName))}`;
  const deployments = `deployment=~${anyOf(options.workloads.map((w) => w.deployment))}`;
  // a Deployment's pods are named <deployment>-<hash>-<suffix> (the bundled stack's <service>-<n>)
  const pods = `${ns}, container=~${anyOf(options.workloads.map(containerName))}, pod=~${quote(`(${alternation(options.workloads.map((w) => w.deployment))})-.+`)}`;
  const names = (...list: string[]) => `__name__=~${anyOf(list)}`;
  const window = `${Math.round(rateWindowMs(stepMs, options.scrapeIntervalMs) / 1000)}s`;
  const K = KubeStateMetrics;
  return {
    hpa: `{${names(K.hpaCurrentReplicas, K.hpaDesiredReplicas, K.hpaMinReplicas, K.hpaMaxReplicas)}, ${ns}, ${hpas}}`,
    hpaTarget: `${K.hpaTargetMetric}{${ns}, ${hpas}, metric_name="cpu", metric_target_type="utilization"}`,
    deployment: `{${names(K.deploymentReplicas, K.deploymentReadyReplicas, K.deploymentSpecReplicas)}, ${ns}, ${deployments}}`,
    cpuRate: `sum by (pod, container) (rate(${CadvisorMetrics.containerCpuUsage}{${pods}}[${window}]))`,
    cpuRequests: `max by (pod, container) (${K.containerRequests}{${pods}, resource="cpu", unit="core"})`,
    cpuTotal: `max by (pod, container) (${CadvisorMetrics.containerCpuUsage}{${pods}})`,
  };
}

/** What to check when a family is missing. */
const FIX: Record<KubeSeriesFamily, string> = {
  hpa: 'is kube-state-metrics scraped, and is the HPA named so in that namespace?',
  deployment: 'is kube-state-metrics scraped, and is the Deployment named so in that namespace?',
  cpuRate: "is cAdvisor (the kubelet's /metrics/cadvisor) scraped, and is the container named so?",
  cpuRequests: 'is kube-state-metrics scraped, and does the container declare a CPU request (an HPA on CPU needs one)?',
};

/** The workloads' replicas, HPA decisions and CPU over the span, from Prometheus. */
export async function prometheusScaleOutEvidence(options: PrometheusScaleOutOptions): Promise<PrometheusScaleOutEvidence> {
  const { prometheusUrl, from, to } = options;
  if (!(to > from)) throw new UsageError(`scale-out evidence needs a span that ends after it starts (from ${iso(from)} to ${iso(to)})`);
  if (options.workloads.length === 0) throw new UsageError('scale-out evidence from Prometheus needs at least one workload (a Deployment and its HPA)');
  const stepMs = evidenceStepMs(to - from, options.scrapeIntervalMs);
  const queries = scaleOutQueries(options, stepMs);
  const ask = async (query: string): Promise<RangeSeries[]> => {
    try {
      return await queryRange(prometheusUrl, query, from, to, stepMs);
    } catch (error) {
      throw new EnvironmentError(`scale-out evidence (query: ${query}): ${(error as Error).message}`, { cause: error });
    }
  };
  const keys = Object.keys(queries) as Array<keyof KubeSeries>;
  const answers = await Promise.all(keys.map((k) => ask(queries[k])));
  const series = Object.fromEntries(keys.map((k, i) => [k, answers[i]!])) as unknown as KubeSeries;
  for (const family of ['hpa', 'deployment', 'cpuRate', 'cpuRequests'] as const) {
    const missing = workloadsWithout(family, series, options.workloads);
    if (missing.length) throw new EnvironmentError(missingMessage(options, family, missing, queries[family]));
  }
  return { ...kubeScaleOutEvidence(series, options.workloads), stepMs, queries };
}

function missingMessage(options: PrometheusScaleOutOptions, family: KubeSeriesFamily, missing: readonly KubeWorkloadRef[], query: string): string {
  const what =
    family === 'hpa'
      ? `HPA ${missing.map(hpaName).join(', ')}`
      : family === 'deployment'
        ? `Deployment ${missing.map((w) => w.deployment).join(', ')}`
        : `container ${missing.map((w) => `${containerName(w)} (pods ${w.deployment}-…)`).join(', ')}`;
  return (
    `Prometheus at ${options.prometheusUrl} has no ${FAMILY_NAMES[family]} for ${what} in namespace ${options.namespace} ` +
    `from ${iso(options.from)} to ${iso(options.to)} (query: ${query}); ${FIX[family]}`
  );
}

const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));

/**
 * For a dry run: does `url` answer the Prometheus query API (`vector(1)`) within `timeoutMs`
 * (2 s by default)? One line either way.
 */
export async function reachable(url: string, timeoutMs = 2000): Promise<{ ok: boolean; detail: string }> {
  const endpoint = `${url.replace(/\/+$/, '')}/api/v1/query?query=vector(1)`;
  try {
    const res = await request(endpoint, { signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    const text = await res.body.text();
    let status: unknown;
    try {
      status = (JSON.parse(text) as { status?: unknown }).status;
    } catch {
      status = undefined;
    }
    if (res.statusCode === 200 && status === 'success') return { ok: true, detail: `Prometheus at ${url} answers queries` };
    return { ok: false, detail: `${url} answered HTTP ${res.statusCode} to a PromQL query, not the Prometheus API; check the Prometheus URL (the server's root, without /api/v1)` };
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    return { ok: false, detail: `Prometheus at ${url} is not reachable (${reason}); start it or fix the Prometheus URL` };
  }
}
