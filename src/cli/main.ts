import { type Command, CommanderError } from 'commander';
import { engineVersionLine } from '../load/k6-version.js';
import { PeakreadyError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { runShutdownHooks } from '../lifecycle/shutdown.js';
import { PeakreadyCommand } from './command.js';
import { packageVersion } from '../paths.js';
import { commands } from './commands.js';

export function buildProgram(): Command {
  const program = new PeakreadyCommand('peakready')
    .description('Will your commerce system hold on Black Friday? Load, faults, traces and autoscaling in one game day.')
    .option('-V, --version', 'print the version of peakready (after `run`: and the k6 release its engine follows)')
    .option('--verbose', 'print full error details (stack traces)')
    .option('--no-color', 'no colours in any output (as NO_COLOR=1)')
    .showHelpAfterError('(run with --help for usage)')
    // before the commands are registered, so every subcommand inherits it: a usage error in any
    // command throws here (exit 2) instead of commander exiting with 1 on its own
    .exitOverride()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    // every command honours NO_COLOR; --no-color anywhere on the line sets it for the whole run
    .hook('preAction', (_program, action) => {
      if (action.optsWithGlobals().color === false) process.env.NO_COLOR = '1';
    })
    .addHelpText(
      'after',
      `
The main job:
  $ npx peakready drill                 whole game day on the bundled stack
  $ npx peakready drill --profile smoke a one-minute version for pull requests

Exit codes: 0 pass, 1 a check or budget failed, 2 usage or configuration error,
3 internal error, 4 inconclusive (the test rig was starved or the load was not fully sent),
5 interrupted (the drill was stopped before its end; its report judges what ran until then),
99 k6 thresholds failed, 104 invalid k6 configuration (peakready run).

Environment: PEAKREADY_HOME (where runs and state live; default ./.peakready), NO_COLOR,
PEAKREADY_GRAFANA_URL (trace links in reports), PEAKREADY_TEMPO_DATASOURCE, DATABASE_URL,
OTEL_EXPORTER_OTLP_ENDPOINT, KUBECONFIG, K6_PROMETHEUS_RW_* and K6_CSV_* (peakready run --out).`,
    );
  // commander's own --version cannot tell `peakready run --version` (as `k6 version`) from the rest
  program.on('option:version', () => {
    const text = program.commandNamed() === 'run' ? engineVersionLine(packageVersion()) : packageVersion();
    process.stdout.write(`${text}\n`);
    throw new CommanderError(0, 'commander.version', text);
  });
  for (const register of commands) register(program);
  return program;
}

/** Entry point of bin/peakready.js. */
export async function main(argv: readonly string[]): Promise<void> {
  outliveClosedOutput();
  const program = buildProgram();
  const verbose = argv.includes('--verbose');
  let code: number = ExitCode.ok;
  try {
    await program.parseAsync(argv as string[]);
    code = process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (error) {
    code = reportError(error, verbose);
  }
  await runShutdownHooks();
  process.exit(code);
}

/**
 * A closed terminal (SIGHUP: its window was closed, its ssh session dropped) or a closed pipe
 * (`| head`) makes every later write to stdout/stderr fail (EIO, EPIPE), and an unhandled stream
 * error ends the process. A drill interrupted that way must still judge what ran and write its
 * reports to disk, and stop what it started: what it would have printed is dropped, nothing else.
 */
export function outliveClosedOutput(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EIO' || error.code === 'EPIPE' || error.code === 'ECONNRESET' || error.code === 'ERR_STREAM_DESTROYED') return;
      throw error;
    });
  }
}

function reportError(error: unknown, verbose: boolean): number {
  if (error instanceof CommanderError) {
    // commander already printed the message (or the help)
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return ExitCode.ok;
    return ExitCode.usage;
  }
  if (error instanceof PeakreadyError) {
    process.stderr.write(`peakready: ${error.message}\n`);
    if (verbose && error.stack) process.stderr.write(error.stack + '\n');
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`peakready: internal error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(error.stack + '\n');
  else process.stderr.write('(run again with --verbose for details)\n');
  return ExitCode.internal;
}
