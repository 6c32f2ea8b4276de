import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { DrillOptions } from '../drill/drill-options.js';
import { UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { grafanaUrlFromEnv } from './env-settings.js';
import { DEFECT_NAMES, parseDefects } from '../stack/defects.js';
import { outputWidth } from '../util/text-table.js';
import { parseOtlpForwardFlag, parseUrlFlag } from '../util/url-flag.js';

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0, e.g. 0.1');
  return n;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1024 || n > 64_000) throw new InvalidArgumentError('expected a port between 1024 and 64000');
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function keyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`"${value}" is not KEY=VALUE`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function registerDrill(program: Command): void {
  program
    .command('drill')
    .argument('[file]', "a game-day file: your system, its load, faults and checks (default: the bundled shop's, scenarios/gameday.yaml)")
    .description('run the game day: stack, Black-Friday surge, recommendations outage, autoscaling, checks, reports')
    .option('--profile <name>', "one of the file's profiles; the bundled shop's: smoke (about a minute, for pull requests) or black-friday (the game day, a few minutes; the default)")
    .option('--budget <file>', "budgets file (default: the game-day file's checks.budgets)")
    .option('--baseline <file>', "an earlier run's report.json (same game day and profile); fail on a significant regression beyond the budgets' tolerance")
    .option('--report <dir>', 'also copy report.html, report.json, junit.xml and summary.md here')
    .option('--time-scale <x>', "compress the scenario's time (0.1 = ten times faster); default from the file's profile", positiveNumber)
    .option('--target <url>', "drive this system instead of the file's (stack-specific checks are skipped)")
    .option('--allow-remote', 'allow a --target outside 127.0.0.0/8 and ::1 (only systems you own)', false)
    .option('--base-port <port>', 'first port of the local stack (it uses the next ~400)', port)
    .option('--toxiproxy <url>', 'use this Toxiproxy server for faults instead of the embedded one')
    .option('--database-url <url>', "the bundled stack's PostgreSQL instead of embedded PGlite (default: the file's system.bundled.databaseUrl, then $DATABASE_URL); with a target, the database its SQL checks (checks.integrity.sql) read, read-only")
    .option('--grafana-url <url>', 'link trace ids in the reports to Grafana Explore (Tempo) (default: $PEAKREADY_GRAFANA_URL)')
    .option('--otlp-forward <url>', 'also forward every trace the services send to this OTLP/HTTP endpoint (collector, Tempo, Jaeger), to see the drill in your own tools')
    .option('--prometheus [url]', "read metrics with PromQL from this Prometheus instead of scraping each replica; without a URL, start Debian's Prometheus for the bundled stack")
    .option('-e, --env <KEY=VALUE>', 'extra environment for the scenario (repeatable)', keyValue)
    .option('--defect <name>', `switch on a seeded defect in the bundled shop (repeatable): ${DEFECT_NAMES.join(', ')}; see reference-stack/README.md`, collect)
    .option('--quiet', 'no live status line; a plain line every few seconds', false)
    .option('--dry-run', 'validate everything, reach every endpoint the file names, print the plan (phases, when each fault is on, what each check reads); start nothing', false)
    .addHelpText(
      'after',
      `
Example:
  $ npx peakready drill                          # the whole game day, embedded defaults
  $ npx peakready drill --profile smoke --report report/
  $ npx peakready drill my-shop.gameday.yaml     # your own system (see scenarios/gameday.yaml)
  $ npx peakready drill my-shop.gameday.yaml --dry-run
  $ npx peakready drill --baseline main/report.json --budget budgets.yaml
  $ npx peakready drill --profile smoke --defect inventory-oversell   # a seeded bug: integrity must fail

Exit codes: 0 every check passed, 1 a check or budget failed, 2 usage or configuration error,
4 inconclusive: no check failed, but the test rig was starved while one judged, or the load was not fully sent,
5 interrupted: Ctrl-C, SIGTERM or SIGHUP stopped it before its end; the reports are still written, marked
  INTERRUPTED (when, during which step and phase), judging only what was measured until then.
Everything it starts (processes, ports, faults) is stopped on exit, Ctrl-C or SIGTERM (a second Ctrl-C
forces the exit, without a report), and ends by itself within seconds if the drill is killed (SIGKILL).`,
    )
    .action(drillAction);
}

