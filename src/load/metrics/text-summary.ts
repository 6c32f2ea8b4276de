import { Chalk } from 'chalk';
import type { K6SummaryData, K6SummaryGroup, K6SummaryMetric } from './summary-data.js';
import { formatNumber, formatValue } from './value-format.js';

export interface TextSummaryOptions {
  /** prefix of every line; k6's default is a space */
  indent?: string;
  enableColors?: boolean;
}

interface Row {
  mark: string;
  name: string;
  cells: string[];
  metric: K6SummaryMetric;
  key: string;
}

/**
 * The end-of-test text summary, laid out like k6's: the checks tree (✓/✗, and the pass share of a
 * failing check), then every metric in name order with dotted alignment, submetrics indented under
 * their metric, ✓/✗ before a metric that has thresholds, and the thresholds' expressions.
 */
export function textSummary(data: K6SummaryData, options: TextSummaryOptions = {}): string {
  const c = new Chalk({ level: options.enableColors ? 1 : 0 });
  const indent = options.indent ?? ' ';
  const pad = `${indent}    `;
  const lines: string[] = [];
  const ok = c.green('✓');
  const bad = c.red('✗');

  const renderGroup = (group: K6SummaryGroup, at: string): void => {
    for (const check of group.checks) {
      lines.push(`${at}${check.fails ? bad : ok} ${check.name}`);
      if (check.fails) {
        const total = check.passes + check.fails;
        const pct = Math.floor((check.passes / total) * 100);
        lines.push(c.dim(`${at} ↳  ${pct}% — ✓ ${check.passes} / ✗ ${check.fails}`));
      }
    }
    for (const child of group.groups) {
      if (lines.length && lines[lines.length - 1] !== '') lines.push('');
      lines.push(`${at}█ ${child.name}`);
      lines.push('');
      renderGroup(child, `${at}  `);
    }
  };
  renderGroup(data.root_group, pad);
  if (lines.length) lines.push('');

  const rows = metricRows(data, ok, bad);
  const nameWidth = Math.max(0, ...rows.map((r) => r.name.length)) + 3;
  const widths: number[] = [];
  for (const row of rows) if (row.metric.type !== 'trend') row.cells.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const trendWidths: number[] = [];
  for (const row of rows) if (row.metric.type === 'trend') row.cells.forEach((cell, i) => (trendWidths[i] = Math.max(trendWidths[i] ?? 0, cell.length)));
  for (const row of rows) {
    const w = row.metric.type === 'trend' ? trendWidths : widths;
    const cells = row.cells.map((cell, i) => (i === row.cells.length - 1 ? cell : cell.padEnd(w[i]!))).map((cell) => c.cyan(cell));
    const dots = c.dim('.'.repeat(nameWidth - row.name.length));
    lines.push(`${indent}  ${row.mark}${row.name}${dots}: ${cells.join(' ')}`.trimEnd());
    for (const [expr, result] of Object.entries(row.metric.thresholds ?? {})) {
      lines.push(`${pad}    ${result.ok ? ok : bad} ${c.dim(`'${expr}'`)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function metricRows(data: K6SummaryData, ok: string, bad: string): Row[] {
  const names = Object.keys(data.metrics);
  const parents = names.filter((n) => !n.includes('{')).sort();
  // a submetric whose parent is absent still shows, under its own full name
  const orphans = names.filter((n) => n.includes('{') && !data.metrics[n.slice(0, n.indexOf('{'))]);
  const ordered: string[] = [];
  for (const parent of parents) {
    ordered.push(parent);
    ordered.push(...names.filter((n) => n.startsWith(`${parent}{`)).sort());
  }
  ordered.push(...orphans.sort());
  return ordered.map((key) => {
    const metric = data.metrics[key]!;
    const brace = key.indexOf('{');
    const name = brace === -1 || orphans.includes(key) ? key : `  { ${key.slice(brace + 1, -1).trim()} }`;
    const results = Object.values(metric.thresholds ?? {});
    const mark = results.length === 0 ? '  ' : results.every((r) => r.ok) ? `${ok} ` : `${bad} `;
    return { key, name, mark, metric, cells: cellsOf(metric, data.options.summaryTrendStats, data.options.summaryTimeUnit) };
  });
}

function cellsOf(metric: K6SummaryMetric, trendStats: readonly string[], timeUnit: string): string[] {
  const v = metric.values;
  const fmt = (value: number | undefined): string => formatValue(value ?? 0, metric.contains, timeUnit);
  switch (metric.type) {
    case 'counter': {
      const rate = metric.contains === 'data' ? `${fmt(v.rate)}/s` : `${formatNumber(v.rate ?? 0)}/s`;
      return [fmt(v.count), rate];
    }
    case 'gauge':
      return [fmt(v.value), `min=${fmt(v.min)}`, `max=${fmt(v.max)}`];
    case 'rate':
      return [`${((v.rate ?? 0) * 100).toFixed(2)}%`, `✓ ${v.passes ?? 0}`, `✗ ${v.fails ?? 0}`];
    case 'trend':
      return trendStats.map((s) => `${s}=${s === 'count' ? formatNumber(v[s] ?? 0) : fmt(v[s])}`);
  }
}
