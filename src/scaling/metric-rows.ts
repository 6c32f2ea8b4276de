import { ConfigError } from '../errors.js';
import { durationMs } from '../util/duration.js';

/**
 * The rows of a user's metric file, CSV (a header row, `#` comments) or JSON (an array of objects,
 * or `{ "samples": [...] }`), before any column means anything: metric-series.ts reads the wide
 * form (a column per metric), pod-series.ts the per-pod long form.
 */

export interface Row {
  /** 1-based line in a CSV file */
  line?: number;
  /** how messages name the row: "row 3" (CSV) or "[2]" (JSON) */
  field: string;
  cells: Record<string, unknown>;
}

export function looksLikeJson(text: string): boolean {
  const start = text.trimStart();
  return start.startsWith('[') || start.startsWith('{');
}

/** Seconds from the start ("90"), a duration ("1m30s") or an ISO timestamp (epoch ms), in ms. */
export function parseTime(value: unknown): number | undefined {
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

export function csvRows(text: string): Row[] {
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

export function jsonRows(text: string, file: string): Row[] {
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
