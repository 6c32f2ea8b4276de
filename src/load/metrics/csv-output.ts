import { ConfigError } from '../../errors.js';
import { durationMs, notADuration } from '../../util/duration.js';
import { rfc3339Nano } from './json-output.js';
import { LineFile } from './line-file.js';
import type { MetricDefinition, Sample, SampleSink } from './types.js';

/**
 * k6's `--out csv=FILE`: a header, then one row per sample with k6's columns: the metric, the
 * time, the value (`%f`), the system tags each in its column, every other tag in `extra_tags`
 * (`key=value&...`), and `metadata` (empty: the runtime keeps no per-sample metadata). Options as
 * k6's: `csv=FILE` or `csv=fileName=FILE,saveInterval=1s,timeFormat=unix`, and the environment
 * variables K6_CSV_FILENAME, K6_CSV_SAVE_INTERVAL and K6_CSV_TIME_FORMAT. `FILE.gz` is gzipped.
 */
export const CSV_COLUMNS = ['check', 'error', 'error_code', 'expected_response', 'group', 'method', 'name', 'proto', 'scenario', 'service', 'status', 'subproto', 'tls_version', 'url'] as const;
export const CSV_HEADER = ['metric_name', 'timestamp', 'metric_value', ...CSV_COLUMNS, 'extra_tags', 'metadata'].join(',');

export const TIME_FORMATS = ['unix', 'unix_milli', 'unix_micro', 'unix_nano', 'rfc3339', 'rfc3339_nano'] as const;
export type TimeFormat = (typeof TIME_FORMATS)[number];

export interface CsvOutputConfig {
  fileName: string;
  saveIntervalMs: number;
  timeFormat: TimeFormat;
}

const SYSTEM = new Set<string>(CSV_COLUMNS);

/** The output's config from its `--out` argument over the K6_CSV_* environment, as k6 reads them. */
export function csvConfig(argument: string, env: NodeJS.ProcessEnv): CsvOutputConfig {
  const bad = (message: string): never => {
    throw new ConfigError([{ file: `--out csv=${argument}`, message }]);
  };
  const values: Record<string, string | undefined> = { fileName: env.K6_CSV_FILENAME, saveInterval: env.K6_CSV_SAVE_INTERVAL, timeFormat: env.K6_CSV_TIME_FORMAT };
  if (argument.includes('=')) {
    for (const part of argument.split(',')) {
      const eq = part.indexOf('=');
      const key = part.slice(0, eq);
      if (eq < 0 || !(key in values)) bad(`"${part}" is not fileName=, saveInterval= or timeFormat=`);
      values[key] = part.slice(eq + 1);
    }
  } else if (argument) values.fileName = argument;
  const fileName = values.fileName ?? 'file.csv';
  const saveIntervalMs = values.saveInterval === undefined ? 1000 : (durationMs(values.saveInterval) ?? bad(`saveInterval: ${notADuration(values.saveInterval)}`));
  const timeFormat = values.timeFormat ?? 'unix';
  if (!(TIME_FORMATS as readonly string[]).includes(timeFormat)) bad(`timeFormat: "${timeFormat}" is not one of ${TIME_FORMATS.join(', ')}`);
  return { fileName, saveIntervalMs, timeFormat: timeFormat as TimeFormat };
}

export class CsvOutput implements SampleSink {
  private readonly out: LineFile;

  constructor(private readonly config: CsvOutputConfig) {
    this.out = new LineFile(config.fileName, `--out csv=${config.fileName}`, { flushIntervalMs: config.saveIntervalMs });
    this.out.push(`${CSV_HEADER}\n`);
  }

  define(_definition: MetricDefinition): void {}

  add(sample: Sample): void {
    if (this.out.isClosed) return;
    const tags = sample.tags;
    const row = [csvField(sample.metric), csvTime(sample.time, this.config.timeFormat), Number.isFinite(sample.value) ? sample.value.toFixed(6) : 'NaN'];
    for (const column of CSV_COLUMNS) row.push(csvField(tags[column] ?? ''));
    const extra = Object.keys(tags)
      .filter((k) => !SYSTEM.has(k))
      .sort()
      .map((k) => `${k}=${tags[k]}`)
      .join('&');
    row.push(csvField(extra), '');
    this.out.push(`${row.join(',')}\n`);
  }

  close(): Promise<void> {
    return this.out.close();
  }
}

/** A field quoted as Go's encoding/csv quotes it: when it holds a comma, quote, line break or leading space. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvTime(epochMs: number, format: TimeFormat): string {
  switch (format) {
    case 'unix':
      return String(Math.floor(epochMs / 1000));
    case 'unix_milli':
      return String(Math.floor(epochMs));
    case 'unix_micro':
      return String(Math.floor(epochMs * 1000));
    case 'unix_nano':
      // a double holds an epoch to about a microsecond: nanoseconds below that would be noise
      return (BigInt(Math.round(epochMs * 1000)) * 1000n).toString();
    case 'rfc3339':
      return rfc3339Nano(Math.floor(epochMs / 1000) * 1000);
    case 'rfc3339_nano':
      return rfc3339Nano(epochMs);
  }
}
