import type { RequestRecord, TimelineEvent } from '../run/records.js';

/** A half-open time interval [start, end) in epoch ms. */
export interface Interval {
  start: number;
  end: number;
}

/** The name of the union of every fault's on/off interval. */
export const OUTAGE = 'outage';

/**
 * Named intervals of a run, read from its timeline: each `phase` start/end pair under its name,
 * and `outage` as the union of all `fault` on/off intervals. A phase or fault still open at the
 * end of the timeline runs until `runEnd`.
 */
export function namedIntervals(timeline: readonly TimelineEvent[], runEnd: number): Map<string, Interval[]> {
  const out = new Map<string, Interval[]>();
  const open = new Map<string, number>();
  const faults: Interval[] = [];
  const openFaults = new Map<string, number>();
  for (const e of timeline) {
    if (e.type === 'phase') {
      if (e.state === 'start') open.set(e.phase, e.t);
      else if (open.has(e.phase)) {
        push(out, e.phase, { start: open.get(e.phase)!, end: e.t });
        open.delete(e.phase);
      }
    } else if (e.type === 'fault') {
      const key = `${e.proxy}\u0000${e.kind}\u0000${e.toxic?.name ?? ''}`;
      if (e.state === 'on') {
        if (!openFaults.has(key)) openFaults.set(key, e.t);
      } else if (openFaults.has(key)) {
        faults.push({ start: openFaults.get(key)!, end: e.t });
        openFaults.delete(key);
      }
    }
  }
  for (const [phase, start] of open) push(out, phase, { start, end: Math.max(start, runEnd) });
  for (const start of openFaults.values()) faults.push({ start, end: Math.max(start, runEnd) });
  if (faults.length) out.set(OUTAGE, union(faults));
  return out;
}

/** The fault intervals alone (merged), for charts and the isolation check. */
export function outageIntervals(timeline: readonly TimelineEvent[], runEnd: number): Interval[] {
  return namedIntervals(timeline, runEnd).get(OUTAGE) ?? [];
}

/** Start and end of a run: its run events if present, else the span of its records. */
export function runSpan(timeline: readonly TimelineEvent[], requests: readonly RequestRecord[]): Interval {
  const starts = timeline.filter((e) => e.type === 'run' && e.state === 'start').map((e) => e.t);
  const ends = timeline.filter((e) => e.type === 'run' && e.state === 'end').map((e) => e.t);
  let lo = Infinity;
  let hi = -Infinity;
  for (const e of timeline) {
    lo = Math.min(lo, e.t);
    hi = Math.max(hi, e.t);
  }
  for (const r of requests) {
    lo = Math.min(lo, r.t);
    hi = Math.max(hi, r.t + r.duration);
  }
  const start = starts.length ? Math.min(...starts) : lo;
  const end = ends.length ? Math.max(...ends) : hi;
  if (!Number.isFinite(start) || !Number.isFinite(end)) return { start: 0, end: 0 };
  return { start, end: Math.max(start, end) };
}

/**
 * The requests of a named phase: those that started inside one of its intervals; when the timeline
 * has no such phase, the requests of the load scenario of that name. `undefined` when neither exists.
 */
export function requestsDuring(
  name: string,
  requests: readonly RequestRecord[],
  intervals: Map<string, Interval[]>,
): { requests: RequestRecord[]; intervals: Interval[]; source: 'phase' | 'scenario' } | undefined {
  const windows = intervals.get(name);
  if (windows?.length) return { requests: requests.filter((r) => inAny(r.t, windows)), intervals: windows, source: 'phase' };
  const ofScenario = requests.filter((r) => r.scenario === name);
  if (!ofScenario.length) return undefined;
  return { requests: ofScenario, intervals: [{ start: ofScenario[0]!.t, end: ofScenario.at(-1)!.t + 1 }], source: 'scenario' };
}

/**
 * When each replica started during the run was starting: from its 'started' to its next timeline
 * event ('ready', or 'stopped'/'crashed' if it never got ready); one still starting at the end of
 * the timeline runs until `runEnd`.
 */
export function replicaStarts(timeline: readonly TimelineEvent[], runEnd: number): Interval[] {
  const open = new Map<string, number>();
  const out: Interval[] = [];
  for (const e of timeline) {
    if (e.type !== 'replica') continue;
    if (e.state === 'started') open.set(e.replica, e.t);
    else if (open.has(e.replica)) {
      out.push({ start: open.get(e.replica)!, end: e.t });
      open.delete(e.replica);
    }
  }
  for (const start of open.values()) out.push({ start, end: runEnd });
  return out;
}

export function inAny(t: number, intervals: readonly Interval[]): boolean {
  return intervals.some((i) => t >= i.start && t < i.end);
}

export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

function push(map: Map<string, Interval[]>, key: string, value: Interval): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
