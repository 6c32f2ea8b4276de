import { percentile } from '../budgets/evaluate.js';
import type { Interval } from '../run/timeline.js';
import type { RequestRecord } from '../run/records.js';

/** Per-route figures of a run, the numbers reports print and `--baseline` compares. */
export interface RouteFigures {
  name: string;
  requests: number;
  failed: number;
  errorRate: number;
  /** requests per second over the whole run */
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface RunFigures {
  start: number;
  end: number;
  durationMs: number;
  total: RouteFigures;
  routes: RouteFigures[];
}

export function routeFigures(name: string, requests: readonly RequestRecord[], seconds: number): RouteFigures {
  const durations = requests.map((r) => r.duration).sort((a, b) => a - b);
  const failed = requests.filter((r) => r.failed).length;
  return {
    name,
    requests: requests.length,
    failed,
    errorRate: requests.length ? failed / requests.length : 0,
    rps: seconds > 0 ? requests.length / seconds : 0,
    p50: percentile(durations, 50),
    p95: percentile(durations, 95),
    p99: percentile(durations, 99),
  };
}

export function runFigures(requests: readonly RequestRecord[], span: Interval): RunFigures {
  const seconds = (span.end - span.start) / 1000;
  return {
    start: span.start,
    end: span.end,
    durationMs: span.end - span.start,
    total: routeFigures('all', requests, seconds),
    routes: [...groupByName(requests)].map(([name, list]) => routeFigures(name, list, seconds)).sort((a, b) => b.requests - a.requests),
  };
}

/** The requests of each k6 name tag, in order of first appearance. */
export function groupByName(requests: readonly RequestRecord[]): Map<string, RequestRecord[]> {
  const out = new Map<string, RequestRecord[]>();
  for (const r of requests) {
    const list = out.get(r.name);
    if (list) list.push(r);
    else out.set(r.name, [r]);
  }
  return out;
}

/** How many latencies per route report.json keeps for a later `--baseline` to rank against. */
export const LATENCY_SAMPLE_SIZE = 2000;

/**
 * Each route's latencies (ms, to 0.01 ms) as a later `--baseline` ranks them: all of them up to
 * `size`, else `size` order statistics at evenly spaced ranks (the middle of each of `size`
 * equal strata of the sorted latencies): the distribution's shape, deterministic, in
 * ~20 kB per route.
 */
export function latencySamples(requests: readonly RequestRecord[], size = LATENCY_SAMPLE_SIZE): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, list] of groupByName(requests)) {
    const sorted = list.map((r) => r.duration).sort((a, b) => a - b);
    const picked = sorted.length <= size ? sorted : Array.from({ length: size }, (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / size)]!);
    out[name] = picked.map(roundLatency);
  }
  return out;
}

/** A latency as report.json keeps it: to 0.01 ms. */
export function roundLatency(ms: number): number {
  return Math.round(ms * 100) / 100;
}
