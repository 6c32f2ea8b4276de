import { resolve } from 'node:path';
import { ConfigError, didYouMean } from '../../errors.js';
import { csvConfig, CsvOutput } from './csv-output.js';
import { JsonLinesOutput } from './json-output.js';
import { prometheusRwConfig } from './prometheus-rw-config.js';
import type { SampleSink } from './types.js';

/**
 * `--out NAME[=ARGUMENT]`: the outputs by k6's names, in one registry. Adding one: a file with
 * its sink (a `SampleSink` with `close()`), and one entry here.
 */
export interface MetricOutput extends SampleSink {
  /** flushes and ends the output; rejects when it could not write */
  close(): Promise<void>;
}

export interface OutputContext {
  /** threshold expressions per metric name (the JSON output lists them) */
  thresholds: ReadonlyMap<string, readonly string[]>;
  env: NodeJS.ProcessEnv;
  /** `collectors.<name>` of k6's --config file */
  collectors: Record<string, Record<string, unknown>>;
  allowRemote: boolean;
}

type OutputFactory = (argument: string, context: OutputContext) => Promise<MetricOutput>;

const outputRegistry: ReadonlyMap<string, OutputFactory> = new Map<string, OutputFactory>([
  ['json', async (argument, { thresholds }) => {
    if (!argument) throw new ConfigError([{ file: '--out json', message: 'needs a file: write --out json=FILE (FILE.gz is gzipped)' }]);
    return new JsonLinesOutput(resolve(argument), { thresholds });
  }],
  ['csv', async (argument, { env }) => {
    const config = csvConfig(argument, env);
    return new CsvOutput({ ...config, fileName: resolve(config.fileName) });
  }],
  ['experimental-prometheus-rw', async (_argument, { env, collectors, allowRemote }) => {
    const config = prometheusRwConfig(env, collectors['experimental-prometheus-rw'], allowRemote);
    // loaded only when the output is used: a native module, and most runs do not need it
    const [{ PrometheusRemoteWriteOutput }, { snappyCompress }] = await Promise.all([import('./prometheus-rw-output.js'), import('./remote-write-snappy.js')]);
    return new PrometheusRemoteWriteOutput(config, snappyCompress);
  }],
]);

/** k6's other outputs: named so that a k6 user learns they are k6's, not a typo. */
const K6_ONLY = ['cloud', 'influxdb', 'statsd', 'datadog', 'kafka', 'experimental-opentelemetry', 'opentelemetry', 'web-dashboard', 'timescaledb'];

export const OUTPUT_NAMES: readonly string[] = [...outputRegistry.keys()];

export async function openOutput(spec: string, context: OutputContext): Promise<MetricOutput> {
  const eq = spec.indexOf('=');
  const name = eq < 0 ? spec : spec.slice(0, eq);
  const argument = eq < 0 ? '' : spec.slice(eq + 1);
  const factory = outputRegistry.get(name);
  if (factory) return await factory(argument, context);
  const known = OUTPUT_NAMES.join(', ');
  if (K6_ONLY.includes(name)) {
    throw new ConfigError([{ file: `--out ${spec}`, message: `"${name}" is one of k6's outputs that the built-in engine does not provide; run it with --engine k6, or use ${known}` }]);
  }
  const hint = didYouMean(name, OUTPUT_NAMES);
  throw new ConfigError([{ file: `--out ${spec}`, message: `"${name}" is not an output${hint ? `; did you mean "${hint}"?` : ''} (outputs: ${known})` }]);
}
