import type { MetricDefinition, MetricView, SubmetricSelector } from './types.js';
import type { ThresholdExpression } from './threshold-parser.js';

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
  /** the aggregated value compared (undefined when the metric saw no sample yet) */
  actual?: number;
  abortOnFail: boolean;
}

/** What the evaluator reads: the aggregator satisfies it. */
export interface MetricViews {
  view(name: string, tags?: Readonly<Record<string, string>>): MetricView | undefined;
}

/**
 * Parses `options.thresholds` in k6's syntax. Throws ConfigError listing every bad metric or
 * expression at once.
 */
export function parseThresholds(
  _thresholds: unknown,
  _known: ReadonlyMap<string, MetricDefinition>,
): ParsedThresholds {
  throw new Error('not implemented yet');
}

/** Evaluates thresholds over the whole run so far; pure apart from the aggregator it reads. */
export class ThresholdEvaluator {
  constructor(readonly parsed: ParsedThresholds) {}

  evaluate(_aggregator: MetricViews, _elapsedMs: number): { results: ThresholdResult[]; failed: boolean; abort: boolean } {
    throw new Error('not implemented yet');
  }
}
