import { Chalk } from 'chalk';
import { builtinMetrics } from './builtin.js';
import type { K6SummaryCheck, K6SummaryData, K6SummaryGroup, K6SummaryMetric } from './summary-data.js';
import type { ThresholdResult } from './thresholds.js';
import { formatNumber, formatValue } from './value-format.js';

/**
 * The end-of-test text as k6 1.x lays it out (`--summary-mode compact`, its default, and `full`):
 * a THRESHOLDS block (each expression with the figure it was judged on), then TOTAL RESULTS:
 * checks as checks_total / checks_succeeded / checks_failed and the list of checks, and the
 * metrics by category (CUSTOM, HTTP, EXECUTION, NETWORK). Compact shows the metrics that matter
 * most; full shows every metric and each group's checks. (k6's full mode also breaks every metric
 * down per scenario; the runtime does not aggregate per scenario, so that part is not shown.)
 */
export interface V1SummaryOptions {
  mode: 'compact' | 'full';
  enableColors?: boolean;
  /** the final threshold results, for the figure each expression was judged on */
  thresholds?: readonly ThresholdResult[];
}

const CATEGORIES = ['CUSTOM', 'HTTP', 'EXECUTION', 'NETWORK'] as const;
type Category = (typeof CATEGORIES)[number];

/** The metrics compact mode shows; everything else appears in full mode only. */
const COMPACT = new Set([
  'http_req_duration',
  'http_req_failed',
  'http_reqs',
  'dropped_iterations',
  'iteration_duration',
  'iteration_intended_latency',
  'iterations',
  'vus',
  'vus_max',
  'data_received',
  'data_sent',
]);
const BUILTIN = new Set(builtinMetrics.map((m) => m.name));

function categoryOf(name: string): Category {
  if (!BUILTIN.has(name)) return 'CUSTOM';
  if (name.startsWith('http_')) return 'HTTP';
  if (name.startsWith('data_')) return 'NETWORK';
  return 'EXECUTION';
}

interface Line {
  name: string;
  cells: string[];
  trend: boolean;
}

export function textSummaryV1(data: K6SummaryData, options: V1SummaryOptions): string {
  const c = new Chalk({ level: options.enableColors ? 1 : 0 });
  const ok = c.green('✓');
  const bad = c.red('✗');
  const out: string[] = [];
  const thresholdLines = thresholdsBlock(data, options.thresholds ?? [], ok, bad, c);
  if (thresholdLines.length) out.push('  █ THRESHOLDS', '', ...thresholdLines, '');
  out.push('  █ TOTAL RESULTS', '');

  const sections: Array<{ title?: string; lines: Line[] } | { text: string[] }> = [];
  const checks = allChecks(data.root_group);
  if (checks.length) {
    sections.push({ lines: checkTotals(checks, data.state.testRunDurationMs) });
    sections.push({ text: checkList(options.mode === 'full' ? data.root_group.checks : checks, '    ', ok, bad, c) });
  }
  for (const category of CATEGORIES) {
    const lines = metricLines(data, category, options.mode);
    if (lines.length) sections.push({ title: category, lines });
  }
  const all = sections.flatMap((s) => ('lines' in s ? s.lines : []));
  const groupSections = options.mode === 'full' ? groupBlocks(data.root_group, ok, bad, c) : [];
  const width = Math.max(0, ...all.map((l) => l.name.length), ...groupSections.flatMap((g) => g.lines.map((l) => l.name.length - 2))) + 3;
  const widths = columnWidths(all.concat(groupSections.flatMap((g) => g.lines)));
  for (const section of sections) {
    if ('text' in section) out.push(...section.text, '');
    else {
      if (section.title) out.push(`    ${section.title}`);
      out.push(...section.lines.map((l) => render(l, '    ', width, widths, c)), '');
    }
  }
  for (const group of groupSections) {
    out.push(`    ${group.indent}↳ GROUP: ${group.name}`, '');
    if (group.lines.length) out.push(...group.lines.map((l) => render(l, `    ${group.indent}  `, width - group.indent.length - 2, widths, c)), '');
    out.push(...group.checks, '');
  }
  return `\n${out.join('\n')}\n`;
}

function thresholdsBlock(data: K6SummaryData, results: readonly ThresholdResult[], ok: string, bad: string, c: InstanceType<typeof Chalk>): string[] {
  const lines: string[] = [];
  const keys = Object.keys(data.metrics).filter((k) => data.metrics[k]!.thresholds).sort();
  for (const key of keys) {
    const metric = data.metrics[key]!;
    lines.push(`    ${key}`);
    for (const [source, verdict] of Object.entries(metric.thresholds!)) {
      const figure = thresholdFigure(source, metric, results.find((r) => r.key === key && r.source === source)?.actual, data.options.summaryTimeUnit);
      lines.push(`    ${verdict.ok ? ok : bad} ${c.dim(`'${source}'`)}${figure ? ` ${figure}` : ''}`);
    }
    lines.push('');
  }
  return lines;
}

/** `p(95)=148.21ms`, `rate=0.00%`: the aggregation an expression names, with its value. */
function thresholdFigure(source: string, metric: K6SummaryMetric, actual: number | undefined, timeUnit: string): string | undefined {
  const aggregation = /^\s*(avg|min|max|med|count|rate|value|p\(\s*[\d.]+\s*\))/.exec(source)?.[1]?.replace(/\s+/g, '');
  if (!aggregation) return undefined;
  const value = actual ?? metric.values[aggregation];
  if (value === undefined) return undefined;
  if (aggregation === 'rate' && metric.type === 'rate') return `rate=${(value * 100).toFixed(2)}%`;
  if (aggregation === 'count' || aggregation === 'rate') return `${aggregation}=${formatNumber(value)}${aggregation === 'rate' ? '/s' : ''}`;
  return `${aggregation}=${formatValue(value, metric.contains, timeUnit)}`;
}

