import { ConfigError, didYouMean, type ConfigIssue } from '../errors.js';
import { durationMs } from '../util/duration.js';
import type { HpaSpec } from './hpa-spec.js';
import { parseQuantityMilli } from './quantity.js';
import { runMetricsFile, seriesFromRun } from './run-series.js';
import type { MetricSeries, SeriesPoint } from './series.js';
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
 */

/** A CSV/JSON series, or a peakready run (its directory or metrics.ndjson) for `service`. */
export function loadMetricSeries(path: string, hpa: HpaSpec, service: string = hpa.name): MetricSeries {
  const runFile = runMetricsFile(path);
  const { text, file } = readUserFile(runFile ?? path);
  return runFile ? seriesFromRun(text, file, hpa, service) : parseMetricSeries(text, file, hpa);
}

interface Row {
  line?: number;
  field: string;
  cells: Record<string, unknown>;
}

export function parseMetricSeries(text: string, file: string, hpa: HpaSpec): MetricSeries {
  const rows = text.trimStart().startsWith('[') || text.trimStart().startsWith('{') ? jsonRows(text, file) : csvRows(text);
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

function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : undefined;
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  if (/^\d{4}-\d\d-\d\d/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return durationMs(text);
}

function csvRows(text: string): Row[] {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.trim() && !l.trim().startsWith('#'));
  if (headerIndex < 0) return [];
  const header = lines[headerIndex]!.split(',').map((h) => h.trim());
  const rows: Row[] = [];
  for (let i = headerIndex + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const cells: Record<string, unknown> = {};
    line.split(',').forEach((cell, j) => (cells[header[j] ?? `column${j + 1}`] = cell.trim()));
    rows.push({ line: i + 1, field: `row ${rows.length + 1}`, cells });
  }
  return rows;
}

function jsonRows(text: string, file: string): Row[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ file, message: `invalid JSON: ${(error as Error).message}` }]);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { samples?: unknown }).samples;
  if (!Array.isArray(list)) throw new ConfigError([{ file, message: 'expected an array of samples or { "samples": [...] }' }]);
  return list.map((cells, i) => ({ field: `[${i}]`, cells: (cells ?? {}) as Record<string, unknown> }));
}