interface DrillFlags {
  profile?: string;
  budget?: string;
  baseline?: string;
  report?: string;
  timeScale?: number;
  target?: string;
  allowRemote: boolean;
  basePort?: number;
  toxiproxy?: string;
  databaseUrl?: string;
  grafanaUrl?: string;
  prometheus?: string | true;
  otlpForward?: string;
  env?: Record<string, string>;
  defect?: string[];
  quiet: boolean;
  dryRun: boolean;
}

async function drillAction(file: string | undefined, opts: DrillFlags): Promise<void> {
  checkFlagCombinations(opts);
  if (opts.dryRun) return dryRun(file, opts);
  const { runDrill } = await import('../drill/game-day.js');
  const { githubAnnotations, inGithubActions, useColor } = await import('../report/index.js');
  const { liveLine } = await import('./live-line.js');
  // on a terminal a spinner with the drill's status, fitted to the width by the drill; elsewhere a plain line every 5 s
  const live = liveLine({ inPlace: !opts.quiet, plainEveryMs: 5000, initialText: 'preparing the drill' });
  const result = await runDrill({
    ...drillOptionsOf(file, opts),
    color: useColor(process.stdout),
    tableWidth: outputWidth(process.stdout),
    log: (line: string) => live.log(line),
    onStatus: (line) => live.show(line),
    onStep: (step) => live.step(step),
    statusWidth: () => live.width(),
  }).finally(() => live.stop());
  process.stdout.write('\n' + result.table + '\n');
  if (inGithubActions()) process.stdout.write(githubAnnotations(result.checks).map((line) => line + '\n').join(''));
  process.stdout.write(`\nverdict: ${result.verdict.toUpperCase()} — reports in ${result.run.root}\n`);
  process.exitCode = result.exitCode;
}

/** The plan and the endpoints it names, with nothing started; exit 2 when an endpoint does not answer. */
async function dryRun(file: string | undefined, opts: DrillFlags): Promise<void> {
  const started = Date.now();
  const { planDrill } = await import('../drill/plan.js');
  const { describePlan, formatReach, reachEndpoints } = await import('../drill/dry-run.js');
  const plan = await planDrill(drillOptionsOf(file, opts));
  const reaches = await reachEndpoints(plan);
  const lines = [...describePlan(plan), 'endpoints:'];
  if (reaches.length === 0) lines.push('  none to reach before the drill (the bundled shop is started by the drill)');
  for (const r of reaches) lines.push(formatReach(r));
  lines.push(`dry run: everything valid, nothing started (${Date.now() - started} ms)`);
  process.stdout.write(lines.join('\n') + '\n');
  if (reaches.some((r) => !r.ok)) process.exitCode = ExitCode.usage;
}

function checkFlagCombinations(opts: DrillFlags): void {
  if (opts.target && opts.prometheus === true) throw new UsageError('--prometheus without a URL starts a Prometheus for the bundled stack; with --target, give the URL of the Prometheus that scrapes your system');
  if (opts.otlpForward !== undefined) parseOtlpForwardFlag(opts.otlpForward);
  if (typeof opts.prometheus === 'string') parseUrlFlag(opts.prometheus, '--prometheus', 'http://127.0.0.1:9090');
}

function drillOptionsOf(file: string | undefined, opts: DrillFlags): DrillOptions {
  const { databaseUrl } = opts;
  const environmentDatabaseUrl = process.env.DATABASE_URL;
  const grafanaUrl = opts.grafanaUrl ?? grafanaUrlFromEnv();
  return {
    ...(file ? { gameDayFile: file } : {}),
    ...(opts.profile ? { profile: opts.profile } : {}),
    ...(opts.budget ? { budgetsFile: opts.budget } : {}),
    ...(opts.baseline ? { baselineFile: opts.baseline } : {}),
    ...(opts.report ? { reportDir: opts.report } : {}),
    ...(opts.timeScale ? { timeScale: opts.timeScale } : {}),
    ...(opts.target ? { target: opts.target } : {}),
    allowRemote: opts.allowRemote,
    ...(opts.basePort ? { basePort: opts.basePort } : {}),
    ...(opts.toxiproxy ? { toxiproxyUrl: opts.toxiproxy } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(environmentDatabaseUrl ? { environmentDatabaseUrl } : {}),
    ...(grafanaUrl ? { grafanaUrl } : {}),
    ...(opts.prometheus ? { prometheus: opts.prometheus } : {}),
    ...(opts.otlpForward ? { otlpForwardUrl: opts.otlpForward } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.defect ? { defects: parseDefects(opts.defect) } : {}),
    quiet: opts.quiet,
  };
}
