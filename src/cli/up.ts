import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start the reference commerce stack as local processes and wait until it is ready')
    .addHelpText('after', '\nExample:\n  $ npx peakready up --detach\n')
    .action(() => notBuiltYet('up', 'the local supervisor is not there yet'));
}
