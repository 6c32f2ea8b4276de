import type { MetricSample, RequestRecord, TimelineEvent } from '../run/records.js';

/**
 * Did scaling out add capacity? As issue 6 defines it: throughput rose or latency recovered after
 * the scale-out; the service's CPU is reported beside it so a reader sees whether more cores were
 * actually used. Under an open-model load (arrival rate) throughput cannot rise, and an HPA scales
 * at its target (60 %), long before latency suffers, so there is often nothing to recover: then
 * headroom counts, which is what the HPA is for: the service got more CPU (its total rose by a
 * tenth or more: more cores used), each replica's utilisation fell by a fifth or more, and its
 * latency held (its own scraped mean within a tenth, else the load's p95 no higher). More
 * replicas sharing the same saturated cores show none of this. Compares a window before the
 * first scale-out decision with a window after the added replicas were ready: the service's
 * total and per-replica CPU (from `cpu` samples), its request throughput and mean latency (from
 * the scraped `http_server_request_duration_seconds` count and sum, when present) and the load
 * engine's overall throughput and p95 latency (requests.ndjson).
 */

export interface CapacityEvidence {
  /** undefined: not enough data to tell */
  grew?: boolean;
  /**
   * Its replicas ran below their CPU request before the scale-out: the HPA scaled at its target,
   * ahead of saturation, so a load the service already kept up with cannot show capacity growing.
   */
  spareBefore?: boolean;
  figure: string;
  evidence: string[];
  before: WindowStats;
  after: WindowStats;
}

export interface WindowStats {
  from: number;
  to: number;
  cpuMillicores?: number;
  /** mean CPU utilisation of one replica, % of its request */
  replicaUtilization?: number;
  serviceRps?: number;
  /** the service's own mean server latency (scraped duration histogram: sum / count) */
  serviceMeanMs?: number;
  rps?: number;
  p95Ms?: number;
}

const REQUEST_COUNTER = 'http_server_request_duration_seconds_count';
const REQUEST_SECONDS = 'http_server_request_duration_seconds_sum';

export function capacityEvidence(input: {
  service: string;
  scaleOutAt: number;
  /** when utilisation rose above target: the "before" window starts one sync period earlier */
  loadRoseAt?: number;
  timeline: readonly TimelineEvent[];
  samples: readonly MetricSample[];
  requests: readonly RequestRecord[];
  syncPeriodMs: number;
}): CapacityEvidence {
  const { service, scaleOutAt, syncPeriodMs } = input;
  // the added replicas are ready at the first `replica` ready event after the decision, or (a
  // cluster's Deployment) when the ready count rises above what it was when the scale-out began
  const changes = input.timeline.filter((e) => e.t >= scaleOutAt && (e.type === 'replica' || e.type === 'replicas') && e.service === service);
  const scaled = changes.find((e) => e.type === 'replicas');
  const readyBefore = scaled?.type === 'replicas' ? scaled.ready : Infinity;
  const readyAt =
    changes.find((e) => (e.type === 'replica' && e.state === 'ready') || (e.type === 'replicas' && e.ready > readyBefore))?.t ?? scaleOutAt + 2 * syncPeriodMs;
  const width = Math.max(3 * syncPeriodMs, 5000);
  const lastT = Math.max(...input.samples.map((s) => s.t), ...input.requests.map((r) => r.t), readyAt);
  // before: from the interval in which load rose (not earlier: idle time would flatter "after")
  const beforeFrom = input.loadRoseAt !== undefined ? Math.max(scaleOutAt - width, Math.min(input.loadRoseAt, scaleOutAt) - syncPeriodMs) : scaleOutAt - width;
  const before = stats(input, Math.max(beforeFrom, 0), scaleOutAt);
  const afterFrom = readyAt + syncPeriodMs;
  const after = stats(input, afterFrom, Math.min(afterFrom + width, lastT));
  const evidence: string[] = [`new replicas ready ${((readyAt - scaleOutAt) / 1000).toFixed(1)}s after the decision`];
  const compare = (label: string, a: number | undefined, b: number | undefined, unit: string, better: (a: number, b: number) => boolean) => {
    if (a === undefined || b === undefined) return undefined;
    const ok = better(a, b);
    evidence.push(`${label}: ${fmt(a)}${unit} before → ${fmt(b)}${unit} after (${ok ? 'better' : 'not better'})`);
    return ok;
  };
  const cpuUp = compare(`${service} CPU`, before.cpuMillicores, after.cpuMillicores, 'm', (a, b) => b >= a * 1.1);
  const serviceRpsUp = compare(`${service} throughput`, before.serviceRps, after.serviceRps, ' req/s', (a, b) => b >= a * 1.05);
  const rpsUp = compare('load throughput', before.rps, after.rps, ' req/s', (a, b) => b >= a * 1.05);
  const latencyRecovered = compare('load p95 latency', before.p95Ms, after.p95Ms, ' ms', (a, b) => b <= a * 0.9);
  const work = serviceRpsUp ?? rpsUp;
  const headroom = headroomAdded(service, before, after, evidence);
  // as the issue defines it: throughput rose or latency recovered; CPU is the supporting evidence
  let grew: boolean | undefined;
  if (work !== undefined || latencyRecovered !== undefined) grew = work === true || latencyRecovered === true || headroom;
  else if (cpuUp !== undefined) grew = cpuUp || headroom;
  if (grew && cpuUp === false) evidence.push(`${service} CPU did not rise: the gain came from more concurrent replicas, not from more cores`);
  const spareBefore = before.replicaUtilization !== undefined && before.replicaUtilization < 100;
  if (grew === false && spareBefore) {
    evidence.push(`${service} had spare CPU before the scale-out (${fmt(before.replicaUtilization!)}% of request per replica): scaled at the target, ahead of saturation, so this load cannot show capacity growing`);
  }
  const figure =
    before.cpuMillicores !== undefined && after.cpuMillicores !== undefined
      ? `CPU ${fmt(before.cpuMillicores)}m → ${fmt(after.cpuMillicores)}m`
      : before.rps !== undefined && after.rps !== undefined
        ? `${fmt(before.rps)} → ${fmt(after.rps)} req/s`
        : 'no data';
  return { ...(grew !== undefined ? { grew } : {}), ...(before.replicaUtilization !== undefined ? { spareBefore } : {}), figure, evidence, before, after };
}

