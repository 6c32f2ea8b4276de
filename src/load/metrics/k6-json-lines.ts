import type { MetricDefinition, Sample } from './types.js';

export interface K6JsonLinesHandlers {
  onMetric(definition: MetricDefinition): void;
  onSample(sample: Sample): void;
}

/** Reads k6's `--out json` lines from a stream and hands each Metric and Point on. */
export async function parseK6JsonLines(
  _stream: AsyncIterable<string | Buffer> | NodeJS.ReadableStream,
  _handlers: K6JsonLinesHandlers,
): Promise<{ metrics: number; points: number }> {
  throw new Error('not implemented yet');
}
