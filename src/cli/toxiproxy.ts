import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerToxiproxy(program: Command): void {
  program
    .command('toxiproxy')
    .description('run the built-in Toxiproxy-compatible fault proxy')
    .addHelpText('after', '\nExample:\n  $ npx peakready toxiproxy serve --port 8474\n')
    .action(() => notBuiltYet('toxiproxy', 'the fault proxy is not there yet'));
}
