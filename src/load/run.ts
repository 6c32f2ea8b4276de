import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type { RunDirectory } from '../run/run-dir.js';
import type { RequestRecord } from '../run/records.js';
import { Coordinator, workerCount } from './coordinator.js';
import { JsonLinesOutput } from './metrics/json-output.js';
import { MetricsAggregator } from './metrics/aggregator.js';
import { builtinMetricMap } from './metrics/builtin.js';
import { buildSummaryData, summaryExport, textSummary, type K6SummaryData } from './metrics/summary.js';
import { parseThresholds, ThresholdEvaluator, type ThresholdResult } from './metrics/thresholds.js';
import type { MetricDefinition, Sample } from './metrics/types.js';
import { resolveOptions, scenarioWindows, type LoadOptions, type Overrides } from './options.js';
import { ProgressMeter, type LoadProgress } from './progress.js';
import { ScriptError } from './script/errors.js';
import { ScriptProgram } from './script/loader.js';
import { runScriptHook, mainInstanceContext } from './script-hooks.js';
import { VuContext } from './vu-context.js';
import { runWithK6 } from './engine-k6.js';

export type { LoadProgress } from './progress.js';

export interface RunLoadOptions {
  script: string;
  env?: Record<string, string>;
  overrides?: Overrides;
  runDir?: RunDirectory;
  quiet?: boolean;
  /** called after every merged tick (about twice a second); when given, nothing is printed: the caller shows progress */
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  summaryExport?: string;
  out?: string[];
  engine?: 'auto' | 'builtin' | 'k6';
  allowRemote?: boolean;
  /**
   * Run the test's first instance on the calling thread instead of a worker thread (a test that
   * one instance serves — arrival rates up to ONE_WORKER_RATE — starts no thread at all): less CPU
   * and memory, for a caller with nothing else on its thread (the CLI). Default false: worker
   * threads only, apart from the caller's own work (the drill's).
   */
  mainThread?: boolean;
  /** where the end-of-test text goes; default process.stdout (nothing when handleSummary returns no stdout) */
  stdout?: (text: string) => void;
}

export interface LoadRunResult {
  exitCode: number;
  thresholdsPassed: boolean;
  summary: K6SummaryData;
  engine: 'builtin' | 'k6';
  thresholds: ThresholdResult[];
  /** why the run stopped early, when it did */
  aborted?: string;
}

/** Loads the script in this thread (init context once), to read its options and custom metrics. */
async function loadMain(script: string, env: Record<string, string>, allowRemote: boolean) {
  const definitions: MetricDefinition[] = [];
  const recorder = { define: (d: MetricDefinition) => void definitions.push(d), add: () => {} };
  const program = new ScriptProgram(script);
  const ctx = mainInstanceContext({ sink: recorder, env, allowRemote, script });
  const exports = await program.instantiate(new VuContext(0, 0, ctx));
  return { program, exports, definitions, ctx };
}

/** Options and phase windows of a script, without running it (the drill draws phases from it). */
export async function inspectScript(path: string, env: Record<string, string> = {}, overrides: Overrides = {}) {
  const script = resolve(path);
  const { exports } = await loadMain(script, env, true);
  const options = resolveOptions(exports.options, script, overrides);
  return {
    options: exports.options as Record<string, unknown> | undefined,
    scenarios: scenarioWindows(options).map((w) => ({ name: w.name, startMs: w.startMs, durationMs: w.durationMs, executor: w.executor })),
  };
}

