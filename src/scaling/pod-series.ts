import { ConfigError, didYouMean, type ConfigIssue } from '../errors.js';
import { durationMs, notADuration } from '../util/duration.js';
import { isPerPodMetric, type HpaSpec, type MetricTarget } from './hpa-spec.js';
import { parseTime, type Row } from './metric-rows.js';
import type { PodPhase } from './pod-groups.js';
import { parseQuantityMilli } from './quantity.js';

/**
 * The per-pod ("long") form of a metric file for `peakready scale simulate`: one row per pod,
 * metric and time, as a cluster's Prometheus gives it (`peakready scale import` writes it).
 *
 *   time      seconds from the start ("90", "-60"), a duration ("1m30s") or an ISO timestamp
 *   pod       the pod's name; for an Object/External metric a series label (External series at
 *             one time are summed, as the controller does), may be empty
 *   metric    a metric of the HPA (its spec.metrics name: "cpu"); "recommendation": the
 *             controller's memory before the replay (value = replicas, time ≤ the first sample);
 *             empty: the row only lists the pod (for an HPA on Object/External metrics alone)
 *   value     usage as a quantity ("150m", "0.15" cores), or "75%" of the pod's request for a
 *             Utilization metric; empty = the pod has no metric at this time
 *   ready     the pod's Ready condition: true/false (default true, false when Pending)
 *   phase     Running (default), Pending, Succeeded, Failed, Unknown, or Terminating (being deleted)
 *   start     the pod's start time, the same kind of time as `time` (default: long before the file)
 *   request   the pod's request for this metric ("200m"; default: the Deployment's, or --cpu-request)
 *   window    how long the value was measured over, ending at `time` (default --metric-window)
 *
 * Each time is a snapshot: the pods listed at that time are the workload's pods until the next.
 */

export const POD_SERIES_COLUMNS = ['time', 'pod', 'metric', 'value', 'ready', 'phase', 'start', 'request', 'window'] as const;
export const RECOMMENDATION_METRIC = 'recommendation';
const PHASES: ReadonlyArray<PodPhase | 'Terminating'> = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown', 'Terminating'];

export interface PodState {
  name: string;
  phase: PodPhase;
  deleting: boolean;
  ready: boolean;
  /** when the Ready condition last took its value, ms from the first sample */
  readySince: number;
  /** ms from the first sample; -Infinity when the file does not say (started long before) */
  startTime: number;
  /** by metric name: usage in milli-units (undefined: no metric), request, measuring window */
  metrics: Record<string, { usage?: number; request?: number; windowMs: number }>;
}

export interface PodSnapshot {
  /** ms from the first sample */
  t: number;
  pods: PodState[];
  /** Object/External metrics by name (External: the sum of its series) */
  values: Record<string, number>;
}

export interface PodSeries {
  file: string;
  snapshots: PodSnapshot[];
  /** recommendations the controller remembers when the replay starts, ms from the first sample */
  recommendations: Array<{ t: number; replicas: number }>;
}

export interface PodSeriesOptions {
  /** by metric name: a pod's request when its row gives none (the Deployment's CPU request, --cpu-request) */
  requestMilli: Readonly<Record<string, number>>;
  /** a value's window when its row gives none */
  metricWindowMs: number;
}

/** A per-pod file has a `metric` column (the wide form has a column per metric instead). */
export function isPodSeriesRows(rows: readonly Row[]): boolean {
  return rows.length > 0 && 'metric' in rows[0]!.cells;
}

interface Time {
  ms: number;
  absolute: boolean;
}

/** What one snapshot collects while the rows are read. */
interface Draft {
  pods: Map<string, { state: Omit<PodState, 'readySince'>; line: string }>;
  values: Map<string, { value: number; line: string }>;
}

