import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { RunDirectory } from '../run/run-dir.js';
import { ConfigError, PeakreadyError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import type * as Experiments from '../faults/experiments/index.js';
import type { ExperimentResult } from '../faults/experiments/index.js';
import type { LoadRunResult } from '../load/engine.js';
import { onShutdown } from '../lifecycle/shutdown.js';
import { assertLoopbackTarget } from '../util/loopback.js';
import { parsePairs } from './flag-values.js';
import { addRunFlags, runOverrides, type RunFlags } from './run-flags.js';

function openRunDir(path: string): RunDirectory {
  mkdirSync(path, { recursive: true });
  return new RunDirectory(path);
}

export function registerRun(program: Command): void {
  addRunFlags(program.command('run [script]').description('run a k6 script with the built-in engine (or a real k6 with --engine k6)'))
    .addHelpText(
      'after',
      `
Examples:
  $ npx peakready run scenarios/smoke.js --target http://127.0.0.1:7100
  $ npx peakready run scenarios/smoke.js --vus 10 --duration 30s --tag testid=pr-123
  $ npx peakready run scenarios/smoke.js -s 30s:10 -s 1m:50 -s 30s:0 --summary-mode full
  $ npx peakready run scenarios/black-friday.js -e TIME_SCALE=0.1 --summary-export summary.json
  $ npx peakready run scenarios/smoke.js --out csv=samples.csv.gz
  $ K6_PROMETHEUS_RW_SERVER_URL=http://127.0.0.1:9090/api/v1/write \\
      npx peakready run scenarios/smoke.js -o experimental-prometheus-rw

Exit codes as k6: 0 ok, 99 thresholds failed, 100 setup timeout, 101 teardown timeout,
104 invalid configuration, 107 script exception, 108 aborted, 110 marked as failed. Script
console output goes to stderr (console.debug with --verbose). \`peakready run --version\` says
which k6 release the built-in engine follows (as \`k6 version\`).`,
    )
    .action(async (scriptArg: string | undefined, flags: RunFlags, command: Command) => {
      let script = scriptArg;
      // `--http-debug script.js`: commander took the script as the flag's optional value
      if (typeof flags.httpDebug === 'string' && flags.httpDebug !== 'full' && flags.httpDebug !== 'headers') {
        if (script !== undefined) throw new UsageError(`--http-debug: "${flags.httpDebug}" is not a mode; write --http-debug or --http-debug=full`);
        script = flags.httpDebug;
        flags.httpDebug = true;
      }
      if (script === undefined) throw new UsageError("error: missing required argument 'script' (the k6 script to run)");
      await runScript(script, flags, Boolean((command.optsWithGlobals() as { verbose?: boolean }).verbose));
    });
}

async function runScript(script: string, flags: RunFlags, verbose: boolean): Promise<void> {
  const [{ runLoadTest }, { readK6ConfigFile }] = await Promise.all([import('../load/run.js'), import('../load/config-file.js')]);
  const allowRemote = Boolean(flags.allowRemote);
  const env = scriptEnv(flags, allowRemote);
  const config = flags.config ? asInvalidConfig(() => readK6ConfigFile(flags.config!)) : undefined;
  const overrides = runOverrides(flags, config?.options);
  const runDir = flags.runDir === undefined ? undefined : typeof flags.runDir === 'string' ? openRunDir(flags.runDir) : RunDirectory.create('run');
  runDir?.appendTimeline({ t: Date.now(), type: 'run', state: 'start', command: 'run' });
  // `peakready report` judges a plain run by the script's own thresholds; this says it was one
  if (runDir && !runDir.has('config')) runDir.writeJson('config', { command: 'run', script: resolve(script), startedAt: new Date().toISOString() });
  const controller = new AbortController();
  // Ctrl-C or SIGTERM stops the load and waits for the run to end as k6 does: the end-of-test
  // summary (and --summary-export) of what did run is written before the process exits
  let finished: Promise<unknown> = Promise.resolve();
  const unregister = onShutdown('load test', async () => {
    controller.abort();
    await finished;
  });
  const engine = flags.engine === 'k6' ? 'k6' : 'builtin';
  process.stderr.write(`peakready: engine ${engine}${flags.engine === 'auto' ? ' (auto; --engine k6 runs a k6 binary from PATH)' : ''}\n`);

  // the experiment lives while the load runs: it is stopped (and rolled back) when the load ends
  const chaosStop = new AbortController();
  // the fault tooling's modules are loaded only for --chaos: a plain run does not pay for them
  const chaos = flags.chaos
    ? startChaos(await import('../faults/experiments/index.js'), flags.chaos, flags.toxiproxy, runDir, AbortSignal.any([controller.signal, chaosStop.signal]))
    : undefined;
  try {
    const running = runLoadTest({
      script,
      env,
      overrides,
      ...(runDir ? { runDir } : {}),
      quiet: Boolean(flags.quiet),
      signal: controller.signal,
      ...(flags.summaryExport ? { summaryExport: flags.summaryExport } : {}),
      out: flags.out,
      secretSources: flags.secretSource,
      engine,
      allowRemote,
      verbose,
      summaryMode: flags.summaryMode,
      ...(flags.summary ? {} : { noSummary: true }),
      ...(config ? { collectors: config.collectors, configFile: config.file } : {}),
    });
    finished = running.catch(() => undefined);
    const result = await running.catch((error: unknown) => asInvalidConfig(() => {
      throw error;
    }));
    if (result.engine === 'builtin') sayThresholdsCrossed(result);
    chaosStop.abort();
    const exitCode = chaos ? withChaosOutcome(result.exitCode, await chaos) : result.exitCode;
    if (runDir) process.stderr.write(`peakready: run directory ${runDir.root}\n`);
    process.exitCode = exitCode;
  } finally {
    chaosStop.abort();
    await chaos?.catch(() => undefined);
    runDir?.appendTimeline({ t: Date.now(), type: 'run', state: 'end', command: 'run' });
    unregister();
  }
}

/** As k6: a configuration the run cannot start with (script options, --config, thresholds, outputs) exits 104. */
function asInvalidConfig<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof ConfigError) throw new PeakreadyError(error.message, ExitCode.invalidConfig, { cause: error });
    throw error;
  }
}

