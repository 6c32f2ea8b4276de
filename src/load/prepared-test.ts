import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { compileCaptures } from '../readback/contract.js';
import type { RequestRecord } from '../run/records.js';
import type { RunDirectory } from '../run/run-dir.js';
import type { RunLoadOptions, ScriptInspection } from './engine.js';
import { openOutput, type MetricOutput } from './metrics/outputs.js';
import { MetricsAggregator } from './metrics/aggregator.js';
import { builtinMetricMap } from './metrics/builtin.js';
import { parseThresholds, ThresholdEvaluator, type ParsedThresholds } from './metrics/thresholds.js';
import type { MetricDefinition, Sample } from './metrics/types.js';
import { resolveOptions, scenarioWindows, type LoadOptions, type Overrides } from './options.js';
import { ScriptProgram } from './script/loader.js';
import { NO_SECRETS, parseSecretSources } from './secret-sources.js';
import { mainInstanceContext } from './script-hooks.js';
import { VuContext, type HttpDefaults, type InstanceContext } from './vu-context.js';

/**
 * The built-in engine's test before it starts, made once on the main thread: the script loaded
 * (its init context run once), its options resolved once (instances get the result, never the
 * raw options to resolve again), thresholds parsed, the aggregator and `--out` files open.
 */
export interface PreparedTest {
  script: string;
  env: Record<string, string>;
  allowRemote: boolean;
  program: ScriptProgram;
  exports: Record<string, unknown>;
  /** the main thread's instance: setup, teardown and handleSummary run with it */
  main: InstanceContext;
  options: LoadOptions;
  thresholds: ParsedThresholds;
  evaluator: ThresholdEvaluator;
  aggregator: MetricsAggregator;
  outputs: MetricOutput[];
  requests: RequestLog;
}

/** Request records gathered between ticks, appended to the run directory's requests.ndjson in batches. */
export class RequestLog {
  private readonly pending: RequestRecord[] = [];
  constructor(private readonly runDir: RunDirectory | undefined) {}
  readonly record = (record: RequestRecord): void => void this.pending.push(record);
  add(records: RequestRecord[]): void {
    this.pending.push(...records);
  }
  flush(): void {
    if (this.runDir && this.pending.length) this.runDir.appendRequests(this.pending.splice(0));
  }
}

/** Loads the script in this thread (init context once), to read its options and custom metrics. */
async function loadMain(script: string, env: Record<string, string>, allowRemote: boolean, secrets = NO_SECRETS) {
  const definitions: MetricDefinition[] = [];
  const recorder = { define: (d: MetricDefinition) => void definitions.push(d), add: () => {} };
  const program = await ScriptProgram.open(script);
  const ctx = mainInstanceContext({ sink: recorder, env, allowRemote, script });
  ctx.secrets = secrets;
  const exports = await program.instantiate(new VuContext(0, 0, ctx));
  return { program, exports, definitions, ctx };
}

/** Options and phase windows of a script, without running it (the drill draws phases from it). */
export async function inspectScript(path: string, env: Record<string, string> = {}, overrides: Overrides = {}): Promise<ScriptInspection> {
  const script = resolve(path);
  const { exports } = await loadMain(script, env, true);
  const options = resolveOptions(exports.options, script, overrides);
  return {
    options: exports.options as Record<string, unknown> | undefined,
    scenarios: scenarioWindows(options).map((w) => ({
      name: w.name,
      startMs: w.startMs,
      durationMs: w.durationMs,
      executor: w.executor,
      ...(w.peakRatePerSecond !== undefined ? { peakRatePerSecond: w.peakRatePerSecond } : {}),
    })),
  };
}

export async function prepareTest(run: RunLoadOptions): Promise<PreparedTest> {
  const script = resolve(run.script);
  const env = { ...run.env };
  const allowRemote = run.allowRemote ?? false;
  const secrets = parseSecretSources(run.secretSources);
  const { program, exports, definitions, ctx: main } = await loadMain(script, env, allowRemote, secrets);
  const options = resolveOptions(exports.options, script, run.overrides);
  checkExecFunctions(options, exports, script);

  const known = builtinMetricMap();
  for (const d of definitions) known.set(d.name, d);
  const thresholds = parseThresholds(options.thresholds, known, script);
  const aggregator = new MetricsAggregator({ submetrics: thresholds.submetrics, trendStats: options.summaryTrendStats });
  for (const d of definitions) aggregator.define(d);
  const evaluator = new ThresholdEvaluator(thresholds);
  const outputs = await openOutputs(run, thresholds);
  for (const o of outputs) for (const d of aggregator.definitions()) o.define(d);

  const requests = new RequestLog(run.runDir);
  main.sink = { define: (d) => aggregator.define(d), add: (s) => (aggregator.add(s), outputs.length && forwardSamples(outputs, [s])) };
  main.recordRequest = run.runDir ? requests.record : null;
  main.captures = compileCaptures(run.captures ?? []);
  main.httpDefaults = httpDefaults(options);
  main.globalTags = options.tags;
  main.options = exports.options ?? {};
  return { script, env, allowRemote, program, exports, main, options, thresholds, evaluator, aggregator, outputs, requests };
}

/** Raw samples to every `--out` output. */
export function forwardSamples(outputs: readonly MetricOutput[], samples: readonly Sample[]): void {
  for (const o of outputs) for (const s of samples) o.add(s);
}

export function httpDefaults(o: LoadOptions): HttpDefaults {
  return { noConnectionReuse: o.noConnectionReuse, discardResponseBodies: o.discardResponseBodies, maxRedirects: o.maxRedirects, userAgent: o.userAgent, insecureSkipTLSVerify: o.insecureSkipTLSVerify, httpDebug: o.httpDebug, hosts: o.hosts };
}

function checkExecFunctions(options: LoadOptions, exports: Record<string, unknown>, file: string): void {
  const issues = options.scenarios
    .filter((s) => typeof exports[s.config.exec] !== 'function')
    .map((s) => ({
      file,
      field: s.config.exec === 'default' ? 'export default' : `options.scenarios.${s.name}.exec`,
      message:
        s.config.exec === 'default'
          ? `the script has no default function; export one, or give scenario "${s.name}" an exec`
          : `"${s.config.exec}" is not an exported function of the script`,
    }));
  if (issues.length) throw new ConfigError(issues);
}

/** Every `--out`; one that cannot open closes the ones opened before it. */
async function openOutputs(run: RunLoadOptions, parsed: ParsedThresholds): Promise<MetricOutput[]> {
  const thresholds = new Map<string, string[]>();
  for (const t of parsed.thresholds) thresholds.set(t.metric.name, [...(thresholds.get(t.metric.name) ?? []), t.expression.source]);
  const context = { thresholds, env: process.env, collectors: run.collectors ?? {}, allowRemote: run.allowRemote ?? false };
  const outputs: MetricOutput[] = [];
  try {
    for (const spec of run.out ?? []) outputs.push(await openOutput(spec, context));
  } catch (error) {
    await Promise.allSettled(outputs.map((o) => o.close()));
    throw error;
  }
  return outputs;
}
