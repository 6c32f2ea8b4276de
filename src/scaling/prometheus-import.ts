import { EnvironmentError, UsageError } from '../errors.js';
import { queryRange, type RangeSeries } from '../telemetry/metrics/prometheus-api.js';
import { CadvisorMetrics, KubeStateMetrics } from './kube-metric-names.js';
import { POD_SERIES_COLUMNS } from './pod-series.js';
import { rateWindowMs } from './prometheus-evidence.js';

/**
 * `peakready scale import`: a workload's pods as a cluster's Prometheus saw them over a span —
 * CPU per pod from cAdvisor, Ready condition, phase, start time, deletion and CPU request from
 * kube-state-metrics — written as the per-pod metric file (pod-series.ts) that
 * `scale simulate --metrics` replays through an HPA, one row per pod and step.
 */

export interface PodImportOptions {
  prometheusUrl: string;
  namespace: string;
  /** the Deployment: its pods are named `<workload>-…` */
  workload: string;
  /** only this container's CPU and request (a ContainerResource metric); default: the whole pod, as a Resource metric */
  container?: string;
  /** epoch ms */
  from: number;
  to: number;
  /** one snapshot per step (default 15 s: the controller's sync period) */
  stepMs?: number;
  /** how often Prometheus scrapes cAdvisor and kube-state-metrics (default 15 s): the rate window and the lookback */
  scrapeIntervalMs?: number;
}

export interface PodImport {
  /** the per-pod CSV, header included */
  csv: string;
  pods: number;
  steps: number;
  rows: number;
  queries: Record<PodFamily, string>;
}

type PodFamily = 'cpu' | 'request' | 'ready' | 'phase' | 'start' | 'deletion';

const DEFAULT_STEP_MS = 15_000;
const DEFAULT_SCRAPE_MS = 15_000;
/** Prometheus answers at most 11,000 points per series; ask in chunks below that */
const STEPS_PER_QUERY = 10_000;

const quote = (value: string) => JSON.stringify(value);
const escapeRegex = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The PromQL per family of series. */
export function podImportQueries(options: PodImportOptions, stepMs: number): Record<PodFamily, string> {
  const scrapeMs = options.scrapeIntervalMs ?? DEFAULT_SCRAPE_MS;
  const pods = `namespace=${quote(options.namespace)}, pod=~${quote(`${escapeRegex(options.workload)}-.+`)}`;
  // cAdvisor's pod-level cgroup has no container label and the sandbox is "POD": neither is a container's usage
  const containers = options.container ? `container=${quote(options.container)}` : 'container!="", container!="POD"';
  const window = `${Math.round(rateWindowMs(stepMs, scrapeMs) / 1000)}s`;
  // kube-state-metrics' gauges: the last scrape within two intervals (a deleted pod's series ends there)
  const recent = `${Math.round((2 * scrapeMs) / 1000)}s`;
  const last = (name: string, labels: string, by = 'pod') => `max by (${by}) (last_over_time(${name}{${labels}}[${recent}]))`;
  return {
    cpu: `sum by (pod) (rate(${CadvisorMetrics.containerCpuUsage}{${pods}, ${containers}}[${window}]))`,
    request: `sum by (pod) (last_over_time(${KubeStateMetrics.containerRequests}{${pods}, ${options.container ? `${containers}, ` : ''}resource="cpu", unit="core"}[${recent}]))`,
    ready: last(KubeStateMetrics.podReady, `${pods}, condition="true"`),
    phase: `${last(KubeStateMetrics.podPhase, pods, 'pod, phase')} == 1`,
    start: last(KubeStateMetrics.podStartTime, pods),
    deletion: last(KubeStateMetrics.podDeletionTimestamp, pods),
  };
}

const FIX: Partial<Record<PodFamily, string>> = {
  phase: 'is kube-state-metrics scraped, and are the pods named <workload>-… in that namespace?',
  cpu: "is cAdvisor (the kubelet's /metrics/cadvisor) scraped?",
};

