import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerReport(program: Command): void {
  program
    .command('report [run]')
    .description('rebuild every report (terminal, JSON, JUnit, Markdown, HTML) from a run directory')
    .addHelpText('after', '\nExample:\n  $ npx peakready report .peakready/runs/<id>\n')
    .action(() => notBuiltYet('report [run]', 'reports are not there yet'));
}
