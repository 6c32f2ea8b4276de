import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerRun(program: Command): void {
  program
    .command('run <script>')
    .description('run a k6 script with the built-in engine (or a real k6 with --engine k6)')
    .addHelpText('after', '\nExample:\n  $ npx peakready run scenarios/smoke.js --vus 10 --duration 30s\n')
    .action(() => notBuiltYet('run <script>', 'the k6-compatible load engine is not there yet'));
}
