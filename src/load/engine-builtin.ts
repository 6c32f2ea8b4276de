import { ExitCode } from '../exit-codes.js';
import type { LoadEngine, LoadRunResult, RunLoadOptions } from './engine.js';
import { writeSummaries } from './end-of-test.js';
import { buildSummaryData } from './metrics/summary.js';
import { inspectScript, prepareTest, type PreparedTest } from './prepared-test.js';
import { ScenarioRun, type ScenarioOutcome } from './scenario-run.js';
import { runScriptHook } from './script-hooks.js';
import { VuContext } from './vu-context.js';

/**
 * The built-in engine: the script on Node (worker threads, or the calling thread), with k6's
 * lifecycle — init, setup() once, the scenarios, teardown() once, handleSummary — its summary
 * and its exit codes.
 */
export const builtinEngine: LoadEngine & Required<Pick<LoadEngine, 'inspect'>> = {
  name: 'builtin',
  inspect: inspectScript,
  run: runBuiltin,
};

async function runBuiltin(options: RunLoadOptions): Promise<LoadRunResult> {
  const test = await prepareTest(options);
  const { program } = test;
  const started = Date.now();
  test.main.testStartedAt = started;
  const setupVu = new VuContext(0, 0, test.main);
  // setup and teardown run on their own VU's module instances, so what they open is that VU's (its sockets, its init context)
  const exports = await program.instantiate(setupVu);
  const setupData = await runScriptHook(program, exports, 'setup', [], test.options.setupTimeoutMs, setupVu);
  // as k6: setup()'s data crosses to the VUs as JSON
  const data: unknown = setupData === undefined ? undefined : JSON.parse(JSON.stringify(setupData));

  const outcome = await new ScenarioRun(test, options, started).complete(data);

  await runScriptHook(program, exports, 'teardown', [data], test.options.teardownTimeoutMs, setupVu);
  test.requests.flush();
  return finish(test, options, { started, setupData: data, setupVu, outcome });
}

/** Final thresholds, the summary and its outputs, and k6's exit code. */
async function finish(test: PreparedTest, options: RunLoadOptions, run: { started: number; setupData: unknown; setupVu: VuContext; outcome: ScenarioOutcome }): Promise<LoadRunResult> {
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
  await writeSummaries(test.program, test.exports, summary, options, run.setupVu, final.results);
  options.runDir?.writeJson('summary', summary);
  for (const o of test.outputs) await o.close();
  const exitCode = aborted && !final.failed ? ExitCode.scriptAborted : final.failed ? ExitCode.thresholdsFailed : failedMark ? ExitCode.markedAsFailed : ExitCode.ok;
  if (aborted) process.stderr.write(`peakready: run aborted: ${aborted}\n`);
  return { exitCode, thresholdsPassed: !final.failed, summary, engine: 'builtin', thresholds: final.results, ...(aborted ? { aborted } : {}) };
}
