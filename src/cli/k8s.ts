import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerK8s(program: Command): void {
  program
    .command('k8s')
    .description('render Kubernetes resources: k6-operator TestRun for distributed load')
    .addHelpText('after', '\nExample:\n  $ npx peakready k8s load scenarios/black-friday.js --parallelism 4\n')
    .action(() => notBuiltYet('k8s', 'Kubernetes rendering is not there yet'));
}
