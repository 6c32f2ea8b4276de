import { Command } from 'commander';
import { didYouMean } from '../errors.js';
import { K6_RUN_FLAGS_MISSING } from './k6-flags.js';

/**
 * The program's Command: commander's, with answers to an unknown flag that help. A k6 flag that
 * `peakready run` lacks says so and what to use instead; a typo names the nearest real flag of
 * the command (or its parents), and nothing when none is near.
 */
export class PeakreadyCommand extends Command {
  private firstOperand: string | undefined;

  override createCommand(name?: string): Command {
    return new PeakreadyCommand(name);
  }

  /** The subcommand the line names (its first word that is not a flag), as the root parses it. */
  commandNamed(): string | undefined {
    return this.firstOperand;
  }

  override parseOptions(argv: string[]): ReturnType<Command['parseOptions']> {
    if (!this.parent) this.firstOperand = argv.find((arg) => !arg.startsWith('-'));
    return super.parseOptions(argv);
  }

  unknownOption(flag: string): never {
    const name = flag.split('=')[0]!;
    const k6Fix = this.name() === 'run' ? K6_RUN_FLAGS_MISSING[name] : undefined;
    const hint = k6Fix
      ? `: k6's ${name} is not supported by peakready run (${k6Fix}); --engine k6 runs a real k6 that has it`
      : suggestion(name, this.knownFlags());
    this.error(`error: unknown option '${flag}'${hint}`, { code: 'commander.unknownOption' });
  }

  private knownFlags(): string[] {
    const flags: string[] = [];
    for (let command: Command | null = this as Command; command; command = command.parent) {
      // the built-in --help is not among a command's own options
      for (const option of [...command.options, command.createHelp().visibleOptions(command)].flat()) {
        if (option.long) flags.push(option.long);
        if (option.short) flags.push(option.short);
      }
    }
    return flags;
  }
}

/** "(Did you mean --duration?)" for a near miss: within two edits, or the one flag the text starts. */
export function suggestion(flag: string, known: readonly string[]): string {
  if (!flag.startsWith('--')) return '';
  const longs = known.filter((k) => k.startsWith('--'));
  const byPrefix = longs.filter((k) => k.startsWith(flag));
  const near = byPrefix.length === 1 ? byPrefix[0] : didYouMean(flag, longs);
  return near ? `\n(Did you mean ${near}?)` : '';
}
