import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { RunDirectory } from '../run/run-dir.js';
import { UsageError } from '../errors.js';
import type * as Experiments from '../faults/experiments/index.js';
import type { ExperimentResult } from '../faults/experiments/index.js';
import type { Overrides } from '../load/options.js';
import { onShutdown } from '../lifecycle/shutdown.js';
import { assertLoopbackTarget } from '../util/loopback.js';

interface RunFlags {
  target?: string;
  vus?: string;
  duration?: string;
  iterations?: string;
  env: string[];
  summaryExport?: string;
  out: string[];
  engine: 'auto' | 'builtin' | 'k6';
  quiet?: boolean;
  chaos?: string;
  toxiproxy?: string;
  allowRemote?: boolean;
  runDir?: string | boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag}: "${value}" is not a whole number ≥ 1`);
  return n;
}

function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`-e "${pair}": write it as KEY=VALUE`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

function openRunDir(path: string): RunDirectory {
  mkdirSync(path, { recursive: true });
  return new RunDirectory(path);
}

export function registerRun(program: Command): void {
  program
    .command('run <script>')
    .description('run a k6 script with the built-in engine (or a real k6 with --engine k6)')
    .option('--target <url>', 'base URL of the system under test (sets __ENV.BASE_URL)')
    .option('-u, --vus <n>', 'number of VUs (replaces the script\'s scenarios, as k6)')
    .option('-d, --duration <duration>', 'test duration, e.g. 30s, 5m (replaces the script\'s scenarios, as k6)')
    .option('-i, --iterations <n>', 'total iterations shared by the VUs (replaces the script\'s scenarios, as k6)')
    .option('-e, --env <KEY=VALUE>', 'environment variable for the script (__ENV), repeatable', collect, [])
    .option('--summary-export <file>', 'write the end-of-test summary in k6\'s --summary-export format')
    .option('-o, --out <json=FILE>', 'write every sample as k6 JSON lines, repeatable', collect, [])
    .addOption(new Option('--engine <engine>', 'which engine runs the script').choices(['auto', 'builtin', 'k6']).default('auto'))
    .option('-q, --quiet', 'plain periodic progress lines instead of the live line')
    .option('--chaos <file>', 'run this chaos experiment (YAML) during the load')
    .option('--toxiproxy <url>', 'Toxiproxy API for --chaos (default: the running stack\'s fault proxy)')
    .option('--allow-remote', 'allow a target outside 127.0.0.0/8 and ::1 (only systems you own)')
    .option('--run-dir [dir]', 'record requests.ndjson, summary.json and the timeline in a run directory (default: a new one under .peakready/runs)')
    .addHelpText(
      'after',
      `
Examples:
  $ npx peakready run scenarios/smoke.js --target http://127.0.0.1:7100
  $ npx peakready run scenarios/smoke.js --vus 10 --duration 30s
  $ npx peakready run scenarios/black-friday.js -e TIME_SCALE=0.1 --summary-export summary.json

Exit codes as k6: 0 ok, 99 thresholds failed, 100 setup timeout, 101 teardown timeout,
107 script exception, 108 aborted, 110 marked as failed. Script console output goes to stderr
(console.debug with --verbose).`,
    )
    .action(runScript);
}

async function runScript(script: string, flags: RunFlags, command: Command): Promise<void> {
  const { runLoadTest } = await import('../load/run.js');
  const verbose = Boolean((command.optsWithGlobals() as { verbose?: boolean }).verbose);
  const allowRemote = Boolean(flags.allowRemote);
  const env = scriptEnv(flags, allowRemote);
  const overrides = runOverrides(flags);
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
      engine,
      allowRemote,
      verbose,
    });
    finished = running.catch(() => undefined);
    const result = await running;
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

/** The script's __ENV: -e pairs, and BASE_URL from --target; a target off this machine only with --allow-remote. */
function scriptEnv(flags: RunFlags, allowRemote: boolean): Record<string, string> {
  const env = parseEnv(flags.env);
  if (flags.target) env.BASE_URL = assertLoopbackTarget(flags.target, allowRemote).toString().replace(/\/$/, '');
  else if (env.BASE_URL) assertLoopbackTarget(env.BASE_URL, allowRemote, '-e BASE_URL');
  return env;
}

function runOverrides(flags: RunFlags): Overrides {
  return {
    ...(flags.vus !== undefined ? { vus: positiveInt('--vus', flags.vus) } : {}),
    ...(flags.duration !== undefined ? { duration: flags.duration } : {}),
    ...(flags.iterations !== undefined ? { iterations: positiveInt('--iterations', flags.iterations) } : {}),
  };
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
