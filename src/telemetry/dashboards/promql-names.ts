import { StackMetrics, SupervisorMetrics } from '../../stack/metric-names.js';

/**
 * Metric names a PromQL expression reads, found by removing everything that is not a metric name
 * (strings, label matchers, range/subquery brackets, grouping clauses, Grafana variables,
 * numbers, durations, keywords) and keeping the identifiers that are not function calls.
 */

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan', 'atan2']);

export function metricNamesIn(expr: string): string[] {
  let s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  s = s.replace(/\b\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:ms|s|m|h|d|w|y)?\b/gi, ' ');
  const names = new Set<string>();
  const ident = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;
  let m: RegExpExecArray | null;
  while ((m = ident.exec(s)) !== null) {
    const name = m[0];
    const after = s.slice(ident.lastIndex).trimStart();
    if (after.startsWith('(')) continue; // a function or aggregation
    if (KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

const HISTOGRAMS = new Set<string>([StackMetrics.httpServerDuration, StackMetrics.httpClientDuration, StackMetrics.dbDuration]);

/**
 * Every series name the stack really exposes to Prometheus: the stack's and the supervisor's
 * metric names (histograms with their _bucket/_sum/_count series), the given prom-client default
 * metric names, and what Prometheus adds itself (`up`, `scrape_*`, `ALERTS`).
 */
export function exportedSeriesNames(promClientDefaults: readonly string[]): Set<string> {
  const out = new Set<string>(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'ALERTS', 'ALERTS_FOR_STATE']);
  for (const name of [...Object.values(StackMetrics), ...Object.values(SupervisorMetrics)]) {
    if (HISTOGRAMS.has(name)) for (const suffix of ['_bucket', '_sum', '_count']) out.add(name + suffix);
    else out.add(name);
  }
  for (const name of promClientDefaults) out.add(name);
  return out;
}
