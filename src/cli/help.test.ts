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

describe('an unknown flag', () => {
  it('names the nearest real flag for a typo, and nothing when none is near', () => {
    expect(suggestion('--duraton', ['--duration', '--vus', '-d'])).toBe('\n(Did you mean --duration?)');
    expect(suggestion('--summ', ['--summary-mode', '--vus'])).toBe('\n(Did you mean --summary-mode?)');
    expect(suggestion('--frobnicate', ['--duration', '--vus'])).toBe('');
  });
});
