import { ExitCode } from '../exit-codes.js';
import type { LoadEngine, LoadRunResult, RunLoadOptions } from './engine.js';
import { writeSummaries } from './end-of-test.js';
import { buildSummaryData, type K6SummaryData } from './metrics/summary.js';
import { forwardSamples, inspectScript, loadFirst, prepareTest, type PreparedTest } from './prepared-test.js';
import { ScenarioRun, type ScenarioOutcome } from './scenario-run.js';
import { ScriptWorker } from './script-worker.js';
import type { HookName, MetricsDelta } from './worker-protocol.js';

/**
 * The built-in engine: the script on Node worker threads, with k6's lifecycle — init, setup()
 * once, the scenarios, teardown() once, handleSummary — its summary and its exit codes. The main
 * thread only coordinates, so it always answers a signal or a deadline (script-worker.ts).
 */
export const builtinEngine: LoadEngine & Required<Pick<LoadEngine, 'inspect'>> = {
  name: 'builtin',
  inspect: inspectScript,
  run: runBuiltin,
};

/** handleSummary's limit: k6 gives it no option */
const HANDLE_SUMMARY_TIMEOUT_MS = 60_000;

async function runBuiltin(options: RunLoadOptions): Promise<LoadRunResult> {
  const test = await prepareTest(options);
  let host = test.first;
  try {
    const started = Date.now();
    test.settings.testStartedAt = started;
    // only setup answers the signal: after Ctrl-C, teardown and handleSummary still run, as in k6
    const setupData = await runHook(test, host, 'setup', [], test.options.setupTimeoutMs, options.signal);

    const spawn = (index: number) => new ScriptWorker(index, test.workerData);
    const outcome = await new ScenarioRun(test, options, started).complete(setupData, host, spawn);

    // a VU of instance 0 was busy and its worker terminated: teardown gets a fresh VU 0
    if (!host.alive) host = (await loadFirst(test.workerData)).first;
    await runHook(test, host, 'teardown', [setupData], test.options.teardownTimeoutMs);
    test.requests.flush();
    const handleSummary = test.loaded.functions.includes('handleSummary') ? (summary: K6SummaryData) => runHook(test, host, 'handleSummary', [summary], HANDLE_SUMMARY_TIMEOUT_MS) : undefined;
    return await finish(test, options, { started, setupData, outcome, handleSummary });
  } finally {
    await host.terminate();
  }
}

/** A hook on the worker's VU 0; what it measured (requests in setup, say) joins the test's metrics. */
function runHook(test: PreparedTest, worker: ScriptWorker, name: HookName, args: unknown[], timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
  const merge = (delta: MetricsDelta) => {
    test.aggregator.merge(delta.snapshot);
    test.requests.add(delta.requests);
    forwardSamples(test.outputs, delta.samples);
  };
  return worker.hook(name, args, timeoutMs, test.settings, merge, signal);
}

/** Final thresholds, the summary and its outputs, and k6's exit code. */
async function finish(
  test: PreparedTest,
  options: RunLoadOptions,
  run: { started: number; setupData: unknown; outcome: ScenarioOutcome; handleSummary: ((summary: K6SummaryData) => Promise<unknown>) | undefined },
): Promise<LoadRunResult> {
  const { aborted, failedMark } = run.outcome;
  const elapsed = Date.now() - run.started;
  const final = test.evaluator.evaluate(test.aggregator, elapsed, { final: true });
  const summary = buildSummaryData({
    aggregator: test.aggregator,
    thresholds: final.results,
    options: { summaryTrendStats: test.options.summaryTrendStats, summaryTimeUnit: test.options.summaryTimeUnit, noColor: !process.stdout.isTTY || Boolean(process.env.NO_COLOR) },
    state: { isStdOutTTY: Boolean(process.stdout.isTTY), isStdErrTTY: Boolean(process.stderr.isTTY), testRunDurationMs: elapsed },
    setupData: run.setupData,
  });
  await writeSummaries(test.script, summary, options, run.handleSummary, final.results);
  options.runDir?.writeJson('summary', summary);
  for (const o of test.outputs) await o.close();
  const exitCode = aborted && !final.failed ? ExitCode.scriptAborted : final.failed ? ExitCode.thresholdsFailed : failedMark ? ExitCode.markedAsFailed : ExitCode.ok;
  if (aborted) process.stderr.write(`peakready: run aborted: ${aborted}\n`);
  return { exitCode, thresholdsPassed: !final.failed, summary, engine: 'builtin', thresholds: final.results, ...(aborted ? { aborted } : {}) };
}
