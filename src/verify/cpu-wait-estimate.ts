import { percentile } from '../budgets/evaluate.js';
import type { RequestRecord, RigSample, SpanRecord } from '../run/records.js';
import type { RunData } from '../run/run-data.js';
import { LOAD_GENERATOR, RIG_MAIN_THREAD } from '../telemetry/rig/rig-sampler.js';
import { ancestors, assembleTraces, spanEndMs, spanStartMs, type Trace } from '../telemetry/traces/index.js';

/**
 * How much of a request's duration its handlers spent waiting for a CPU. The rig measures, once a
 * second, the share of time each service's processes were runnable but not running (run-queue
 * delay, src/telemetry/rig/cpu-wait.ts). The request's trace says who held it at each moment, by
 * the deepest span open then:
 * - a server (or internal) span: its service;
 * - a client span, outside the callee's own span: the transport (the caller writing and reading,
 *   the drill's balancers and fault proxy, the callee's event loop not yet reading), charged at
 *   the largest wait share among caller, callee and the drill's main thread;
 * - a client span with no span below it (a database, an uninstrumented peer): the caller, the
 *   drill's main thread (its fault proxy may carry the hop) or that peer (by `db.system.name`,
 *   `db.system` or `peer.service`), the largest share;
 * - outside every span (the client side) or with no trace: the load generator or the drill's main
 *   thread (the gateway's balancer).
 * The estimate integrates over those moments the share of the holder's time its starvation added
 * (`delayShares`: its wait share, grown by how busy it was, as a queue grows).
 *
 * It tells the two things a starved rig and a slow system look alike in apart: a service that is
 * asleep on a timer or a slow dependency is rarely runnable, so the wait charged to its moments is
 * small, while a service queuing requests on a starved core waits most of the time it holds them.
 * It is an estimate (a process's wait is shared by every request it holds at the time), used only
 * to put a latency miss in doubt when the rig was saturated (src/verify/rig.ts).
 */
export type CpuWaitEstimator = (request: RequestRecord) => number;

const estimators = new WeakMap<RunData, CpuWaitEstimator | null>();

/** The run's estimator; undefined when the rig recorded no run-queue waits. */
export function cpuWaitEstimator(data: RunData): CpuWaitEstimator | undefined {
  let known = estimators.get(data);
  if (known === undefined) {
    known = buildEstimator(data) ?? null;
    estimators.set(data, known);
  }
  return known ?? undefined;
}

interface WaitStretch {
  start: number;
  end: number;
  shares: Record<string, number>;
}

const CLIENT_SIDE = [LOAD_GENERATOR, RIG_MAIN_THREAD];

function buildEstimator(data: RunData): CpuWaitEstimator | undefined {
  const stretches: WaitStretch[] = (data.metrics ?? [])
    .filter((s): s is RigSample & { cpuWait: Record<string, number> } => s.source === 'rig' && s.cpuWait !== undefined)
    .map((s) => ({ start: s.t - s.intervalMs, end: s.t, shares: delayShares(s.cpuWait, s.cpuRun ?? {}) }))
    .sort((a, b) => a.start - b.start);
  if (!stretches.length) return undefined;
  // the traces only once a request is asked about: most runs have no latency miss to weigh
  let traces: Map<string, Trace> | undefined;
  const held = new Map<string, HoldingSpan[]>();
  const spansOf = (traceId: string): HoldingSpan[] | undefined => {
    traces ??= new Map(assembleTraces(data.spans ?? []).map((t) => [t.traceId, t]));
    const trace = traces.get(traceId);
    if (!trace) return undefined;
    let spans = held.get(traceId);
    if (!spans) held.set(traceId, (spans = holdingSpans(trace)));
    return spans;
  };
  return (request) => {
    const spans = request.traceId ? spansOf(request.traceId) : undefined;
    let waited = 0;
    for (const held of holders(spans ?? [], request.t, request.t + request.duration)) waited += waitDuring(stretches, held.chargedTo, held.start, held.end);
    return Math.min(request.duration, waited);
  };
}

/**
 * The share of the time a process held a request that its starvation added. A process that ran
 * `run` and waited `wait` of a second queued its requests as a server busy `run + wait` of the
 * time; with no wait it would have been busy `run`, and a queue's time in it grows as 1 / (1 -
 * busy). So the time it held a request would have been (1 - run - wait) / (1 - run) of what it
 * was: `wait / (1 - run)` of it was the starvation's (a first-order queueing estimate, at most
 * all of it). Without run shares (older runs), the wait share itself.
 */
