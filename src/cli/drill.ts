import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerDrill(program: Command): void {
  program
    .command('drill')
    .description('run the game day: stack, Black-Friday surge, recommendations outage, autoscaling, checks, reports')
    .addHelpText('after', '\nExample:\n  $ npx peakready drill --profile smoke\n')
    .action(() => notBuiltYet('drill', 'the game day needs the stack, load engine, fault proxy, telemetry and autoscaler first'));
}
