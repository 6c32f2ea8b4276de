import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parseMetricSelector } from './threshold-parser.js';
import type { MetricContains, MetricDefinition, MetricType, Sample, SubmetricSelector } from './types.js';

export interface K6JsonLinesHandlers {
  /** `submetrics`: the tag-filtered submetrics k6 lists for thresholds on this metric */
  onMetric(definition: MetricDefinition, submetrics: SubmetricSelector[]): void;
  onSample(sample: Sample): void;
}

const TYPES: readonly string[] = ['counter', 'gauge', 'rate', 'trend'];
const CONTAINS: readonly string[] = ['default', 'time', 'data'];
const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** A line of k6's JSON output that is not what k6 documents. */
export class K6JsonLinesError extends Error {}

/**
 * Reads k6's `--out json` lines (documented shape: `{"type":"Metric","data":{name?, type,
 * contains, thresholds, submetrics},"metric"}` and `{"type":"Point","data":{time, value, tags},
 * "metric"}`) and hands each on. Blank lines are skipped; anything else malformed throws, naming
 * the line number. Times keep their nanoseconds as fractional epoch milliseconds.
 */
export async function parseK6JsonLines(
  stream: AsyncIterable<string | Buffer> | NodeJS.ReadableStream,
  handlers: K6JsonLinesHandlers,
): Promise<{ metrics: number; points: number }> {
  const input = stream instanceof Readable ? stream : Readable.from(stream as AsyncIterable<string | Buffer>);
  const lines = createInterface({ input, crlfDelay: Infinity });
  const parser = new K6JsonLinesParser(handlers);
  for await (const line of lines) parser.line(line);
  return parser.counts();
}

/** The line-at-a-time core, also used to tail a file that k6 is still writing. */
export class K6JsonLinesParser {
  private lineNumber = 0;
  private metrics = 0;
  private points = 0;
  private readonly declared = new Set<string>();

  constructor(private readonly handlers: K6JsonLinesHandlers) {}

  line(text: string): void {
    this.lineNumber++;
    if (text.trim() === '') return;
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch (error) {
      throw this.bad(`not JSON (${(error as Error).message})`);
    }
    if (!isObject(entry) || typeof entry.metric !== 'string' || !isObject(entry.data)) {
      throw this.bad('expected {"type": "Metric"|"Point", "data": {...}, "metric": "name"}');
    }
    const { data, metric } = entry;
    if (entry.type === 'Metric') {
      if (!TYPES.includes(String(data.type))) throw this.bad(`metric "${metric}": type ${JSON.stringify(data.type)} is not counter, gauge, rate or trend`);
      const contains = data.contains ?? 'default';
      if (!CONTAINS.includes(String(contains))) throw this.bad(`metric "${metric}": contains ${JSON.stringify(contains)} is not default, time or data`);
      const name = typeof data.name === 'string' ? data.name : metric;
      this.declared.add(name);
      this.metrics++;
      this.handlers.onMetric({ name, type: data.type as MetricType, contains: contains as MetricContains }, this.submetrics(name, data.submetrics));
    } else if (entry.type === 'Point') {
      if (!this.declared.has(metric)) throw this.bad(`Point for metric "${metric}" before its Metric line`);
      if (typeof data.value !== 'number') throw this.bad(`Point for "${metric}": value must be a number`);
      const time = typeof data.time === 'string' ? parseRfc3339Nano(data.time) : undefined;
      if (time === undefined) throw this.bad(`Point for "${metric}": time ${JSON.stringify(data.time)} is not an RFC 3339 time`);
      let tags: Record<string, string> = {};
      if (data.tags !== null && data.tags !== undefined) {
        if (!isObject(data.tags)) throw this.bad(`Point for "${metric}": tags must be an object or null`);
        // k6 writes tag values as strings: keep the freshly parsed object unless one is not
        tags = data.tags as Record<string, string>;
        for (const k in tags) if (typeof tags[k] !== 'string') tags[k] = String(tags[k]);
      }
      this.points++;
      this.handlers.onSample({ metric, time, value: data.value, tags });
    } else {
      throw this.bad(`type ${JSON.stringify(entry.type)} is neither "Metric" nor "Point"`);
    }
  }

  /** k6 lists them as [{name: "metric{tag:value}", suffix, tags}]; the tags come from the name when absent */
  private submetrics(metric: string, list: unknown): SubmetricSelector[] {
    if (!Array.isArray(list)) return [];
    const out: SubmetricSelector[] = [];
    for (const item of list) {
      if (!isObject(item) || typeof item.name !== 'string') throw this.bad(`metric "${metric}": a submetric needs a name such as "${metric}{tag:value}"`);
      let tags: Record<string, string>;
      if (isObject(item.tags)) tags = Object.fromEntries(Object.entries(item.tags).map(([k, v]) => [k, String(v)]));
      else {
        try {
          tags = { ...parseMetricSelector(item.name).selector?.tags };
        } catch (error) {
          throw this.bad(`metric "${metric}": submetric ${(error as Error).message}`);
        }
      }
      out.push({ metric, tags, name: item.name });
    }
    return out;
  }

  counts(): { metrics: number; points: number } {
    return { metrics: this.metrics, points: this.points };
  }

  private bad(message: string): K6JsonLinesError {
    return new K6JsonLinesError(`k6 JSON output line ${this.lineNumber}: ${message}`);
  }
}

/** RFC 3339 with up to nanoseconds → epoch milliseconds with the sub-millisecond part kept. */
let lastSecond = '';
let lastSecondMs = NaN;

export function parseRfc3339Nano(text: string): number | undefined {
  const m = TIME.exec(text);
  if (!m) return undefined;
  // consecutive points share their second: parse the date part once per second
  const second = `${m[1]}${m[3]}`;
  if (second !== lastSecond) {
    lastSecondMs = Date.parse(second);
    lastSecond = second;
  }
  const whole = lastSecondMs;
  if (Number.isNaN(whole)) return undefined;
  const fraction = m[2] ? Number(m[2].padEnd(9, '0')) / 1_000_000 : 0;
  return whole + fraction;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