function delayShares(wait: Record<string, number>, run: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(wait).map(([service, w]) => {
      const r = run[service];
      return [service, r === undefined ? w : Math.min(1, w / Math.max(w, 1 - r))];
    }),
  );
}

/** A span as the estimate reads it: when it was open, how deep, and whose wait its moments are charged. */
export interface HoldingSpan {
  start: number;
  end: number;
  depth: number;
  chargedTo: readonly string[];
}

/** A trace's spans as the estimate reads them. */
function holdingSpans(trace: Trace): HoldingSpan[] {
  return trace.spans.map((s) => ({ start: spanStartMs(s), end: spanEndMs(s), depth: ancestors(trace, s).length, chargedTo: chargedTo(s, trace.children.get(s.spanId) ?? []) }));
}

function chargedTo(span: SpanRecord, children: readonly SpanRecord[]): string[] {
  if (span.kind !== 'CLIENT') return [span.service];
  if (children.length) return [span.service, RIG_MAIN_THREAD, ...new Set(children.map((c) => c.service))];
  const peer = span.attributes['db.system.name'] ?? span.attributes['db.system'] ?? span.attributes['peer.service'];
  return typeof peer === 'string' ? [span.service, RIG_MAIN_THREAD, peer] : [span.service, RIG_MAIN_THREAD];
}

/**
 * [from, to) cut where the deepest open span changes: each piece with whose wait it is charged
 * (the client side outside every span).
 */
export function holders(spans: readonly HoldingSpan[], from: number, to: number): Array<{ start: number; end: number; chargedTo: readonly string[] }> {
  const cuts = new Set<number>([from, to]);
  for (const s of spans) {
    if (s.start > from && s.start < to) cuts.add(s.start);
    if (s.end > from && s.end < to) cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const out: Array<{ start: number; end: number; chargedTo: readonly string[] }> = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    const mid = (start + end) / 2;
    let holder: HoldingSpan | undefined;
    for (const s of spans) if (s.start <= mid && s.end >= mid && (!holder || s.depth > holder.depth)) holder = s;
    const chargedTo = holder?.chargedTo ?? CLIENT_SIDE;
    const last = out.at(-1);
    if (last && last.chargedTo === chargedTo && last.end === start) last.end = end;
    else out.push({ start, end, chargedTo });
  }
  return out;
}

/** ms waited for a core over [from, to): per sampled second, the largest wait share among `chargedTo`, integrated. */
function waitDuring(stretches: readonly WaitStretch[], chargedTo: readonly string[], from: number, to: number): number {
  let waited = 0;
  for (let i = firstEndingAfter(stretches, from); i < stretches.length; i++) {
    const s = stretches[i]!;
    if (s.end <= from) continue;
    if (s.start >= to) break;
    const share = Math.max(0, ...chargedTo.map((service) => s.shares[service] ?? 0));
    waited += share * (Math.min(s.end, to) - Math.max(s.start, from));
  }
  return waited;
}

/** What a latency miss would be without its requests' estimated CPU wait: the evidence the judge weighs. */
export interface CpuWaitTiming {
  /** the judged requests' estimated CPU wait: median and p95, ms */
  medianMs: number;
  p95Ms: number;
  /** the same figure over the durations less each request's wait, minus the limit (<= 0: within it) */
  withoutOverMs: number;
}

/** `overLimit` computes the check's own figure minus its limit, over the requests it is given. */
export function cpuWaitTiming(records: readonly RequestRecord[], estimate: CpuWaitEstimator, overLimit: (requests: RequestRecord[]) => number): CpuWaitTiming {
  const waits = records.map(estimate);
  const sorted = [...waits].sort((a, b) => a - b);
  const without = records.map((r, i) => ({ ...r, duration: Math.max(0, r.duration - waits[i]!) }));
  return { medianMs: Math.round(percentile(sorted, 50)), p95Ms: Math.round(percentile(sorted, 95)), withoutOverMs: Math.round(overLimit(without)) };
}

/** Index of the first stretch (sorted by start; one a second, so also by end) that ends after `t`. */
function firstEndingAfter(stretches: readonly WaitStretch[], t: number): number {
  let lo = 0;
  let hi = stretches.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (stretches[mid]!.end <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
