import type { K6SummaryData, K6SummaryGroup } from './summary-data.js';

/** k6's legacy `--summary-export` JSON. */
export interface K6SummaryExport {
  root_group: K6ExportGroup;
  metrics: Record<string, Record<string, number | Record<string, boolean>>>;
}

export interface K6ExportGroup {
  name: string;
  path: string;
  id: string;
  groups: Record<string, K6ExportGroup>;
  checks: Record<string, { name: string; path: string; id: string; passes: number; fails: number }>;
}

/**
 * Converts handleSummary data to the `--summary-export` shape, keeping its quirks because tools
 * read them: each metric flattened to its values, a rate's `rate` renamed `value`, thresholds
 * mapping expression → `true` WHEN IT FAILED, groups and checks keyed by name.
 */
export function summaryExport(data: K6SummaryData): K6SummaryExport {
  const metrics: K6SummaryExport['metrics'] = {};
  for (const [name, metric] of Object.entries(data.metrics)) {
    const flat: Record<string, number | Record<string, boolean>> = {};
    for (const [key, value] of Object.entries(metric.values)) flat[metric.type === 'rate' && key === 'rate' ? 'value' : key] = value;
    if (metric.thresholds) {
      flat.thresholds = Object.fromEntries(Object.entries(metric.thresholds).map(([expr, { ok }]) => [expr, !ok]));
    }
    metrics[name] = flat;
  }
  return { root_group: exportGroup(data.root_group), metrics };
}

function exportGroup(group: K6SummaryGroup): K6ExportGroup {
  return {
    name: group.name,
    path: group.path,
    id: group.id,
    groups: Object.fromEntries(group.groups.map((g) => [g.name, exportGroup(g)])),
    checks: Object.fromEntries(group.checks.map((c) => [c.name, { ...c }])),
  };
}
