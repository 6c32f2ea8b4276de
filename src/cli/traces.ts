import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerTraces(program: Command): void {
  program
    .command('traces [run]')
    .description('summarise the traces of a run: slowest, errors by service, critical path, failed requests')
    .addHelpText('after', '\nExample:\n  $ npx peakready traces --grafana-url http://localhost:3000\n')
    .action(() => notBuiltYet('traces [run]', 'trace analysis is not there yet'));
}