/** The state of one read through the rows. */
interface Reading {
  file: string;
  hpa: HpaSpec;
  options: PodSeriesOptions;
  metrics: ReadonlyMap<string, MetricTarget>;
  issues: ConfigIssue[];
  drafts: Map<number, Draft>;
  recommendations: Array<{ t: number; replicas: number; at: Row }>;
  /** true: the file's times are ISO timestamps; false: relative; undefined until the first row */
  absolute?: boolean;
}

/** Every problem of every row at once (file:line row.field), then the snapshots in time order. */
export function parsePodSeries(rows: readonly Row[], file: string, hpa: HpaSpec, options: PodSeriesOptions): PodSeries {
  const reading: Reading = { file, hpa, options, metrics: new Map(hpa.metrics.map((m) => [m.name, m])), issues: [], drafts: new Map(), recommendations: [] };
  for (const row of rows) readRow(row, reading);
  const { issues, drafts, recommendations } = reading;
  if (drafts.size === 0 && issues.length === 0) issues.push({ file, message: `no samples (expected a header row "${POD_SERIES_COLUMNS.join(',')}" and a row per pod and time)` });
  if (issues.length) throw new ConfigError(issues);
  const times = [...drafts.keys()].sort((a, b) => a - b);
  const origin = times[0]!;
  for (const r of recommendations) {
    if (r.t > origin) {
      issues.push({ file, ...(r.at.line !== undefined ? { line: r.at.line } : {}), field: `${r.at.field}.time`, message: 'a recommendation row gives the memory the replay starts with: its time must not be after the first sample' });
    }
  }
  if (issues.length) throw new ConfigError(issues);
  // a pod without a row for a per-pod metric has no metric for it; its request is the default one
  const defaults = Object.fromEntries(
    hpa.metrics.filter(isPerPodMetric).map((m) => [m.name, { ...(options.requestMilli[m.name] !== undefined ? { request: options.requestMilli[m.name] } : {}), windowMs: options.metricWindowMs }]),
  );
  return { file, snapshots: snapshots(times, drafts, origin, defaults), recommendations: recommendations.map((r) => ({ t: r.t - origin, replicas: r.replicas })).sort((a, b) => a.t - b.t) };
}

type Fail = (column: string, message: string) => void;
type Cell = (column: string) => string;

function readRow(row: Row, reading: Reading): void {
  const { file, hpa, metrics } = reading;
  const fail: Fail = (column, message) => void reading.issues.push({ file, ...(row.line !== undefined ? { line: row.line } : {}), field: `${row.field}.${column}`, message });
  const cell: Cell = (column) => {
    const v = row.cells[column];
    return v === undefined || v === null ? '' : String(v).trim();
  };
  for (const column of Object.keys(row.cells)) {
    if (!(POD_SERIES_COLUMNS as readonly string[]).includes(column)) {
      const hint = didYouMean(column, POD_SERIES_COLUMNS);
      fail(column, `unknown column${hint ? `; did you mean "${hint}"?` : ''} (per-pod columns: ${POD_SERIES_COLUMNS.join(', ')})`);
    }
  }
  const time = readTime(row.cells.time);
  if (!time) return fail('time', 'needs a time: seconds from the start ("90"), a duration ("1m30s") or an ISO timestamp');
  const absolute = (reading.absolute ??= time.absolute);
  if (time.absolute !== absolute) {
    return fail('time', `mixes ${time.absolute ? 'an ISO timestamp' : 'a relative time'} with the file's ${absolute ? 'ISO timestamps' : 'relative times'}; use one kind`);
  }
  const metricName = cell('metric');
  if (metricName === RECOMMENDATION_METRIC) {
    const replicas = Number(cell('value'));
    if (!cell('value') || !Number.isInteger(replicas) || replicas < 0) return fail('value', `"${cell('value')}" is not a replica count (a recommendation row gives one)`);
    reading.recommendations.push({ t: time.ms, replicas, at: row });
    return;
  }
  const metric = metrics.get(metricName);
  if (!metric && (metricName !== '' || !cell('pod'))) {
    const known = [...metrics.keys(), RECOMMENDATION_METRIC];
    const hint = didYouMean(metricName, known);
    return fail('metric', `${metricName ? `"${metricName}" is not a metric of HPA ${hpa.name}` : 'needs a metric'}${hint ? `; did you mean "${hint}"?` : ''} (metrics: ${known.join(', ')})`);
  }
  const draft = reading.drafts.get(time.ms) ?? { pods: new Map(), values: new Map() };
  reading.drafts.set(time.ms, draft);
  const where = row.line !== undefined ? `line ${row.line}` : row.field;
  if (metric && !isPerPodMetric(metric)) return readValueRow(metric, cell, fail, draft, where);
  const pod = cell('pod');
  if (!pod) return fail('pod', `needs the pod's name (${metric!.name} is measured per pod)`);
  const state = readPodState(cell, fail, absolute);
  if (!state) return;
  // a row with an empty metric only lists the pod
  if (!metric) return void addPod(draft, pod, state, where, fail);
  const measured = readMeasurement(metric, cell, fail, reading.options);
  if (!measured) return;
  const known = addPod(draft, pod, state, where, fail);
  if (known.metrics[metric.name]) return fail('metric', `pod ${pod} already has a ${metric.name} row at this time`);
  known.metrics[metric.name] = measured;
}