/** Reads the span from Prometheus and writes the per-pod rows. */
export async function importPodSeries(options: PodImportOptions): Promise<PodImport> {
  const { from, to, prometheusUrl } = options;
  const stepMs = options.stepMs ?? DEFAULT_STEP_MS;
  if (!(to > from)) throw new UsageError(`--from must be before --to (from ${iso(from)} to ${iso(to)})`);
  if (!(stepMs >= 1000)) throw new UsageError('--step must be at least 1s');
  const queries = podImportQueries(options, stepMs);
  const families = Object.keys(queries) as PodFamily[];
  const answers = await Promise.all(families.map((family) => askInChunks(prometheusUrl, queries[family], from, to, stepMs)));
  const series = Object.fromEntries(families.map((f, i) => [f, answers[i]!])) as Record<PodFamily, RangeSeries[]>;
  for (const family of ['phase', 'cpu'] as const) {
    if (series[family].length === 0) {
      throw new EnvironmentError(
        `Prometheus at ${prometheusUrl} has no series for pods ${options.workload}-… in namespace ${options.namespace} from ${iso(from)} to ${iso(to)} (query: ${queries[family]}); ${FIX[family]}`,
      );
    }
  }
  const window = `${Math.round(rateWindowMs(stepMs, options.scrapeIntervalMs ?? DEFAULT_SCRAPE_MS) / 1000)}s`;
  return { ...podRows(series, window), queries };
}

async function askInChunks(url: string, query: string, from: number, to: number, stepMs: number): Promise<RangeSeries[]> {
  const merged = new Map<string, RangeSeries>();
  for (let start = from; start <= to; start += STEPS_PER_QUERY * stepMs) {
    const end = Math.min(to, start + (STEPS_PER_QUERY - 1) * stepMs);
    let answer: RangeSeries[];
    try {
      answer = await queryRange(url, query, start, end, stepMs);
    } catch (error) {
      throw new EnvironmentError(`scale import (query: ${query}): ${(error as Error).message}`, { cause: error });
    }
    for (const s of answer) {
      const key = JSON.stringify(s.metric);
      const known = merged.get(key);
      if (known) known.points.push(...s.points);
      else merged.set(key, { metric: s.metric, points: [...s.points] });
    }
  }
  return [...merged.values()];
}

/** pod → time → value, for one family. */
function byPod(series: readonly RangeSeries[]): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const s of series) {
    const pod = s.metric.pod;
    if (!pod) continue;
    const points = out.get(pod) ?? new Map<number, number>();
    for (const p of s.points) points.set(p.t, p.value);
    out.set(pod, points);
  }
  return out;
}

/** A row per pod that kube-state-metrics lists at a step; CPU empty where cAdvisor has no rate yet (a missing metric). */
function podRows(series: Record<PodFamily, RangeSeries[]>, window: string): Omit<PodImport, 'queries'> {
  const phases = new Map<number, Map<string, string>>();
  for (const s of series.phase) {
    for (const p of s.points) {
      const at = phases.get(p.t) ?? new Map<string, string>();
      at.set(s.metric.pod ?? '', s.metric.phase ?? 'Unknown');
      phases.set(p.t, at);
    }
  }
  const cpu = byPod(series.cpu);
  const request = byPod(series.request);
  const ready = byPod(series.ready);
  const start = byPod(series.start);
  const deletion = byPod(series.deletion);
  const lines = [POD_SERIES_COLUMNS.join(',')];
  const pods = new Set<string>();
  const times = [...phases.keys()].sort((a, b) => a - b);
  for (const t of times) {
    for (const [pod, phase] of [...phases.get(t)!].sort(([a], [b]) => a.localeCompare(b))) {
      pods.add(pod);
      const usage = cpu.get(pod)?.get(t);
      const requested = request.get(pod)?.get(t);
      const isReady = ready.get(pod)?.get(t);
      const started = start.get(pod)?.get(t);
      const cells: Record<(typeof POD_SERIES_COLUMNS)[number], string> = {
        time: iso(t),
        pod,
        metric: 'cpu',
        // whole nanocores as metrics-server reports them, rounded up to millicores as Quantity.MilliValue does
        value: usage === undefined || !Number.isFinite(usage) ? '' : `${Math.ceil(Math.round(usage * 1e9) / 1e6)}m`,
        ready: isReady === undefined ? '' : String(isReady >= 1),
        phase: deletion.get(pod)?.get(t) !== undefined ? 'Terminating' : phase,
        start: started === undefined ? '' : iso(started * 1000),
        request: requested === undefined ? '' : `${Math.round(requested * 1000)}m`,
        window,
      };
      lines.push(POD_SERIES_COLUMNS.map((c) => cells[c]).join(','));
    }
  }
  return { csv: lines.join('\n') + '\n', pods: pods.size, steps: times.length, rows: lines.length - 1 };
}

const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));
