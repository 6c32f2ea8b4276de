import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('show which real components are available and which embedded defaults will be used')
    .addHelpText('after', '\nExample:\n  $ npx peakready doctor\n')
    .action(() => notBuiltYet('doctor', 'doctor is not there yet'));
}