export async function runLoadTest(options: RunLoadOptions): Promise<LoadRunResult> {
  if (options.engine === 'k6') return runWithK6(options);
  const script = resolve(options.script);
  const env = { ...options.env };
  const allowRemote = options.allowRemote ?? false;
  const out = (text: string) => (options.stdout ? options.stdout(text) : process.stdout.write(text));
  const { program, exports, definitions, ctx: mainCtx } = await loadMain(script, env, allowRemote);
  const loadOptions = resolveOptions(exports.options, script, options.overrides);
  checkExecFunctions(loadOptions, exports, script);

  const known = builtinMetricMap();
  for (const d of definitions) known.set(d.name, d);
  const parsed = parseThresholds(loadOptions.thresholds, known, script);
  const aggregator = new MetricsAggregator({ submetrics: parsed.submetrics, trendStats: loadOptions.summaryTrendStats });
  for (const d of definitions) aggregator.define(d);
  const evaluator = new ThresholdEvaluator(parsed);
  const jsonOuts = (options.out ?? []).map((spec) => openOutput(spec, parsed));
  const sinkAll = (samples: Sample[]) => {
    for (const o of jsonOuts) for (const s of samples) o.add(s);
  };
  for (const o of jsonOuts) for (const d of aggregator.definitions()) o.define(d);

  const runDir = options.runDir;
  const requestBuffer: RequestRecord[] = [];
  const flushRequests = () => {
    if (runDir && requestBuffer.length) runDir.appendRequests(requestBuffer.splice(0));
  };
  mainCtx.sink = { define: (d) => aggregator.define(d), add: (s) => (aggregator.add(s), jsonOuts.length && sinkAll([s])) };
  mainCtx.recordRequest = runDir ? (r) => void requestBuffer.push(r) : null;
  mainCtx.httpDefaults = httpDefaults(loadOptions);
  mainCtx.globalTags = loadOptions.tags;
  mainCtx.options = exports.options ?? {};

  const started = Date.now();
  mainCtx.testStartedAt = started;
  let scenariosStarted = started;
  let aborted: string | undefined;
  let failedMark: string | undefined;
  const setupVu = new VuContext(0, 0, mainCtx);
  await program.instantiate(setupVu);
  const setupData = await runScriptHook(program, exports, 'setup', [], loadOptions.setupTimeoutMs, setupVu);
  const data = setupData === undefined ? undefined : JSON.parse(JSON.stringify(setupData));

  const windows = scenarioWindows(loadOptions);
  const totalMs = Math.max(0, ...windows.map((w) => w.startMs + w.durationMs));
  const maxVus = loadOptions.scenarios.reduce((sum, s) => sum + s.executor.maxVus(s.config), 0);
  const rates = loadOptions.scenarios.map((s) => s.executor.peakRatePerSecond?.(s.config));
  const arrivalOnlyPeakRate = rates.every((r) => r !== undefined) ? rates.reduce((a, r) => a + r!, 0) : undefined;
  const meter = new ProgressMeter(aggregator, totalMs, options.quiet ?? false, options.onProgress);
  const coordinator = new Coordinator(aggregator, {
    onRequests: (records) => requestBuffer.push(...records),
    onSamples: sinkAll,
    onAbortTest: (reason) => {
      aborted ??= reason;
      coordinator.abort(reason);
    },
    onMarkFailed: (reason) => (failedMark ??= reason),
    onTick: (state) => {
      meter.update(state, scenariosStarted);
      for (const [name, active] of meter.phaseChanges(state.running)) {
        runDir?.appendTimeline({ t: Date.now(), type: 'phase', state: active ? 'start' : 'end', phase: name });
      }
      const now = Date.now();
      aggregator.add({ metric: 'vus', value: state.activeVus, tags: loadOptions.tags, time: now });
      aggregator.add({ metric: 'vus_max', value: state.initialisedVus, tags: loadOptions.tags, time: now });
      flushRequests();
      const evaluation = evaluator.evaluate(aggregator, now - started);
      if (evaluation.abort && !aborted) {
        aborted = `thresholds crossed with abortOnFail: ${evaluation.results.filter((r) => !r.ok && r.abortOnFail).map((r) => `${r.key} ${r.source}`).join(', ')}`;
        coordinator.abort(aborted);
      }
    },
  });
  const onSignal = () => {
    aborted ??= 'stopped by the user';
    coordinator.abort(aborted);
  };
  options.signal?.addEventListener('abort', onSignal, { once: true });
  try {
    await coordinator.start(workerCount(maxVus, arrivalOnlyPeakRate), {
      script,
      env,
      overrides: options.overrides ?? {},
      setupData: data,
      submetrics: parsed.submetrics,
      trendStats: loadOptions.summaryTrendStats,
      allowRemote,
      httpDefaults: httpDefaults(loadOptions),
      globalTags: loadOptions.tags,
      recordRequests: Boolean(runDir),
      forwardSamples: jsonOuts.length > 0,
      options: exports.options ?? {},
      testStartedAt: started,
    }, options.mainThread ? { program } : undefined);
    if (options.signal?.aborted) onSignal();
    scenariosStarted = Date.now() + 20;
    coordinator.begin(scenariosStarted);
    await coordinator.finished();
  } finally {
    options.signal?.removeEventListener('abort', onSignal);
    meter.stop();
    await coordinator.stop();
  }
  for (const [name] of meter.phaseChanges(new Set())) runDir?.appendTimeline({ t: Date.now(), type: 'phase', state: 'end', phase: name });

  await runScriptHook(program, exports, 'teardown', [data], loadOptions.teardownTimeoutMs, setupVu);
  flushRequests();
  const elapsed = Date.now() - started;
  const final = evaluator.evaluate(aggregator, elapsed, { final: true });
  const summary = buildSummaryData({
    aggregator,
    thresholds: final.results,
    options: { summaryTrendStats: loadOptions.summaryTrendStats, summaryTimeUnit: loadOptions.summaryTimeUnit, noColor: !process.stdout.isTTY },
    state: { isStdOutTTY: Boolean(process.stdout.isTTY), isStdErrTTY: Boolean(process.stderr.isTTY), testRunDurationMs: elapsed },
    setupData: data,
  });
  await writeSummaries(program, exports, summary, options, out, setupVu);
  runDir?.writeJson('summary', summary);
  for (const o of jsonOuts) await o.close();
  const exitCode = aborted && !final.failed ? ExitCode.scriptAborted : final.failed ? ExitCode.thresholdsFailed : failedMark ? ExitCode.markedAsFailed : ExitCode.ok;
  if (aborted) process.stderr.write(`peakready: run aborted: ${aborted}\n`);
  return { exitCode, thresholdsPassed: !final.failed, summary, engine: 'builtin', thresholds: final.results, ...(aborted ? { aborted } : {}) };
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

function httpDefaults(o: LoadOptions) {
  return { noConnectionReuse: o.noConnectionReuse, discardResponseBodies: o.discardResponseBodies, maxRedirects: o.maxRedirects, userAgent: o.userAgent, insecureSkipTLSVerify: o.insecureSkipTLSVerify };
}

function openOutput(spec: string, parsed: ReturnType<typeof parseThresholds>): JsonLinesOutput {
  const m = /^json=(.+)$/.exec(spec);
  if (!m) throw new ConfigError([{ file: '--out', message: `"${spec}" is not supported by the built-in engine; use --out json=FILE` }]);
  const thresholds = new Map<string, string[]>();
  for (const t of parsed.thresholds) thresholds.set(t.metric.name, [...(thresholds.get(t.metric.name) ?? []), t.expression.source]);
  return new JsonLinesOutput(resolve(m[1]!), { thresholds });
}

/** handleSummary when the script has one (its returned files written), else k6's text summary. */
async function writeSummaries(program: ScriptProgram, exports: Record<string, unknown>, summary: K6SummaryData, options: RunLoadOptions, out: (t: string) => void, vu: VuContext) {
  if (options.summaryExport) writeFileSync(resolve(options.summaryExport), JSON.stringify(summaryExport(summary), null, 2) + '\n');
  if (typeof exports.handleSummary !== 'function') {
    out('\n' + textSummary(summary, { indent: ' ', enableColors: Boolean(process.stdout.isTTY) }) + '\n');
    return;
  }
  const files = await runScriptHook(program, exports, 'handleSummary', [summary], 60_000, vu);
  if (files === null || typeof files !== 'object') {
    throw new ScriptError(`${program.entry}: handleSummary must return an object of { stdout | stderr | file path: content }`);
  }
  for (const [target, content] of Object.entries(files as Record<string, unknown>)) {
    const text = typeof content === 'string' ? content : content instanceof ArrayBuffer ? Buffer.from(content) : JSON.stringify(content);
    if (target === 'stdout') out(String(text));
    else if (target === 'stderr') process.stderr.write(String(text));
    else writeFileSync(resolve(target), text); // as k6: relative to the working directory
  }
}
