import { ConfigError, didYouMean, type ConfigIssue } from '../errors.js';
import type { HpaSpec } from './hpa-spec.js';
import { parseQuantityMilli } from './quantity.js';
import { runMetricsFile, seriesFromRun } from './run-series.js';
import type { MetricSeries, SeriesPoint } from './series.js';
import { csvRows, jsonRows, looksLikeJson, parseTime } from './metric-rows.js';
import { isPodSeriesRows, parsePodSeries, type PodSeries, type PodSeriesOptions } from './pod-series.js';
import { readUserFile } from './user-file.js';

/**
 * A metric series to replay through the HPA algorithm (`peakready scale simulate --metrics`).
 *
 * CSV (header row) or JSON (an array of objects, or `{ "samples": [...] }`) with:
 *   time              seconds from the start ("90"), a duration ("1m30s") or an ISO timestamp
 *   <metric>          the measured average per pod, as the HPA sees it: percent of request for a
 *                     Utilization target (cpu: 75), a quantity for AverageValue/Value ("250m");
 *                     replayed as-is unless a `replicas` column says how many pods measured it
 *   replicas          pods running when the averages were measured: the averages then become the
 *                     workload's total (average × replicas), shared by the simulated replicas
 *   <metric>_total    total usage of the whole workload ("2400m", "2.4" cores): spread over the
 *                     replicas the simulation runs, so more replicas mean lower utilisation
 * One of the two columns per metric of the HPA; a missing or empty cell means "no metric".
 * A file with a `metric` column is the per-pod form instead (pod-series.ts).
 */

export type LoadedMetrics = { form: 'series'; series: MetricSeries } | { form: 'pods'; series: PodSeries };

/**
 * `--metrics`: a CSV/JSON series (a column per metric), a per-pod file (pod-series.ts: a `metric`
 * column), or a peakready run (its directory or metrics.ndjson) for `service`.
 */
export function loadMetricFile(path: string, hpa: HpaSpec, service: string, podOptions: PodSeriesOptions): LoadedMetrics {
  const runFile = runMetricsFile(path);
  const { text, file } = readUserFile(runFile ?? path);
  if (runFile) return { form: 'series', series: seriesFromRun(text, file, hpa, service) };
  const rows = looksLikeJson(text) ? jsonRows(text, file) : csvRows(text);
  if (isPodSeriesRows(rows)) return { form: 'pods', series: parsePodSeries(rows, file, hpa, podOptions) };
  return { form: 'series', series: parseMetricSeries(text, file, hpa) };
}

export function parseMetricSeries(text: string, file: string, hpa: HpaSpec): MetricSeries {
  const rows = looksLikeJson(text) ? jsonRows(text, file) : csvRows(text);
  const issues: ConfigIssue[] = [];
  const names = hpa.metrics.map((m) => m.name);
  const known = ['time', 'replicas', ...names, ...names.map((n) => `${n}_total`)];
  const raw: SeriesPoint[] = [];
  for (const row of rows) {
    const at = (column: string) => ({ file, ...(row.line !== undefined ? { line: row.line } : {}), field: `${row.field}.${column}` });
    for (const column of Object.keys(row.cells)) {
      if (!known.includes(column)) {
        const hint = didYouMean(column, known);
        issues.push({ ...at(column), message: `unknown column for HPA ${hpa.name}${hint ? `; did you mean "${hint}"?` : ''} (columns: ${known.join(', ')})` });
      }
    }
    const t = parseTime(row.cells.time);
    if (t === undefined) {
      issues.push({ ...at('time'), message: 'needs a time: seconds from the start ("90"), a duration ("1m30s") or an ISO timestamp' });
      continue;
    }
    const values: SeriesPoint['values'] = {};
    for (const metric of hpa.metrics) {
      for (const kind of ['average', 'total'] as const) {
        const column = kind === 'total' ? `${metric.name}_total` : metric.name;
        const cell = row.cells[column];
        if (cell === undefined || cell === null || cell === '') continue;
        const value = metric.type === 'Utilization' && kind === 'average' ? Number(cell) : parseQuantityMilli(cell as string | number);
        if (value === undefined || !Number.isFinite(value) || value < 0) {
          issues.push({ ...at(column), message: `"${String(cell)}" is not a ${kind === 'average' && metric.type === 'Utilization' ? 'percent' : 'quantity'}` });
        } else values[metric.name] = { kind, value };
      }
    }
    const replicasCell = row.cells.replicas;
    let replicas: number | undefined;
    if (replicasCell !== undefined && replicasCell !== null && replicasCell !== '') {
      replicas = Number(replicasCell);
      if (!Number.isInteger(replicas) || replicas < 1) issues.push({ ...at('replicas'), message: `"${String(replicasCell)}" is not a pod count` });
    }
    raw.push({ t, values, ...(replicas !== undefined ? { replicas } : {}) });
  }
  if (raw.length === 0 && issues.length === 0) issues.push({ file, message: 'no samples (expected a header row "time,<metric>" and one row per sample)' });
  if (issues.length) throw new ConfigError(issues);
  raw.sort((a, b) => a.t - b.t);
  const start = raw[0]!.t;
  return { file, points: raw.map((p) => ({ ...p, t: p.t - start })) };
}
