import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerChaos(program: Command): void {
  program
    .command('chaos')
    .description('run chaos experiments (with guaranteed rollback) or clear leftover faults')
    .addHelpText('after', '\nExample:\n  $ npx peakready chaos run chaos/recommendations-outage.yaml\n')
    .action(() => notBuiltYet('chaos', 'chaos experiments are not there yet'));
}
