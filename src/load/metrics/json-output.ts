import { LineFile, type LineFileOptions } from './line-file.js';
import type { MetricDefinition, Sample, SampleSink, SubmetricSelector } from './types.js';

export interface JsonLinesOutputOptions extends LineFileOptions {
  /** threshold expressions per metric name, listed in its Metric line as k6 does */
  thresholds?: ReadonlyMap<string, readonly string[]>;
  /** tag-filtered submetrics, listed in their parent's Metric line */
  submetrics?: readonly SubmetricSelector[];
}

/**
 * k6's `--out json=FILE`: a Metric line the first time a metric gets a sample, then one Point
 * line per sample. Lines are buffered and written asynchronously; `FILE.gz` is gzipped, as k6
 * does. `close()` flushes and reports the first write error.
 */
export class JsonLinesOutput implements SampleSink {
  private readonly definitions = new Map<string, MetricDefinition>();
  /** per metric, the constant tail of its Point lines: `},"metric":"name"}\n` */
  private readonly pointTails = new Map<string, string>();
  private readonly out: LineFile;
  /** a request's samples share one tags object and one time: format each once */
  private readonly tagsJson = new WeakMap<object, string>();
  private lastTime = NaN;
  private lastTimeText = '';

  constructor(
    readonly file: string,
    private readonly options: JsonLinesOutputOptions = {},
  ) {
    this.out = new LineFile(file, `--out json=${file}`, options);
  }

  define(definition: MetricDefinition): void {
    if (!this.definitions.has(definition.name)) this.definitions.set(definition.name, definition);
  }

  add(sample: Sample): void {
    if (this.out.isClosed) return;
    let tail = this.pointTails.get(sample.metric);
    if (tail === undefined) tail = this.declare(sample.metric);
    if (sample.time !== this.lastTime) {
      this.lastTime = sample.time;
      this.lastTimeText = rfc3339Nano(sample.time);
    }
    let tags = this.tagsJson.get(sample.tags);
    if (tags === undefined) this.tagsJson.set(sample.tags, (tags = JSON.stringify(sample.tags)));
    this.out.push(`{"type":"Point","data":{"time":"${this.lastTimeText}","value":${jsonNumber(sample.value)},"tags":${tags}${tail}`);
  }

  /** Flushes what is buffered, closes the file, and rejects with the first write error. */
  close(): Promise<void> {
    return this.out.close();
  }

  private declare(name: string): string {
    const definition = this.definitions.get(name) ?? { name, type: 'trend', contains: 'default' };
    const submetrics = (this.options.submetrics ?? [])
      .filter((s) => s.metric === name)
      .map((s) => ({ name: s.name, suffix: s.name.slice(s.metric.length + 1, -1), tags: s.tags }));
    const data = {
      name,
      type: definition.type,
      contains: definition.contains,
      thresholds: this.options.thresholds?.get(name) ?? [],
      submetrics: submetrics.length ? submetrics : null,
    };
    this.out.push(`${JSON.stringify({ type: 'Metric', data, metric: name })}\n`);
    const tail = `},"metric":${JSON.stringify(name)}}\n`;
    this.pointTails.set(name, tail);
    return tail;
  }
}

function jsonNumber(value: number): string {
  // JSON has no NaN or Infinity; k6 would not emit them either
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * Go's RFC3339Nano, as k6 writes Point times: local time with its offset (`Z` in UTC) and the
 * fraction of the second with trailing zeros removed, e.g. `2017-05-09T14:34:45.239531499+02:00`.
 * `epochMs` may carry sub-millisecond digits.
 */
export function rfc3339Nano(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const date = new Date(wholeMs);
  const nanos = (wholeMs % 1000) * 1_000_000 + Math.round((epochMs - wholeMs) * 1_000_000);
  const offsetMin = -date.getTimezoneOffset();
  const local = new Date(wholeMs + offsetMin * 60_000);
  const base = local.toISOString().slice(0, 19);
  const fraction = nanos ? `.${String(Math.min(nanos, 999_999_999)).padStart(9, '0').replace(/0+$/, '')}` : '';
  if (offsetMin === 0) return `${base}${fraction}Z`;
  const sign = offsetMin > 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  return `${base}${fraction}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