/** k6 1.x's closing line when thresholds failed, in its log format (`ERRO[0032] ...` on a terminal). */
function sayThresholdsCrossed(result: LoadRunResult): void {
  const crossed = [...new Set(result.thresholds.filter((t) => !t.ok).map((t) => t.key))].sort();
  if (!crossed.length) return;
  const message = `thresholds on metrics '${crossed.join(', ')}' have been crossed`;
  const seconds = Math.round(result.summary.state.testRunDurationMs / 1000);
  process.stderr.write(process.stderr.isTTY ? `ERRO[${String(seconds).padStart(4, '0')}] ${message}\n` : `time="${new Date().toISOString()}" level=error msg="${message}"\n`);
}

/**
 * The script's __ENV, as k6 run builds it: the system's environment (unless
 * --include-system-env-vars=false), -e pairs over it, and BASE_URL from --target; a target off
 * this machine only with --allow-remote.
 */
function scriptEnv(flags: RunFlags, allowRemote: boolean): Record<string, string> {
  const given = parsePairs('-e', flags.env);
  const system = flags.includeSystemEnvVars === false ? {} : systemEnv();
  const env = { ...system, ...given };
  if (flags.target) env.BASE_URL = assertLoopbackTarget(flags.target, allowRemote).toString().replace(/\/$/, '');
  // one from the system's environment is the script's data as in k6 (tools set BASE_URL for their
  // own ends); the http module still refuses its requests off this machine
  else if (given.BASE_URL) assertLoopbackTarget(given.BASE_URL, allowRemote, '-e BASE_URL');
  return env;
}

function systemEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** --chaos: the experiment, started beside the load. */
function startChaos(experiments: typeof Experiments, file: string, toxiproxy: string | undefined, runDir: RunDirectory | undefined, signal: AbortSignal): Promise<ExperimentResult> {
  const { defaultToxiproxyUrl, loadExperiment, runExperiment } = experiments;
  const experiment = loadExperiment(file);
  return runExperiment(experiment, {
    toxiproxyUrl: toxiproxy ?? defaultToxiproxyUrl(),
    ...(runDir ? { runDir } : {}),
    signal,
    log: (line) => process.stderr.write(`chaos: ${line}\n`),
  });
}

/** The experiment's outcome, printed; a load that passed fails (1) when the experiment did not end well. */
function withChaosOutcome(exitCode: number, outcome: ExperimentResult): number {
  process.stderr.write(`peakready: chaos experiment "${outcome.title}": ${outcome.status}${outcome.error ? ` (${outcome.error})` : ''}\n`);
  return exitCode === 0 && outcome.status !== 'ok' && outcome.status !== 'interrupted' ? 1 : exitCode;
}
