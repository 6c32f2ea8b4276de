import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop the running stack and everything it started')
    .addHelpText('after', '\nExample:\n  $ npx peakready down\n')
    .action(() => notBuiltYet('down', 'the local supervisor is not there yet'));
}