/** value, request and window of a per-pod row; undefined when one of them is wrong. */
function readMeasurement(metric: MetricTarget, cell: Cell, fail: Fail, options: PodSeriesOptions): PodState['metrics'][string] | undefined {
  const requestText = cell('request');
  const request = requestText ? parseQuantityMilli(requestText) : options.requestMilli[metric.name];
  if (requestText && (request === undefined || request <= 0)) {
    fail('request', `"${requestText}" is not a quantity; write it like "200m" or "0.5"`);
    return undefined;
  }
  const windowMs = cell('window') ? durationMs(cell('window')) : options.metricWindowMs;
  if (windowMs === undefined) {
    fail('window', notADuration(cell('window')));
    return undefined;
  }
  const usage = readUsage(metric, cell('value'), request, fail);
  if (usage === false) return undefined;
  return { ...(usage !== undefined ? { usage } : {}), ...(request !== undefined ? { request } : {}), windowMs };
}

type PodFields = Pick<PodState, 'phase' | 'deleting' | 'ready' | 'startTime'>;
const FIELD_COLUMN: Record<keyof PodFields, string> = { phase: 'phase', deleting: 'phase', ready: 'ready', startTime: 'start' };

/** The pod's state at this time, from its first row; a later row of the same time must agree. */
function addPod(draft: Draft, pod: string, state: PodFields, where: string, fail: Fail): Omit<PodState, 'readySince'> {
  const known = draft.pods.get(pod);
  if (!known) {
    const created = { name: pod, ...state, metrics: {} };
    draft.pods.set(pod, { state: created, line: where });
    return created;
  }
  const differs = (Object.keys(FIELD_COLUMN) as Array<keyof PodFields>).find((k) => known.state[k] !== state[k]);
  if (differs) fail(FIELD_COLUMN[differs], `pod ${pod} has another ${FIELD_COLUMN[differs]} at this time on ${known.line}; give a pod's state once per time`);
  return known.state;
}

/** An Object metric has one value at a time; an External metric's series are summed (`GetExternalMetricReplicas`). */
function readValueRow(metric: MetricTarget, cell: Cell, fail: Fail, draft: Draft, where: string): void {
  const value = parseQuantityMilli(cell('value'));
  if (value === undefined || value < 0) {
    fail('value', `"${cell('value')}" is not a quantity; an ${metric.source ?? 'External'} metric needs a value at every time it is listed`);
    return;
  }
  const known = draft.values.get(metric.name);
  if (known && metric.source === 'Object') {
    fail('pod', `Object metric ${metric.name} already has a value at this time (${known.line}); an Object metric has one series`);
    return;
  }
  draft.values.set(metric.name, { value: (known?.value ?? 0) + value, line: known?.line ?? where });
}

