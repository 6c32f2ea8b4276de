/**
 * A small terminal chart for replica counts over time: one column per time bucket, eighth-block
 * characters for sub-row precision, a y axis with the max and a time axis. Plain text (no colour
 * codes) so that it reads the same in CI logs.
 */

const EIGHTHS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export interface ChartOptions {
  width?: number;
  height?: number;
  /** label of the time axis' right end, e.g. "10m" */
  endLabel?: string;
  startLabel?: string;
  /** horizontal reference lines drawn with '·' where the bar does not reach, e.g. maxReplicas */
  marks?: ReadonlyArray<{ value: number; label: string }>;
}

/** Downsamples by taking each bucket's maximum (a replica peak must stay visible). */
export function bucketMax(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let b = 0; b < width; b++) {
    const from = Math.floor((b * values.length) / width);
    const to = Math.max(from + 1, Math.floor(((b + 1) * values.length) / width));
    out.push(Math.max(...values.slice(from, to)));
  }
  return out;
}

export function barChart(values: readonly number[], options: ChartOptions = {}): string[] {
  const height = options.height ?? 8;
  const columns = bucketMax(values, options.width ?? 60);
  const top = Math.max(1, ...columns, ...(options.marks ?? []).map((m) => m.value));
  const labelWidth = String(top).length;
  const lines: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    const rowLow = (row / height) * top;
    const rowHigh = ((row + 1) / height) * top;
    const mark = (options.marks ?? []).find((m) => m.value > rowLow && m.value <= rowHigh);
    let line = '';
    for (const v of columns) {
      const fill = Math.round(((v - rowLow) / (rowHigh - rowLow)) * 8);
      const ch = EIGHTHS[Math.max(0, Math.min(8, fill))]!;
      line += ch === ' ' && mark ? '·' : ch;
    }
    const axis = row === height - 1 ? String(top).padStart(labelWidth) : row === 0 ? '0'.padStart(labelWidth) : ' '.repeat(labelWidth);
    lines.push(`${axis} ┤${line}${mark ? ` ${mark.label}` : ''}`);
  }
  const start = options.startLabel ?? '0s';
  const end = options.endLabel ?? '';
  const gap = Math.max(1, columns.length - start.length - end.length);
  lines.push(`${' '.repeat(labelWidth)} └${'─'.repeat(columns.length)}`);
  lines.push(`${' '.repeat(labelWidth)}  ${start}${' '.repeat(gap)}${end}`);
  return lines;
}

/** One-line sparkline (for `scale watch`). */
export function sparkline(values: readonly number[], max?: number): string {
  const top = Math.max(1, max ?? Math.max(...values, 1));
  return values.map((v) => EIGHTHS[Math.max(1, Math.min(8, Math.round((v / top) * 8)))]).join('');
}
