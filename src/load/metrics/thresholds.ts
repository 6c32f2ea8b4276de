import { ConfigError, didYouMean, type ConfigIssue } from '../../errors.js';
import { parseDuration } from '../../util/duration.js';
import {
  aggregationAllowed,
  aggregationsByType,
  compare,
  parseMetricSelector,
  parseThresholdExpression,
  tagsKey,
  ThresholdSyntaxError,
  type ThresholdExpression,
} from './threshold-parser.js';
import type { MetricDefinition, MetricView, SubmetricSelector } from './types.js';

export interface ParsedThreshold {
  /** the options key: `http_req_duration` or `http_req_duration{name:checkout}` */
  key: string;
  metric: MetricDefinition;
  /** set when the key has a tag filter */
  selector?: SubmetricSelector;
  expression: ThresholdExpression;
  abortOnFail: boolean;
  /** how long after the start abortOnFail waits before it may abort (k6's delayAbortEval) */
  delayAbortEvalMs: number;
}

export interface ParsedThresholds {
  thresholds: ParsedThreshold[];
  /** tag-filtered metrics to pass to `new MetricsAggregator({ submetrics })` */
  submetrics: SubmetricSelector[];
}

export interface ThresholdResult {
  /** summary entry name (metric or submetric) */
  key: string;
  /** the expression text, e.g. `p(95)<300` */
  source: string;
  ok: boolean;
  /** the aggregated value compared; undefined when the metric had no sample and it was not the end */
  actual?: number;
  abortOnFail: boolean;
}

export interface ThresholdEvaluation {
  results: ThresholdResult[];
  /** some threshold is not ok */
  failed: boolean;
  /** some abortOnFail threshold failed after its delayAbortEval: stop the run (exit 99) */
  abort: boolean;
}

/** What the evaluator reads: the aggregator satisfies it. */
export interface MetricViews {
  view(name: string, tags?: Readonly<Record<string, string>>): MetricView | undefined;
}

/**
 * Parses `options.thresholds` in k6's syntax, against the metrics the script can emit (built-ins
 * plus its custom metrics). Throws one ConfigError listing every bad key or expression.
 */
export function parseThresholds(
  thresholds: unknown,
  known: ReadonlyMap<string, MetricDefinition>,
  file = 'options',
): ParsedThresholds {
  const parsed: ParsedThresholds = { thresholds: [], submetrics: [] };
  if (thresholds === undefined || thresholds === null) return parsed;
  const issues: ConfigIssue[] = [];
  const fail = (field: string, message: string): void => void issues.push({ file, field, message });
  if (typeof thresholds !== 'object' || Array.isArray(thresholds)) {
    fail('thresholds', 'must be an object of metric name → list of expressions, e.g. { http_req_duration: ["p(95)<300"] }');
    throw new ConfigError(issues);
  }
  const seenSubmetrics = new Set<string>();
  for (const [key, list] of Object.entries(thresholds)) {
    const field = `thresholds["${key}"]`;
    let metricName: string;
    let selector: SubmetricSelector | undefined;
    try {
      ({ metric: metricName, selector } = parseMetricSelector(key));
    } catch (error) {
      fail(field, messageOf(error));
      continue;
    }
    const metric = known.get(metricName);
    if (!metric) {
      const hint = didYouMean(metricName, [...known.keys()]);
      fail(field, `no metric named "${metricName}"${hint ? `; did you mean "${hint}"?` : '; define it with k6/metrics or use a built-in metric'}`);
      continue;
    }
    if (selector && !seenSubmetrics.has(`${metricName}|${tagsKey(selector.tags)}`)) {
      seenSubmetrics.add(`${metricName}|${tagsKey(selector.tags)}`);
      parsed.submetrics.push(selector);
    }
    // k6 wants a list even for one expression; accepting a bare string would pass scripts k6 refuses
    if (!Array.isArray(list)) {
      const example = typeof list === 'string' ? `["${list}"]` : '["p(95)<300"]';
      fail(field, `must be a list of threshold expressions, e.g. ${example}`);
      continue;
    }
    list.forEach((item: unknown, index) => {
      const itemField = `${field}[${index}]`;
      const one = parseOne(item, metric, itemField, fail);
      if (one) parsed.thresholds.push({ key: selector ? selector.name : metricName, metric, ...(selector ? { selector } : {}), ...one });
    });
  }
  if (issues.length) throw new ConfigError(issues);
  return parsed;
}

