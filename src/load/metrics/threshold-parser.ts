import type { MetricType, SubmetricSelector } from './types.js';

/**
 * The threshold expression and metric-key grammar, separate from evaluation (as k6 keeps its
 * thresholds parser apart). Pure: strings in, typed values or a message out.
 */

/** k6's threshold operators. `===` is accepted as k6 does and means the same as `==`. */
export type ThresholdOperator = '>' | '>=' | '<=' | '<' | '==' | '===' | '!=';

/** One parsed `aggregation operator value` expression, e.g. `p(95)<300`. */
export interface ThresholdExpression {
  /** the expression as the user wrote it (the key in summaries) */
  source: string;
  /** normalised aggregation: count, rate, value, avg, min, max, med, or p(N) */
  aggregation: string;
  operator: ThresholdOperator;
  value: number;
}

/** Which aggregations k6 allows on which metric type (`p(N)` stands for every percentile). */
export const aggregationsByType: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
};

/** A message for the user; the caller adds which metric and file. */
export class ThresholdSyntaxError extends Error {}

// operators longest first, so `>=` is not read as `>` followed by `=...`
const EXPRESSION = /^\s*([a-z][a-z0-9_]*(?:\(\s*[^)]*\))?)\s*(===|==|!=|>=|<=|>|<)\s*(\S+)\s*$/;
const PERCENTILE = /^p\(\s*(\d+(?:\.\d+)?)\s*\)$/;
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

export function parseThresholdExpression(source: string): ThresholdExpression {
  const match = EXPRESSION.exec(source);
  if (!match) {
    throw new ThresholdSyntaxError(
      `"${source}" is not a threshold expression; write "aggregation operator value", e.g. "p(95)<300" or "rate<0.01"`,
    );
  }
  const [, rawAggregation, operator, rawValue] = match as unknown as [string, string, ThresholdOperator, string];
  if (!NUMBER.test(rawValue)) throw new ThresholdSyntaxError(`"${source}": "${rawValue}" is not a number`);
  let aggregation = rawAggregation;
  if (aggregation.startsWith('p(')) {
    const p = PERCENTILE.exec(aggregation);
    const n = p ? Number(p[1]) : NaN;
    if (!(n >= 0 && n <= 100)) throw new ThresholdSyntaxError(`"${source}": the percentile in "${rawAggregation}" must be p(N) with 0 ≤ N ≤ 100`);
    aggregation = `p(${p![1]})`;
  } else if (!['count', 'rate', 'value', 'avg', 'min', 'max', 'med'].includes(aggregation)) {
    throw new ThresholdSyntaxError(
      `"${source}": "${rawAggregation}" is not an aggregation; use count, rate, value, avg, min, max, med or p(N)`,
    );
  }
  return { source, aggregation, operator, value: Number(rawValue) };
}

/** Whether `aggregation` (normalised) applies to a metric of `type`. */
export function aggregationAllowed(type: MetricType, aggregation: string): boolean {
  const allowed = aggregationsByType[type];
  return allowed.includes(aggregation) || (aggregation.startsWith('p(') && allowed.includes('p(N)'));
}

/** Compares as k6 does: `==` and `===` are numeric equality. */
export function compare(actual: number, operator: ThresholdOperator, expected: number): boolean {
  switch (operator) {
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '==':
    case '===':
      return actual === expected;
    case '!=':
      return actual !== expected;
  }
}

/**
 * Splits a thresholds key: `http_req_duration` or `http_req_duration{name:checkout,status:200}`.
 * Tag values may be quoted; whitespace around names and values is ignored.
 */
export function parseMetricSelector(key: string): { metric: string; selector?: SubmetricSelector } {
  const trimmed = key.trim();
  const brace = trimmed.indexOf('{');
  if (brace === -1) {
    if (trimmed.includes('}')) throw new ThresholdSyntaxError(`"${key}" has "}" without "{"`);
    return { metric: trimmed };
  }
  const metric = trimmed.slice(0, brace).trim();
  if (!trimmed.endsWith('}')) throw new ThresholdSyntaxError(`"${key}" must end with "}" after its tag filter`);
  if (!metric) throw new ThresholdSyntaxError(`"${key}" has a tag filter but no metric name before "{"`);
  const body = trimmed.slice(brace + 1, -1);
  const tags: Record<string, string> = {};
  for (const part of body.split(',')) {
    const colon = part.indexOf(':');
    if (colon === -1) throw new ThresholdSyntaxError(`"${key}": tag filter "${part.trim()}" must be written tag:value`);
    const tag = part.slice(0, colon).trim();
    const value = unquote(part.slice(colon + 1).trim());
    if (!tag) throw new ThresholdSyntaxError(`"${key}": a tag filter has an empty tag name`);
    tags[tag] = value;
  }
  return { metric, selector: { metric, tags, name: trimmed } };
}

function unquote(value: string): string {
  const first = value[0];
  if (value.length >= 2 && (first === '"' || first === "'" || first === '`') && value.endsWith(first)) return value.slice(1, -1);
  return value;
}

/** A stable lookup key for a tag set, independent of the order the user wrote the tags in. */
export function tagsKey(tags: Readonly<Record<string, string>>): string {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}:${tags[k]}`)
    .join(',');
}
