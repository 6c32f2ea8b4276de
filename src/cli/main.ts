import { Command, CommanderError } from 'commander';
import { PeakreadyError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { runShutdownHooks } from '../lifecycle/shutdown.js';
import { packageVersion } from '../paths.js';
import { commands } from './commands.js';

export function buildProgram(): Command {
  const program = new Command('peakready')
    .description('Will your commerce system hold on Black Friday? Load, faults, traces and autoscaling in one game day.')
    .version(packageVersion(), '-V, --version', 'print the version of peakready')
    .option('--verbose', 'print full error details (stack traces)')
    .showHelpAfterError('(run with --help for usage)')
    // before the commands are registered, so every subcommand inherits it: a usage error in any
    // command throws here (exit 2) instead of commander exiting with 1 on its own
    .exitOverride()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      'after',
      `
The main job:
  $ npx peakready drill                 whole game day on the bundled stack
  $ npx peakready drill --profile smoke a one-minute version for pull requests

Exit codes: 0 pass, 1 a check or budget failed, 2 usage or configuration error,
3 internal error, 4 inconclusive (the test rig was starved or the load was not fully sent),
99 k6 thresholds failed (peakready run).`,
    );
  for (const register of commands) register(program);
  return program;
}

/** Entry point of bin/peakready.js. */
export async function main(argv: readonly string[]): Promise<void> {
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
