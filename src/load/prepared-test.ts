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
import type { Sample } from './metrics/types.js';
import { resolveOptions, scenarioWindows, type LoadOptions, type Overrides } from './options.js';
import { ScriptWorker } from './script-worker.js';
import type { HttpDefaults } from './vu-context.js';
import type { InstanceSettings, LoadedScript, ScriptWorkerData } from './worker-protocol.js';
import { prefetchRemoteModules } from './script/remote-modules.js';
import { NO_SECRETS, parseSecretSources } from './secret-sources.js';

/**
 * The built-in engine's test before it starts, made once on the main thread: the script loaded
 * in its first worker (VU 0's init context there: the main thread never runs the script), its
 * options resolved once (instances get the result, never the raw options to resolve again),
 * thresholds parsed, the aggregator and `--out` files open.
 */
export interface PreparedTest {
  script: string;
  /** what every load worker starts with */
  workerData: ScriptWorkerData;
  /** the worker that ran the init context: setup, instance 0, teardown and handleSummary run on it */
  first: ScriptWorker;
  loaded: LoadedScript;
  options: LoadOptions;
  /** the settings every instance and hook gets (testStartedAt is set when the test starts) */
  settings: InstanceSettings;
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

/**
 * The script's first worker, its init context run (VU 0); the worker is terminated when that fails
 * or `signal` fires. The remote modules the script imports are fetched here first (into the module
 * cache the workers read): fetching runs none of the script.
 */
export async function loadFirst(data: ScriptWorkerData, signal?: AbortSignal): Promise<{ first: ScriptWorker; loaded: LoadedScript }> {
  await prefetchRemoteModules(data.script);
  const first = new ScriptWorker(0, data);
  try {
    return { first, loaded: await first.load(signal) };
  } catch (error) {
    await first.terminate();
    throw error;
  }
}

/** Options and phase windows of a script, without running it (the drill draws phases from it). */
export async function inspectScript(path: string, env: Record<string, string> = {}, overrides: Overrides = {}): Promise<ScriptInspection> {
  const script = resolve(path);
  const { first, loaded } = await loadFirst({ script, env, allowRemote: true, secrets: NO_SECRETS, verbose: false, startedAt: Date.now(), stderrIsTTY: Boolean(process.stderr.isTTY) });
  await first.terminate();
  const options = resolveOptions(loaded.options, script, overrides);
  return {
    options: loaded.options as Record<string, unknown> | undefined,
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
  compileCaptures(run.captures ?? []); // a bad JSON path is refused here, before anything starts (workers compile their own)
  const workerData: ScriptWorkerData = {
    script,
    env: { ...run.env },
    allowRemote: run.allowRemote ?? false,
    secrets: parseSecretSources(run.secretSources),
    verbose: run.verbose ?? false,
    startedAt: Date.now(),
    stderrIsTTY: Boolean(process.stderr.isTTY),
  };
  const { first, loaded } = await loadFirst(workerData, run.signal);
  try {
    const options = resolveOptions(loaded.options, script, run.overrides);
    checkExecFunctions(options, loaded.functions, script);

    const known = builtinMetricMap();
    for (const d of loaded.definitions) known.set(d.name, d);
    const thresholds = parseThresholds(options.thresholds, known, script);
    const aggregator = new MetricsAggregator({ submetrics: thresholds.submetrics, trendStats: options.summaryTrendStats });
    for (const d of loaded.definitions) aggregator.define(d);
    const evaluator = new ThresholdEvaluator(thresholds);
    const outputs = await openOutputs(run, thresholds);
    for (const o of outputs) for (const d of aggregator.definitions()) o.define(d);
    const settings: InstanceSettings = {
      submetrics: thresholds.submetrics,
      trendStats: options.summaryTrendStats,
      httpDefaults: httpDefaults(options),
      globalTags: options.tags,
      recordRequests: Boolean(run.runDir),
      captures: run.captures ?? [],
      forwardSamples: outputs.length > 0,
      options: loaded.options ?? {},
      testStartedAt: workerData.startedAt,
    };
    return { script, workerData, first, loaded, options, settings, thresholds, evaluator, aggregator, outputs, requests: new RequestLog(run.runDir) };
  } catch (error) {
    await first.terminate();
    throw error;
  }
}

/** Raw samples to every `--out` output. */
export function forwardSamples(outputs: readonly MetricOutput[], samples: readonly Sample[]): void {
  for (const o of outputs) for (const s of samples) o.add(s);
}

export function httpDefaults(o: LoadOptions): HttpDefaults {
  return { noConnectionReuse: o.noConnectionReuse, discardResponseBodies: o.discardResponseBodies, maxRedirects: o.maxRedirects, userAgent: o.userAgent, insecureSkipTLSVerify: o.insecureSkipTLSVerify, httpDebug: o.httpDebug, hosts: o.hosts };
}

function checkExecFunctions(options: LoadOptions, functions: readonly string[], file: string): void {
  const issues = options.scenarios
    .filter((s) => !functions.includes(s.config.exec))
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
