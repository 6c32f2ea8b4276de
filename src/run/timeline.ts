import type { RequestRecord, TimelineEvent } from './records.js';

/**
 * The run's time logic, read from its timeline: phases, fault windows, replica start-ups, the run's
 * span. Every reader (budgets, checks, trace rules, reports, the drill's live status) asks here, so
 * they all agree on when a fault was on. Pure functions over plain event arrays, in file order.
 */

/** A half-open time interval [start, end) in epoch ms. */
export interface Interval {
  start: number;
  end: number;
}

type FaultEvent = Extract<TimelineEvent, { type: 'fault' }>;

/** One fault, from its `on` event to its matching `off` (or the run's end). */
export interface FaultWindow extends Interval {
  proxy: string;
  /** the experiment that switched it on */
  experiment: string;
  kind: FaultEvent['kind'];
  /** the toxic as it was switched on (absent for a disabled proxy) */
  toxic?: { name: string; type: string };
}

/** The name of the union of every fault window among the named intervals. */
export const OUTAGE = 'outage';

/**
 * The one pairing rule. An opening event opens a window under its key unless one is already open
 * there (a repeated `on`: an updated toxic is announced again, and stays the same fault); a closing
 * event closes the open window of its key and is ignored when none is; a window still open at the
 * end of the timeline closes at `runEnd` (the run ended or was interrupted with it on).
 */
function pairWindows<E extends TimelineEvent>(
  events: readonly TimelineEvent[],
  mine: (e: TimelineEvent) => e is E,
  rule: { key: (e: E) => string; opens: (e: E) => boolean },
  runEnd: number,
): Array<{ opening: E } & Interval> {
  const open = new Map<string, E>();
  const out: Array<{ opening: E } & Interval> = [];
  for (const e of events) {
    if (!mine(e)) continue;
    const key = rule.key(e);
    const opening = open.get(key);
    if (rule.opens(e)) {
      if (!opening) open.set(key, e);
    } else if (opening) {
      out.push({ opening, start: opening.t, end: e.t });
      open.delete(key);
    }
  }
  for (const opening of open.values()) out.push({ opening, start: opening.t, end: Math.max(opening.t, runEnd) });
  return out.sort((a, b) => a.start - b.start);
}

/**
 * What a fault event is about. A proxy holds at most one toxic of a name (Toxiproxy refuses a
 * second: "toxic already exists") and is disabled or not, whichever experiment asked: so a fault is
 * its proxy and toxic name, or its proxy alone when disabled. Not the experiment: when two disable
 * the same proxy, the first enable really brings it back.
 */
function faultKey(e: FaultEvent): string {
  return e.kind === 'disable' ? `${e.proxy}\u0000disabled` : `${e.proxy}\u0000toxic\u0000${e.toxic?.name ?? ''}`;
}

const isFault = (e: TimelineEvent): e is FaultEvent => e.type === 'fault';

/** What a fault did, in a word: `down` for a disabled proxy, else its toxic's type (`latency`, `timeout`, ...). */
export function faultWhat(fault: Pick<FaultWindow, 'kind' | 'toxic'>): string {
  return fault.kind === 'disable' ? 'down' : (fault.toxic?.type ?? 'toxic');
}

/** Every fault's window, by start; one never switched off lasts until `runEnd`. */
export function faultWindows(timeline: readonly TimelineEvent[], runEnd: number): FaultWindow[] {
  return pairWindows(timeline, isFault, { key: faultKey, opens: (e) => e.state === 'on' }, runEnd).map(({ opening, start, end }) => ({
    start,
    end,
    proxy: opening.proxy,
    experiment: opening.experiment,
    kind: opening.kind,
    ...(opening.toxic ? { toxic: { name: opening.toxic.name, type: opening.toxic.type } } : {}),
  }));
}

/** The faults on at instant `at` of a run still going (a fault not yet switched off is on). */
export function activeFaults(timeline: readonly TimelineEvent[], at: number): FaultWindow[] {
  return faultWindows(timeline, Number.POSITIVE_INFINITY).filter((w) => w.start <= at && at < w.end);
}

/** The fault windows merged: when any fault was on, for charts and the isolation check. */
export function outageIntervals(timeline: readonly TimelineEvent[], runEnd: number): Interval[] {
  return union(faultWindows(timeline, runEnd));
}

/** Each phase's start/end pairs under its name; a phase still running at the end lasts until `runEnd`. */
export function phaseIntervals(timeline: readonly TimelineEvent[], runEnd: number): Map<string, Interval[]> {
  const isPhase = (e: TimelineEvent): e is Extract<TimelineEvent, { type: 'phase' }> => e.type === 'phase';
  const out = new Map<string, Interval[]>();
  for (const { opening, start, end } of pairWindows(timeline, isPhase, { key: (e) => e.phase, opens: (e) => e.state === 'start' }, runEnd)) {
    const list = out.get(opening.phase);
    if (list) list.push({ start, end });
    else out.set(opening.phase, [{ start, end }]);
  }
  return out;
}

