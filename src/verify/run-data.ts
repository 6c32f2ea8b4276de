import { runSpan, namedIntervals, type Interval } from '../run/timeline.js';
import type { RunDirectory } from '../run/run-dir.js';
import type { MetricSample, RequestRecord, SpanRecord, TimelineEvent } from '../run/records.js';

/** What the checks read from a run directory, parsed once per run (six checks, one read). */
export interface RunData {
  timeline: TimelineEvent[];
  /** sorted by start time */
  requests: RequestRecord[];
  span: Interval;
  /** phases by name, and `outage` */
  intervals: Map<string, Interval[]>;
}

const cache = new WeakMap<RunDirectory, RunData>();

export function readRunData(run: RunDirectory): RunData {
  let data = cache.get(run);
  if (!data) {
    const timeline = run.timeline();
    const requests = run.readLines<RequestRecord>('requests').sort((a, b) => a.t - b.t);
    const span = runSpan(timeline, requests);
    data = { timeline, requests, span, intervals: namedIntervals(timeline, span.end) };
    cache.set(run, data);
  }
  return data;
}

/** Spans are large and only the tracing check and the HTML report need them: read on demand. */
export function readSpans(run: RunDirectory): SpanRecord[] {
  return run.readLines<SpanRecord>('traces');
}

export function readMetrics(run: RunDirectory): MetricSample[] {
  return run.readLines<MetricSample>('metrics');
}

/** `checkout`, `api/*`, `*` — a k6 name tag pattern where `*` matches anything. */
export function nameMatcher(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (name) => name === pattern;
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return (name) => re.test(name);
}
