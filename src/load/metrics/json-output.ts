import type { MetricDefinition, Sample, SampleSink } from './types.js';

export interface JsonLinesOutputOptions {
  /** thresholds per metric name, listed in the Metric line as k6 does */
  thresholds?: ReadonlyMap<string, string[]>;
}

/** k6's `--out json=FILE`: a Metric line once per metric, then a Point line per sample. */
export class JsonLinesOutput implements SampleSink {
  constructor(readonly file: string, _options: JsonLinesOutputOptions = {}) {}
  define(_definition: MetricDefinition): void {}
  add(_sample: Sample): void {}
  /** Flushes and closes the file. */
  async close(): Promise<void> {}
}