function allChecks(group: K6SummaryGroup): K6SummaryCheck[] {
  return [...group.checks, ...group.groups.flatMap(allChecks)];
}

function checkTotals(checks: readonly K6SummaryCheck[], durationMs: number): Line[] {
  const passes = checks.reduce((n, ch) => n + ch.passes, 0);
  const fails = checks.reduce((n, ch) => n + ch.fails, 0);
  const total = passes + fails;
  const share = (n: number) => `${total ? ((n / total) * 100).toFixed(2) : '0.00'}%`;
  return [
    { name: 'checks_total', cells: [String(total), `${formatNumber(durationMs > 0 ? total / (durationMs / 1000) : 0)}/s`], trend: false },
    { name: 'checks_succeeded', cells: [share(passes), `${passes} out of ${total}`], trend: false },
    { name: 'checks_failed', cells: [share(fails), `${fails} out of ${total}`], trend: false },
  ];
}

function checkList(checks: readonly K6SummaryCheck[], at: string, ok: string, bad: string, c: InstanceType<typeof Chalk>): string[] {
  const lines: string[] = [];
  for (const check of checks) {
    lines.push(`${at}${check.fails ? bad : ok} ${check.name}`);
    if (check.fails) {
      const pct = Math.floor((check.passes / (check.passes + check.fails)) * 100);
      lines.push(c.dim(`${at}  ↳  ${pct}% — ✓ ${check.passes} / ✗ ${check.fails}`));
    }
  }
  return lines;
}

function metricLines(data: K6SummaryData, category: Category, mode: 'compact' | 'full'): Line[] {
  const names = Object.keys(data.metrics);
  const parents = names
    .filter((n) => !n.includes('{') && n !== 'checks' && categoryOf(n) === category)
    .filter((n) => mode === 'full' || category === 'CUSTOM' || COMPACT.has(n))
    .sort();
  const lines: Line[] = [];
  for (const parent of parents) {
    lines.push(lineOf(parent, data.metrics[parent]!, data));
    for (const sub of names.filter((n) => n.startsWith(`${parent}{`)).sort()) {
      lines.push(lineOf(`  { ${sub.slice(parent.length + 1, -1).trim()} }`, data.metrics[sub]!, data));
    }
  }
  return lines;
}

function lineOf(name: string, metric: K6SummaryMetric, data: K6SummaryData): Line {
  const v = metric.values;
  const fmt = (value: number | undefined) => formatValue(value ?? 0, metric.contains, data.options.summaryTimeUnit);
  switch (metric.type) {
    case 'counter':
      return { name, cells: [fmt(v.count), `${metric.contains === 'data' ? fmt(v.rate) : formatNumber(v.rate ?? 0)}/s`], trend: false };
    case 'gauge':
      return { name, cells: [fmt(v.value), `min=${fmt(v.min)}`, `max=${fmt(v.max)}`], trend: false };
    case 'rate': {
      const total = (v.passes ?? 0) + (v.fails ?? 0);
      return { name, cells: [`${((v.rate ?? 0) * 100).toFixed(2)}%`, `${v.passes ?? 0} out of ${total}`], trend: false };
    }
    case 'trend':
      return { name, cells: data.options.summaryTrendStats.map((s) => `${s}=${s === 'count' ? formatNumber(v[s] ?? 0) : fmt(v[s])}`), trend: true };
  }
}

function columnWidths(lines: readonly Line[]): { plain: number[]; trend: number[] } {
  const plain: number[] = [];
  const trend: number[] = [];
  for (const line of lines) line.cells.forEach((cell, i) => ((line.trend ? trend : plain)[i] = Math.max((line.trend ? trend : plain)[i] ?? 0, cell.length)));
  return { plain, trend };
}

function render(line: Line, indent: string, width: number, widths: { plain: number[]; trend: number[] }, c: InstanceType<typeof Chalk>): string {
  const w = line.trend ? widths.trend : widths.plain;
  const cells = line.cells.map((cell, i) => (i === line.cells.length - 1 ? cell : cell.padEnd(w[i] ?? 0))).map((cell) => c.cyan(cell));
  return `${indent}${line.name}${c.dim('.'.repeat(Math.max(1, width - line.name.length)))}: ${cells.join(' ')}`.trimEnd();
}

interface GroupBlock {
  name: string;
  indent: string;
  lines: Line[];
  checks: string[];
}

/** Full mode: each group (nested groups indented) with its checks' totals and list. */
function groupBlocks(root: K6SummaryGroup, ok: string, bad: string, c: InstanceType<typeof Chalk>): GroupBlock[] {
  const blocks: GroupBlock[] = [];
  const visit = (group: K6SummaryGroup, depth: number) => {
    const indent = '  '.repeat(depth);
    const checks = allChecks(group);
    blocks.push({
      name: group.name,
      indent,
      lines: checks.length ? checkTotals(checks, 0).slice(1) : [],
      checks: checkList(group.checks, `    ${indent}  `, ok, bad, c),
    });
    for (const child of group.groups) visit(child, depth + 1);
  };
  for (const group of root.groups) visit(group, 0);
  return blocks;
}
