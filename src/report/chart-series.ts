import { percentile } from '../budgets/evaluate.js';
import { namedIntervals, OUTAGE, outageIntervals, type Interval } from '../run/timeline.js';
import type { Budgets } from '../budgets/types.js';
import type { RequestRecord, TimelineEvent } from '../run/records.js';
import type { RunData } from '../run/run-data.js';
import { groupByName } from '../verify/run-figures.js';

/** The chart data of report.html: aligned series on one time axis (seconds since run start). */
export interface RunSeries {
  bucketSeconds: number;
  t: number[];
  rps: number[];
  failedRps: number[];
  errorRate: Array<number | null>;
  latency: Array<{ route: string; p50: Array<number | null>; p95: Array<number | null>; p99: Array<number | null>; limits: LatencyLimit[] }>;
  replicas: Array<{ service: string; values: Array<number | null> }>;
  faults: Array<{ start: number; end: number }>;
  phases: Array<{ name: string; start: number; end: number }>;
}

/** A latency budget drawn as a line on its route's chart, e.g. `p(95)<800` at 800 ms. */
export interface LatencyLimit {
  route: string;
  label: string;
  value: number;
}

/** The charts of a run: the routes the budgets name first, each with its whole-run latency budgets. */
export function chartSeries(data: Pick<RunData, 'requests' | 'timeline' | 'span'>, thresholds: Budgets['thresholds']): RunSeries {
  const named = [...new Set(thresholds.flatMap((t) => (t.tags.name ? [t.tags.name] : [])))];
  return runSeries(data.requests, data.timeline, data.span, { first: named, limits: latencyLimits(thresholds) });
}

/** Whole-run latency budgets of one route (`http_req_duration{name:X} p(95)<800`), drawn on its chart. */
function latencyLimits(thresholds: Budgets['thresholds']): LatencyLimit[] {
  return thresholds
    .filter((t) => t.metric === 'http_req_duration' && t.tags.name !== undefined && Object.keys(t.tags).length === 1 && t.during === undefined && t.operator.startsWith('<'))
    .map((t) => ({ route: t.tags.name!, label: t.label.slice(t.metricKey.length + 1), value: t.value }));
}

/** Bucketed series for the charts: about 300 points whatever the run's length. */
export function runSeries(
  requests: readonly RequestRecord[],
  timeline: readonly TimelineEvent[],
  span: Interval,
  options: { maxRoutes?: number; first?: readonly string[]; limits?: readonly LatencyLimit[] } = {},
): RunSeries {
  const { maxRoutes = 6, first = [], limits = [] } = options;
  const duration = Math.max(1, span.end - span.start);
  const bucketSeconds = Math.max(1, Math.ceil(duration / 1000 / 300));
  const n = Math.ceil(duration / 1000 / bucketSeconds) || 1;
  const bucketOf = (t: number) => Math.min(n - 1, Math.max(0, Math.floor((t - span.start) / 1000 / bucketSeconds)));
  const t = Array.from({ length: n }, (_, i) => i * bucketSeconds);
  const count = new Array<number>(n).fill(0);
  const failed = new Array<number>(n).fill(0);
  for (const r of requests) {
    const b = bucketOf(r.t);
    count[b]!++;
    if (r.failed) failed[b]!++;
  }
  // the routes the budgets name come first (checkout is rarely the busiest), then the busiest
  const rank = (name: string) => (first.includes(name) ? first.indexOf(name) : first.length);
  const routes = [...groupByName(requests)].sort((a, b) => rank(a[0]) - rank(b[0]) || b[1].length - a[1].length).slice(0, maxRoutes);
  const latency = routes.map(([route, list]) => {
    const buckets = Array.from({ length: n }, () => [] as number[]);
    for (const r of list) buckets[bucketOf(r.t)]!.push(r.duration);
    const q = (p: number) => buckets.map((b) => (b.length ? round(percentile(b.sort((x, y) => x - y), p)) : null));
    return { route, p50: q(50), p95: q(95), p99: q(99), limits: limits.filter((l) => l.route === route) };
  });
  const rel = (ms: number) => round((ms - span.start) / 1000);
  return {
    bucketSeconds,
    t,
    rps: count.map((c) => round(c / bucketSeconds)),
    failedRps: failed.map((f) => round(f / bucketSeconds)),
    errorRate: count.map((c, i) => (c ? round((failed[i]! / c) * 100) : null)),
    latency,
    replicas: replicaSeries(timeline, span, t, bucketSeconds),
    faults: outageIntervals(timeline, span.end).map((i) => ({ start: rel(i.start), end: rel(i.end) })),
    phases: phaseList(timeline, span).map((p) => ({ name: p.name, start: rel(p.start), end: rel(p.end) })),
  };
}

/** Replicas per service as a step series (the count at the end of each bucket). */
function replicaSeries(timeline: readonly TimelineEvent[], span: Interval, t: readonly number[], bucketSeconds: number): RunSeries['replicas'] {
  const changes = timeline.filter((e): e is Extract<TimelineEvent, { type: 'replicas' }> => e.type === 'replicas');
  const services = [...new Set(changes.map((c) => c.service))].sort();
  return services.map((service) => {
    const mine = changes.filter((c) => c.service === service).sort((a, b) => a.t - b.t);
    let i = 0;
    let current: number | null = mine[0]?.from ?? null;
    const values = t.map((start) => {
      const until = span.start + (start + bucketSeconds) * 1000;
      while (i < mine.length && mine[i]!.t < until) current = mine[i++]!.to;
      return current;
    });
    return { service, values };
  });
}

function phaseList(timeline: readonly TimelineEvent[], span: Interval): Array<{ name: string } & Interval> {
  return [...namedIntervals(timeline, span.end)]
    .filter(([name]) => name !== OUTAGE)
    .flatMap(([name, intervals]) => intervals.map((i) => ({ name, ...i })))
    .sort((a, b) => a.start - b.start);
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/** The slowest requests and the failed ones that carry a trace id, for "open the trace". */
export function notableTraces(requests: readonly RequestRecord[], limit = 10) {
  const traced = requests.filter((r) => r.traceId);
  const pick = (r: RequestRecord) => ({ traceId: r.traceId!, name: r.name, status: r.status, duration: round(r.duration), t: r.t, ...(r.error ? { error: r.error } : {}) });
  return {
    slowest: [...traced].sort((a, b) => b.duration - a.duration).slice(0, limit).map(pick),
    failed: traced.filter((r) => r.failed).slice(0, limit).map(pick),
  };
}
