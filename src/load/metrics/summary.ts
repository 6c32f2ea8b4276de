import { ConfigError } from '../../errors.js';
import type { CheckTally, MetricsAggregator } from './aggregator.js';
import type { ThresholdResult } from './thresholds.js';
import { DEFAULT_TREND_STATS, pathId, type K6SummaryData, type K6SummaryGroup, type K6SummaryMetric } from './summary-data.js';
import type { MetricDefinition, MetricView } from './types.js';

export type { K6SummaryData, K6SummaryMetric, K6SummaryGroup, K6SummaryCheck } from './summary-data.js';
export { DEFAULT_TREND_STATS, pathId } from './summary-data.js';
export { textSummary, type TextSummaryOptions } from './text-summary.js';
export { summaryExport, type K6SummaryExport } from './summary-export.js';
export { validateSummaryData } from './summary-validate.js';

export interface BuildSummaryInput {
  aggregator: MetricsAggregator;
  /** the final `ThresholdEvaluator.evaluate(..., { final: true }).results` */
  thresholds?: readonly ThresholdResult[];
  options: { summaryTrendStats?: readonly string[]; summaryTimeUnit?: string; noColor?: boolean };
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  setupData?: unknown;
}

const TREND_STAT = /^(avg|min|med|max|count|p\((\d+(\.\d+)?)\))$/;

/** k6's summaryTrendStats check: avg, min, med, max, count, p(N) with 0 ≤ N ≤ 100. */
export function validateTrendStats(stats: unknown, file = 'options'): string[] {
  const bad = (message: string): never => {
    throw new ConfigError([{ file, field: 'summaryTrendStats', message }]);
  };
  if (!Array.isArray(stats)) return bad('must be a list such as ["avg", "min", "med", "max", "p(90)", "p(95)"]');
  for (const stat of stats) {
    const m = typeof stat === 'string' ? TREND_STAT.exec(stat) : null;
    if (!m || (m[2] !== undefined && Number(m[2]) > 100)) {
      bad(`"${String(stat)}" is not a trend stat; use avg, min, med, max, count or p(N) with N from 0 to 100`);
    }
  }
  return stats as string[];
}

/** Builds k6's handleSummary data from aggregated metrics and final threshold results. */
export function buildSummaryData(input: BuildSummaryInput): K6SummaryData {
  const trendStats = [...(input.options.summaryTrendStats ?? DEFAULT_TREND_STATS)];
  const elapsedMs = input.state.testRunDurationMs;
  const thresholdsByKey = new Map<string, Record<string, { ok: boolean }>>();
  for (const r of input.thresholds ?? []) {
    const entry = thresholdsByKey.get(r.key) ?? {};
    entry[r.source] = { ok: r.ok };
    thresholdsByKey.set(r.key, entry);
  }
  const metrics: Record<string, K6SummaryMetric> = {};
  const addEntry = (name: string, definition: MetricDefinition, view: MetricView | undefined): void => {
    const thresholds = thresholdsByKey.get(name);
    // like k6: a metric without samples is left out unless a threshold names it
    if ((!view || view.samples === 0) && !thresholds) return;
    const entry: K6SummaryMetric = {
      type: definition.type,
      contains: definition.contains,
      values: metricValues(definition, view, trendStats, elapsedMs),
    };
    if (thresholds) entry.thresholds = thresholds;
    metrics[name] = entry;
  };
  const aggregator = input.aggregator;
  for (const definition of aggregator.definitions()) addEntry(definition.name, definition, aggregator.view(definition.name));
  for (const selector of aggregator.submetrics()) {
    const parent = aggregator.view(selector.metric)!;
    addEntry(selector.name, parent.definition, aggregator.view(selector.metric, selector.tags));
  }
  // a threshold on a submetric nobody tracked (k6's verdicts read back from its export) still shows
  for (const key of thresholdsByKey.keys()) {
    if (metrics[key]) continue;
    const parent = aggregator.view(key.includes('{') ? key.slice(0, key.indexOf('{')).trim() : key);
    if (parent) addEntry(key, parent.definition, key.includes('{') ? safeView(aggregator, key) : parent);
  }
  const data: K6SummaryData = {
    root_group: buildRootGroup(aggregator.groups(), aggregator.checks()),
    options: {
      summaryTrendStats: trendStats,
      summaryTimeUnit: input.options.summaryTimeUnit ?? '',
      noColor: input.options.noColor ?? false,
    },
    state: { ...input.state },
    metrics,
  };
  if (input.setupData !== undefined) data.setup_data = input.setupData;
  return data;
}

function safeView(aggregator: MetricsAggregator, key: string): MetricView | undefined {
  try {
    return aggregator.view(key);
  } catch {
    return undefined; // a key that does not parse has no samples to show
  }
}

function metricValues(definition: MetricDefinition, view: MetricView | undefined, trendStats: readonly string[], elapsedMs: number): Record<string, number> {
  const stat = (name: string): number => view?.stat(name, elapsedMs) ?? 0;
  switch (definition.type) {
    case 'counter':
      return { count: stat('count'), rate: stat('rate') };
    case 'gauge':
      return { value: stat('value'), min: stat('min'), max: stat('max') };
    case 'rate':
      return { rate: stat('rate'), passes: stat('passes'), fails: stat('fails') };
    case 'trend':
      return Object.fromEntries(trendStats.map((s) => [s, stat(s)]));
  }
}

/** The group tree: every group path seen (with its ancestors) and each check under its group. */
export function buildRootGroup(groupPaths: readonly string[], checks: readonly CheckTally[]): K6SummaryGroup {
  const root: K6SummaryGroup = { name: '', path: '', id: pathId(''), groups: [], checks: [] };
  const byPath = new Map<string, K6SummaryGroup>([['', root]]);
  const ensure = (path: string): K6SummaryGroup => {
    const existing = byPath.get(path);
    if (existing) return existing;
    const cut = path.lastIndexOf('::');
    const parent = ensure(cut > 0 ? path.slice(0, cut) : '');
    const group: K6SummaryGroup = { name: cut >= 0 ? path.slice(cut + 2) : path, path, id: pathId(path), groups: [], checks: [] };
    parent.groups.push(group);
    byPath.set(path, group);
    return group;
  };
  for (const path of groupPaths) ensure(path);
  for (const check of checks) {
    const path = `${check.group}::${check.name}`;
    ensure(check.group).checks.push({ name: check.name, path, id: pathId(path), passes: check.passes, fails: check.fails });
  }
  return root;
}
