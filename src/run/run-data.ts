import { interruptionOf, runSpan, namedIntervals, type Interruption, type Interval } from './timeline.js';
import type { RunDirectory, RunFile } from './run-dir.js';
import type { CleanupSnapshot, IntegritySnapshot, MetricSample, ReadBackSnapshot, RequestRecord, SpanRecord, SqlChecksSnapshot, TimelineEvent } from './records.js';

/** What the drill records in config.json that a check or a report reads back. */
export interface RunConfig {
  /** the drill's time compression, and its autoscaler's compressed Kubernetes periods */
  timeScale?: number;
  syncPeriodMs?: number;
  scaleDownStabilizationMs?: number;
  capacityShowable?: { supported: boolean; reason: string };
  [key: string]: unknown;
}

/** What a run recorded, as it was written: the records of `src/run/records.ts`, in memory. */
export interface RunRecords {
  timeline: TimelineEvent[];
  /** undefined: the run wrote no requests.ndjson at all */
  requests?: RequestRecord[];
  /** undefined: no traces.ndjson (no OTLP receiver, or traces were sent elsewhere) */
  spans?: SpanRecord[];
  metrics?: MetricSample[];
  config?: RunConfig;
  /** the k6-shaped end-of-test summary (summary.json) */
  summary?: unknown;
  integrity?: IntegritySnapshot;
  /** the read-back contract's evidence (readback.json) */
  readback?: ReadBackSnapshot;
  /** the SQL invariants' evidence (sql-checks.json) */
  sqlChecks?: SqlChecksSnapshot;
  cleanup?: CleanupSnapshot;
  /**
   * Files that exist but could not be parsed, with the error: the check that needs one fails
   * naming it, while the others still judge the rest of the run.
   */
  unreadable?: Partial<Record<RunFile, string>>;
}

/** Everything the checks and the reports read: the records, and the run's time windows derived once. */
export interface RunData extends Omit<RunRecords, 'requests'> {
  /** sorted by start time (empty when none were recorded) */
  requests: RequestRecord[];
  /** whether requests.ndjson was written at all */
  requestsRecorded: boolean;
  span: Interval;
  /** phases by name, and `outage` */
  intervals: Map<string, Interval[]>;
  /**
   * The run stopped before its end (a signal, an error, or a drill that recorded no end): the
   * records above hold only what was measured up to then, and the verdict is INTERRUPTED.
   */
  interrupted?: Interruption;
}

/**
 * Derives the run's windows from its records: pure, so tests build a run in memory. An
 * interrupted run keeps only what was measured up to its interruption: the requests that had
 * ended, the samples and events until then (what went wrong while the stack was torn down after a
 * Ctrl-C is not the system's doing). Evidence files (integrity, read-back, clean-up) stay: each
 * is only written when its step ran.
 */
export function runDataOf(records: RunRecords): RunData {
  let lastRecorded = 0;
  for (const r of records.requests ?? []) lastRecorded = Math.max(lastRecorded, r.t + r.duration);
  for (const m of records.metrics ?? []) lastRecorded = Math.max(lastRecorded, m.t);
  const interrupted = interruptionOf(records.timeline, lastRecorded, records.config?.command === 'drill');
  const kept = interrupted ? measuredUntil(records, interrupted.t) : records;
  const requests = [...(kept.requests ?? [])].sort((a, b) => a.t - b.t);
  // in time order, equal times in file order: evidence read after the load (scaling from
  // Prometheus) is appended behind the events it happened between
  const timeline = [...kept.timeline].sort((a, b) => a.t - b.t);
  const span = runSpan(timeline, requests);
  const data: RunData = { ...kept, timeline, requests, requestsRecorded: records.requests !== undefined, span, intervals: namedIntervals(timeline, span.end) };
  if (interrupted) data.interrupted = interrupted;
  return data;
}

function measuredUntil(records: RunRecords, end: number): RunRecords {
  return {
    ...records,
    timeline: records.timeline.filter((e) => e.t <= end),
    ...(records.requests ? { requests: records.requests.filter((r) => r.t + r.duration <= end) } : {}),
    ...(records.metrics ? { metrics: records.metrics.filter((m) => m.t <= end) } : {}),
  };
}

/**
 * The one place a run directory is read: every record file once, before anything is judged or
 * rendered. A torn NDJSON line is skipped (RunDirectory.readLines); a JSON file a check depends on
 * that does not parse is kept as `unreadable`, so only that check fails.
 */
export function readRunData(run: RunDirectory): RunData {
  const unreadable: Partial<Record<RunFile, string>> = {};
  const snapshot = <T>(file: 'integrity' | 'readback' | 'sqlChecks' | 'cleanup'): T | undefined => {
    try {
      return run.readJson<T>(file);
    } catch (error) {
      unreadable[file] = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  };
  const records: RunRecords = {
    timeline: run.timeline(),
    ...(run.has('requests') ? { requests: run.readLines<RequestRecord>('requests') } : {}),
    ...(run.has('traces') ? { spans: run.readLines<SpanRecord>('traces') } : {}),
    metrics: run.readLines<MetricSample>('metrics'),
    config: run.readJson<RunConfig>('config'),
    summary: run.readJson('summary'),
    integrity: snapshot<IntegritySnapshot>('integrity'),
    readback: snapshot<ReadBackSnapshot>('readback'),
    sqlChecks: snapshot<SqlChecksSnapshot>('sqlChecks'),
    cleanup: snapshot<CleanupSnapshot>('cleanup'),
    unreadable,
  };
  return runDataOf(records);
}

/** Throws what the loader could not parse in `file`, so the judge fails that check naming the error. */
export function assertReadable(data: Pick<RunData, 'unreadable'>, file: RunFile): void {
  const error = data.unreadable?.[file];
  if (error !== undefined) throw new Error(error);
}

/** `checkout`, `api/*`, `*` — a k6 name tag pattern where `*` matches anything. */
export function nameMatcher(pattern: string): (name: string) => boolean {
  if (!pattern.includes('*')) return (name) => name === pattern;
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return (name) => re.test(name);
}
