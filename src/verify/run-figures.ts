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
