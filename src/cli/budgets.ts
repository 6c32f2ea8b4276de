import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerBudgets(program: Command): void {
  program
    .command('budgets')
    .description('turn a budgets file into Prometheus SLO alerts or Grafana threshold lines')
    .addHelpText('after', '\nExample:\n  $ npx peakready budgets alerts budgets.yaml\n')
    .action(() => notBuiltYet('budgets', 'budgets are not there yet'));
}
