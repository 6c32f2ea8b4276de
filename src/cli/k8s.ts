import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { collect } from './flag-values.js';


export function registerK8s(program: Command): void {
  const k8s = program
    .command('k8s')
    .description('render Kubernetes resources: k6-operator TestRun for distributed load')
    .addHelpText('after', '\nExample:\n  $ npx peakready k8s load scenarios/black-friday.js --parallelism 4 | kubectl apply -f -\n');
  k8s
    .command('load <script>')
    .description('render a k6-operator TestRun and a ConfigMap with the script, for a load that outgrows one machine')
    .requiredOption('--parallelism <n>', 'number of k6 runner pods (each runs its share of the VUs / rate)')
    .option('--namespace <ns>', 'namespace of both resources', 'default')
    .option('--name <name>', 'resource name (default: from the script file name)')
    .option('-e, --env <KEY=VALUE>', 'environment variable for the script, repeatable', collect, [])
    .option('--separate', 'one runner per node (spec.separate)')
    .option('--out <dir>', 'write configmap.yaml and testrun.yaml here instead of printing one YAML stream')
    .addHelpText(
      'after',
      `
Example:
  $ npx peakready k8s load scenarios/black-friday.js --parallelism 4 -e BASE_URL=http://gateway.shop:7100 | kubectl apply -f -

Needs the k6-operator (https://github.com/grafana/k6-operator) installed in the cluster.

A game day can run it for you: \`load.engine: k6-operator\` with \`load.k6Operator: { parallelism, namespace, context }\`
in the game-day file creates this ConfigMap and TestRun, follows the TestRun to its end and deletes both
(\`peakready drill FILE --dry-run\` checks the cluster first).`,
    )
    .action(async (script: string, flags: { parallelism: string; namespace: string; name?: string; env: string[]; separate?: boolean; out?: string }) => {
      const { renderTestRun } = await import('../load/k8s-testrun.js');
      const env: Record<string, string> = {};
      for (const pair of flags.env) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new UsageError(`-e "${pair}": write it as KEY=VALUE`);
        env[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
      const rendered = await renderTestRun({
        script,
        parallelism: Number(flags.parallelism),
        namespace: flags.namespace,
        ...(flags.name ? { name: flags.name } : {}),
        env,
        separate: Boolean(flags.separate),
      });
      if (!flags.out) {
        process.stdout.write(rendered.yaml);
        return;
      }
      mkdirSync(flags.out, { recursive: true });
      const parts = rendered.yaml.split('---\n');
      writeFileSync(join(flags.out, 'configmap.yaml'), parts[0]!);
      writeFileSync(join(flags.out, 'testrun.yaml'), parts[1]!);
      process.stderr.write(`peakready: wrote ${join(flags.out, 'configmap.yaml')} and ${join(flags.out, 'testrun.yaml')}; apply them with kubectl apply -f ${flags.out}\n`);
    });
}
