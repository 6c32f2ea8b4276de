/**
 * The boundary between the load runtime (VUs, executors, k6 modules) and the metrics room
 * (aggregation, thresholds, summary, outputs). The runtime only ever emits samples through a
 * `SampleSink`; everything downstream of that lives in src/load/metrics/.
 */

/** k6's four metric types. */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';
/** k6's value types: `time` values are milliseconds, `data` values are bytes. */
export type MetricContains = 'default' | 'time' | 'data';

export type Tags = Readonly<Record<string, string>>;

export interface MetricDefinition {
  name: string;
  type: MetricType;
  contains: MetricContains;
}

export interface Sample {
  metric: string;
  /** epoch ms */
  time: number;
  /** a rate's value is 1 (pass / true) or 0 */
  value: number;
  /** never changed after add(): sinks may keep it, and a request's samples may share one object */
  tags: Tags;
}

/** Where VUs put samples. Cheap and synchronous: it is on the hot path of every request. */
export interface SampleSink {
  /** Declares a metric (built-ins are predeclared; custom ones come from k6/metrics constructors). */
  define(definition: MetricDefinition): void;
  add(sample: Sample): void;
  /** `add` without a Sample object, where the sink keeps none (the hot path: ~15 values per request) */
  addValue?(metric: string, value: number, tags: Tags, time: number): void;
}

/**
 * A serialisable aggregate of everything a sink saw (HDR histograms for trends, counts for the
 * rest, per metric and per threshold submetric). Worker threads post snapshots to the main
 * thread, which merges them exactly: trends are merged histograms, never averages.
 */
export interface AggregateSnapshot {
  version: 1;
  /** opaque to the runtime */
  metrics: Record<string, unknown>;
}

/**
 * A threshold's metric selector, e.g. `http_req_duration{name:checkout}`: as in k6, a sample
 * belongs to the submetric when every selector tag is present on the sample with that value.
 */
export interface SubmetricSelector {
  /** the parent metric, e.g. `http_req_duration` */
  metric: string;
  tags: Tags;
  /** the entry's name in summaries, k6-style: `http_req_duration{name:checkout}` */
  name: string;
}

/**
 * Read access to one aggregated metric (or submetric) for progress lines and thresholds.
 * Aggregations use k6's words: counter `count`, `rate`; gauge `value`, `min`, `max`;
 * rate `rate`, `passes`, `fails`; trend `count`, `avg`, `min`, `med`, `max`, `p(N)`.
 */
export interface MetricView {
  readonly definition: MetricDefinition;
  /** how many samples were aggregated */
  readonly samples: number;
  /**
   * One aggregation's current value, or undefined when it does not apply to the metric's type.
   * A counter's `rate` is per second over `elapsedMs` (the run's duration so far).
   */
  stat(aggregation: string, elapsedMs?: number): number | undefined;
}
