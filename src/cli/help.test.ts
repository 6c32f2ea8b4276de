import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { suggestion } from './command.js';
import { buildProgram } from './main.js';

/** Every command of the program, parents and leaves, with its path (`chaos run`). */
function allCommands(command: Command, path: string[] = []): Array<{ path: string; command: Command }> {
  return command.commands.flatMap((c) => [{ path: [...path, c.name()].join(' '), command: c }, ...allCommands(c, [...path, c.name()])]);
}

/** A command's --help as the user sees it, text added after the options included. */
function helpOf(command: Command): string {
  let text = '';
  command.configureOutput({ writeOut: (s) => void (text += s), writeErr: (s) => void (text += s) });
  command.outputHelp();
  return text;
}

describe('--help', () => {
  const commands = allCommands(buildProgram());

  it('walks every command (the walk itself finds the nested ones)', () => {
    const paths = commands.map((c) => c.path);
    for (const expected of ['drill', 'run', 'chaos run', 'chaos validate', 'chaos clear', 'scale watch', 'budgets alerts', 'budgets dashboard', 'runs prune']) expect(paths).toContain(expected);
  });

  it('every command, parent or leaf, shows an example of itself', () => {
    const missing = commands.filter(({ path, command }) => {
      const help = helpOf(command);
      return !/Examples?:/.test(help) || !help.includes(`npx peakready ${path}`);
    });
    expect(missing.map((m) => m.path)).toEqual([]);
  });

  it('every command offers the global --no-color', () => {
    for (const { path, command } of commands) expect(helpOf(command), path).toMatch(/--no-color/);
  });
});

describe('--version', () => {
  it('prints peakready\'s version, and after `run` the k6 release its engine follows (as `k6 version`)', () => {
    const versionOf = (args: string[]): string => {
      const program = buildProgram();
      program.exitOverride();
      let printed = '';
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
      try {
        expect(() => program.parse(args, { from: 'user' })).toThrow(expect.objectContaining({ code: 'commander.version', exitCode: 0 }));
      } finally {
        process.stdout.write = write;
      }
      return printed;
    };
    expect(versionOf(['--version'])).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(versionOf(['drill', '-V'])).toMatch(/^\d+\.\d+\.\d+\n$/);
    for (const args of [['run', '--version'], ['run', 'script.js', '-V']]) {
      expect(versionOf(args)).toMatch(/^peakready \d+\.\d+\.\d+ \(built-in engine: k6 v1\.\d+ semantics; --engine k6 runs the k6 on PATH instead\)\n$/);
    }
  });
});

describe('an unknown flag', () => {
  it('names the nearest real flag for a typo, and nothing when none is near', () => {
    expect(suggestion('--duraton', ['--duration', '--vus', '-d'])).toBe('\n(Did you mean --duration?)');
    expect(suggestion('--summ', ['--summary-mode', '--vus'])).toBe('\n(Did you mean --summary-mode?)');
    expect(suggestion('--frobnicate', ['--duration', '--vus'])).toBe('');
  });

  it('--hlep on any command suggests the built-in --help', () => {
    for (const args of [['--hlep'], ['drill', '--hlep']]) {
      const program = buildProgram();
      let message = '';
      const quiet = (c: Command): void => {
        c.exitOverride().configureOutput({ writeErr: (text) => (message += text) });
        c.commands.forEach(quiet);
      };
      quiet(program);
      expect(() => program.parse(args, { from: 'user' })).toThrow();
      expect(message, args.join(' ')).toContain('(Did you mean --help?)');
    }
  });
});
