import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerOtlp(program: Command): void {
  program
    .command('otlp')
    .description('run the built-in OTLP/HTTP trace receiver')
    .addHelpText('after', '\nExample:\n  $ npx peakready otlp serve --out traces/\n')
    .action(() => notBuiltYet('otlp', 'the OTLP receiver is not there yet'));
}