function parseOne(
  item: unknown,
  metric: MetricDefinition,
  field: string,
  fail: (field: string, message: string) => void,
): Pick<ParsedThreshold, 'expression' | 'abortOnFail' | 'delayAbortEvalMs'> | undefined {
  let source: unknown = item;
  let abortOnFail = false;
  let delayAbortEvalMs = 0;
  if (isObject(item)) {
    source = item.threshold;
    for (const extra of Object.keys(item)) {
      if (!['threshold', 'abortOnFail', 'delayAbortEval'].includes(extra)) fail(`${field}.${extra}`, 'unknown field; use threshold, abortOnFail or delayAbortEval');
    }
    if (item.abortOnFail !== undefined && typeof item.abortOnFail !== 'boolean') fail(`${field}.abortOnFail`, 'must be true or false');
    else abortOnFail = item.abortOnFail === true;
    if (item.delayAbortEval !== undefined) {
      try {
        if (typeof item.delayAbortEval !== 'string' && typeof item.delayAbortEval !== 'number') throw new Error('must be a duration such as "10s"');
        delayAbortEvalMs = parseDuration(item.delayAbortEval, 'delayAbortEval');
      } catch (error) {
        fail(`${field}.delayAbortEval`, messageOf(error));
      }
    }
  }
  if (typeof source !== 'string') {
    fail(isObject(item) ? `${field}.threshold` : field, 'must be a threshold expression string such as "p(95)<300"');
    return undefined;
  }
  let expression: ThresholdExpression;
  try {
    expression = parseThresholdExpression(source);
  } catch (error) {
    if (!(error instanceof ThresholdSyntaxError)) throw error;
    fail(field, `metric "${metric.name}": ${error.message}`);
    return undefined;
  }
  if (!aggregationAllowed(metric.type, expression.aggregation)) {
    fail(
      field,
      `metric "${metric.name}" is a ${metric.type}; "${source}" uses "${expression.aggregation}", but a ${metric.type} threshold can use only ${aggregationsByType[metric.type].join(', ')}`,
    );
    return undefined;
  }
  return { expression, abortOnFail, delayAbortEvalMs };
}

/**
 * Evaluates thresholds over the whole run so far. During the run (`final: false`) a metric with
 * no sample yet is skipped (it stays ok), as k6 skips empty sinks. At the end every threshold is
 * judged, an empty metric reading as zero: `dropped_iterations: ['count<10']` passes with none,
 * `checks: ['rate>0.9']` fails when no check ever ran. k6 leaves those ok (grafana/k6#4283, open
 * as a bug); a release gate must not pass on data that never came.
 */
export class ThresholdEvaluator {
  constructor(readonly parsed: ParsedThresholds) {}

  evaluate(views: MetricViews, elapsedMs: number, options: { final?: boolean } = {}): ThresholdEvaluation {
    const results: ThresholdResult[] = [];
    let failed = false;
    let abort = false;
    for (const t of this.parsed.thresholds) {
      const view = views.view(t.metric.name, t.selector?.tags);
      const empty = !view || view.samples === 0;
      if (empty && !options.final) {
        results.push({ key: t.key, source: t.expression.source, ok: true, abortOnFail: t.abortOnFail });
        continue;
      }
      const actual = (view?.stat(t.expression.aggregation, elapsedMs) ?? 0) || 0;
      const ok = compare(actual, t.expression.operator, t.expression.value);
      results.push({ key: t.key, source: t.expression.source, ok, actual, abortOnFail: t.abortOnFail });
      if (!ok) {
        failed = true;
        if (t.abortOnFail && elapsedMs >= t.delayAbortEvalMs) abort = true;
      }
    }
    return { results, failed, abort };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.replace(/^delayAbortEval: /, '') : String(error);
}