/** The phases under way at instant `at` of a run (a phase not yet ended is under way). */
export function activePhases(timeline: readonly TimelineEvent[], at: number): string[] {
  const out: string[] = [];
  for (const [name, intervals] of phaseIntervals(timeline, Number.POSITIVE_INFINITY)) if (inAny(at, intervals)) out.push(name);
  return out;
}

/** Why and where a run stopped before its end; nothing measured after `t` is judged. */
export interface Interruption {
  t: number;
  /** 'SIGINT', 'SIGTERM', 'SIGHUP', 'error', or 'killed' when the run recorded no end at all */
  cause: string;
  /** what the run was doing ('load', ...); 'unknown' for a run killed without a word */
  step: string;
  phases: string[];
  loadElapsedMs?: number;
  detail?: string;
}

/**
 * The run's interruption: its `interrupted` event; or, for a drill whose timeline has a start
 * and no end (SIGKILLed, a power cut, or still running), one at the last moment it recorded.
 * Undefined for a run that ended.
 */
export function interruptionOf(timeline: readonly TimelineEvent[], lastRecorded: number, drill: boolean): Interruption | undefined {
  const event = timeline.find((e): e is Extract<TimelineEvent, { type: 'interrupted' }> => e.type === 'interrupted');
  if (event) {
    const { t, cause, step, phases, loadElapsedMs, detail } = event;
    return { t, cause, step, phases: phases ?? [], ...(loadElapsedMs !== undefined ? { loadElapsedMs } : {}), ...(detail ? { detail } : {}) };
  }
  const started = timeline.some((e) => e.type === 'run' && e.state === 'start');
  const ended = timeline.some((e) => e.type === 'run' && e.state === 'end');
  if (!drill || !started || ended) return undefined;
  const t = Math.max(lastRecorded, ...timeline.map((e) => e.t));
  return { t, cause: 'killed', step: 'unknown', phases: activePhases(timeline, t), detail: 'the run recorded no end: it was killed (SIGKILL, a crash) or is still running' };
}

/** One line: `SIGINT during the load (phase surge, 01:12 into it)`. */
export function describeInterruption(i: Interruption): string {
  const cause = i.cause === 'error' ? 'an error' : i.cause === 'killed' ? 'the run being killed' : i.cause;
  const where = i.step === 'unknown' ? '' : ` ${i.step === 'load' ? 'during the load' : `while ${i.step}`}`;
  const phase = i.phases.length ? `phase ${i.phases.join(', ')}` : '';
  const into = i.loadElapsedMs !== undefined ? `${Math.round(i.loadElapsedMs / 1000)} s into it` : '';
  const context = [phase, into].filter(Boolean).join(', ');
  return `stopped by ${cause}${where}${context ? ` (${context})` : ''} at ${new Date(i.t).toISOString()}${i.detail ? `: ${i.detail}` : ''}`;
}

/** The named intervals budgets and checks refer to: every phase by name, and `outage`. */
export function namedIntervals(timeline: readonly TimelineEvent[], runEnd: number): Map<string, Interval[]> {
  const out = phaseIntervals(timeline, runEnd);
  const outage = outageIntervals(timeline, runEnd);
  if (outage.length) out.set(OUTAGE, outage);
  return out;
}

/**
 * When each replica started during the run was starting: from its 'started' to its next event
 * ('ready', or 'stopped'/'crashed' if it never got ready); one still starting lasts until `runEnd`.
 */
export function replicaStarts(timeline: readonly TimelineEvent[], runEnd: number): Interval[] {
  const isReplica = (e: TimelineEvent): e is Extract<TimelineEvent, { type: 'replica' }> => e.type === 'replica';
  return pairWindows(timeline, isReplica, { key: (e) => e.replica, opens: (e) => e.state === 'started' }, runEnd).map(({ start, end }) => ({ start, end }));
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

export function inAny(t: number, intervals: readonly Interval[]): boolean {
  return intervals.some((i) => t >= i.start && t < i.end);
}

/** Overlapping or touching intervals merged, by start. */
export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/** Kubernetes objects the run created (`k8s-object` events) and did not delete, in creation order. */
export function kubernetesLeftovers(timeline: readonly TimelineEvent[]): Array<{ kind: string; name: string; namespace: string }> {
  const left = new Map<string, { kind: string; name: string; namespace: string }>();
  for (const e of timeline) {
    if (e.type !== 'k8s-object') continue;
    const key = `${e.server} ${e.kind} ${e.namespace}/${e.name}`;
    if (e.action === 'created') left.set(key, { kind: e.kind, name: e.name, namespace: e.namespace });
    else if (e.action === 'deleted') left.delete(key);
  }
  return [...left.values()];
}
