import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('list the running stack: services, replicas, pids, ports and health')
    .addHelpText('after', '\nExample:\n  $ npx peakready status\n')
    .action(() => notBuiltYet('status', 'the local supervisor is not there yet'));
}