/** More CPU for the service, each replica less busy (by a fifth or more), and latency no worse. */
function headroomAdded(service: string, before: WindowStats, after: WindowStats, evidence: string[]): boolean {
  const { replicaUtilization: a, cpuMillicores: cpuA } = before;
  const { replicaUtilization: b, cpuMillicores: cpuB } = after;
  if (a === undefined || b === undefined || cpuA === undefined || cpuB === undefined) return false;
  // the service's own latency when it was scraped (the load's p95 mixes in every other service), within a tenth
  const own = before.serviceMeanMs !== undefined && after.serviceMeanMs !== undefined;
  const latencyHeld = own
    ? after.serviceMeanMs! <= before.serviceMeanMs! * 1.1
    : before.p95Ms === undefined || after.p95Ms === undefined || after.p95Ms <= before.p95Ms;
  const latency = own ? `, its mean latency ${fmt(before.serviceMeanMs!)} → ${fmt(after.serviceMeanMs!)} ms` : '';
  const ok = b <= a * 0.8 && cpuB >= cpuA * 1.1 && latencyHeld;
  evidence.push(`${service} CPU per replica: ${fmt(a)}% of request before → ${fmt(b)}% after, total ${fmt(cpuA)}m → ${fmt(cpuB)}m${latency}${latencyHeld ? '' : ', latency worse'} (${ok ? 'headroom added' : 'no headroom added'})`);
  return ok;
}

function stats(input: { service: string; samples: readonly MetricSample[]; requests: readonly RequestRecord[] }, from: number, to: number): WindowStats {
  const out: WindowStats = { from, to };
  if (to <= from) return out;
  // CPU: mean over sync instants of the summed usage of the service's replicas
  const perInstant = new Map<number, number>();
  let utilizationSum = 0;
  let utilizationCount = 0;
  const counters = new Map<string, { first: number; last: number }>();
  const seconds = new Map<string, { first: number; last: number }>();
  for (const s of input.samples) {
    if (s.t < from || s.t > to) continue;
    if (s.source === 'cpu' && s.service === input.service && Number.isFinite(s.utilization)) {
      perInstant.set(s.t, (perInstant.get(s.t) ?? 0) + (s.utilization / 100) * s.requestMillicores);
      utilizationSum += s.utilization;
      utilizationCount++;
    } else if (s.source === 'scrape' && s.service === input.service && (s.name === REQUEST_COUNTER || s.name === REQUEST_SECONDS)) {
      const series = s.name === REQUEST_COUNTER ? counters : seconds;
      const key = `${s.replica}|${JSON.stringify(s.labels)}`;
      const c = series.get(key);
      if (c) c.last = s.value;
      else series.set(key, { first: s.value, last: s.value });
    }
  }
  if (perInstant.size) out.cpuMillicores = [...perInstant.values()].reduce((a, b) => a + b, 0) / perInstant.size;
  if (utilizationCount) out.replicaUtilization = utilizationSum / utilizationCount;
  const increase = (series: Map<string, { first: number; last: number }>) => [...series.values()].reduce((a, c) => a + Math.max(0, c.last - c.first), 0);
  const served = increase(counters);
  if (counters.size) out.serviceRps = (served * 1000) / (to - from);
  if (seconds.size && served > 0) out.serviceMeanMs = (increase(seconds) * 1000) / served;
  const reqs = input.requests.filter((r) => r.t >= from && r.t < to);
  if (reqs.length) {
    out.rps = (reqs.filter((r) => !r.failed).length * 1000) / (to - from);
    const durations = reqs.map((r) => r.duration).sort((a, b) => a - b);
    out.p95Ms = durations[Math.min(durations.length - 1, Math.ceil(durations.length * 0.95) - 1)];
  }
  return out;
}

function fmt(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n.toFixed(1);
}
