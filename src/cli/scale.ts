import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';

export function registerScale(program: Command): void {
  program
    .command('scale')
    .description('replay metrics through the Kubernetes HPA algorithm, or watch replicas live')
    .addHelpText('after', '\nExample:\n  $ npx peakready scale simulate --hpa reference-stack/k8s/catalog.yaml --metrics cpu.csv\n')
    .action(() => notBuiltYet('scale', 'the autoscaler is not there yet'));
}