function readPodState(cell: Cell, fail: Fail, absolute: boolean): PodFields | undefined {
  const phaseText = cell('phase') || 'Running';
  const phase = PHASES.find((p) => p.toLowerCase() === phaseText.toLowerCase());
  if (!phase) {
    const hint = didYouMean(phaseText, PHASES);
    fail('phase', `"${phaseText}" is not a pod phase${hint ? `; did you mean "${hint}"?` : ''} (phases: ${PHASES.join(', ')})`);
    return undefined;
  }
  const readyText = cell('ready').toLowerCase();
  const ready = readyText === '' ? phase !== 'Pending' : ['true', '1', 'yes'].includes(readyText) ? true : ['false', '0', 'no'].includes(readyText) ? false : undefined;
  if (ready === undefined) {
    fail('ready', `"${cell('ready')}" is not true or false`);
    return undefined;
  }
  let startTime = -Infinity;
  if (cell('start')) {
    const start = readTime(cell('start'));
    if (!start || start.absolute !== absolute) {
      fail('start', `"${cell('start')}" is not a time of the same kind as the time column (${absolute ? 'an ISO timestamp' : 'seconds or a duration from the start'})`);
      return undefined;
    }
    startTime = start.ms;
  }
  return { phase: phase === 'Terminating' ? 'Running' : phase, deleting: phase === 'Terminating', ready, startTime };
}

/** Milli-units, undefined for an empty cell (no metric), false when the cell is wrong. */
function readUsage(metric: MetricTarget, text: string, request: number | undefined, fail: Fail): number | undefined | false {
  if (text === '') return undefined;
  if (text.endsWith('%')) {
    const percent = Number(text.slice(0, -1));
    if (metric.type !== 'Utilization') fail('value', `"${text}": a percent is only for a Utilization metric; give ${metric.name} as a quantity`);
    else if (!Number.isFinite(percent) || percent < 0) fail('value', `"${text}" is not a percent`);
    else if (request === undefined) fail('request', `"${text}" is a percent of the pod's request: give a request column, a Deployment in the HPA file, or --cpu-request`);
    else return Math.round((percent * request) / 100);
    return false;
  }
  const usage = parseQuantityMilli(text);
  if (usage !== undefined && usage >= 0) return usage;
  fail('value', `"${text}" is not a quantity; write it like "150m", "0.15" or "75%" (empty: no metric)`);
  return false;
}

function readTime(value: unknown): Time | undefined {
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d{4}-\d\d-\d\d/.test(text)) {
      const ms = parseTime(text);
      return ms === undefined ? undefined : { ms, absolute: true };
    }
    if (text.startsWith('-')) {
      const ms = parseTime(text.slice(1));
      return ms === undefined ? undefined : { ms: -ms, absolute: false };
    }
  }
  const ms = parseTime(value);
  return ms === undefined ? undefined : { ms, absolute: false };
}

/** The drafts in time order, each pod's Ready condition dated by when it last changed. */
function snapshots(times: readonly number[], drafts: ReadonlyMap<number, Draft>, origin: number, defaults: PodState['metrics']): PodSnapshot[] {
  const last = new Map<string, { ready: boolean; since: number }>();
  return times.map((time) => {
    const draft = drafts.get(time)!;
    const t = time - origin;
    const pods = [...draft.pods.values()].map(({ state }): PodState => {
      const startTime = state.startTime - origin;
      const before = last.get(state.name);
      // first seen: ready (or not) since its start, or since now when the file does not say when it started
      const readySince = before?.ready === state.ready ? before.since : before ? t : Number.isFinite(startTime) ? startTime : t;
      last.set(state.name, { ready: state.ready, since: readySince });
      return { ...state, startTime, readySince, metrics: { ...defaults, ...state.metrics } };
    });
    return { t, pods, values: Object.fromEntries([...draft.values].map(([name, v]) => [name, v.value])) };
  });
}
