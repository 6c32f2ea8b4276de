import type {
  AggregateSnapshot,
  MetricDefinition,
  MetricView,
  Sample,
  SampleSink,
  SubmetricSelector,
  Tags,
} from './types.js';

export interface MetricsAggregatorOptions {
  /** tag-filtered metrics to track (from `parseThresholds(...).submetrics`) */
  submetrics?: SubmetricSelector[];
  /** summaryTrendStats; decides nothing about storage (histograms keep every percentile) */
  trendStats?: string[];
}

/** One check's tally in the checks tree. */
export interface CheckTally {
  name: string;
  /** group path, `""` for the root, `::a::b` for nested groups */
  group: string;
  passes: number;
  fails: number;
}

export class MetricsAggregator implements SampleSink {
  constructor(_options: MetricsAggregatorOptions = {}) {}
  define(_definition: MetricDefinition): void {}
  add(_sample: Sample): void {}
  /** Everything added since the previous drain, to post to the main thread. */
  drain(): AggregateSnapshot {
    throw new Error('not implemented yet');
  }
  /** Adds a snapshot exactly (histograms added, counts summed). */
  merge(_snapshot: AggregateSnapshot): void {}
  view(_name: string, _tags?: Tags): MetricView | undefined {
    return undefined;
  }
  /** Every metric defined or seen, in definition order. */
  definitions(): MetricDefinition[] {
    return [];
  }
  /** Tracked submetric selectors. */
  submetrics(): SubmetricSelector[] {
    return [];
  }
  /** Check tallies in first-seen order. */
  checks(): CheckTally[] {
    return [];
  }
  /** Group paths seen (`::a`, `::a::b`), in first-seen order. */
  groups(): string[] {
    return [];
  }
}
