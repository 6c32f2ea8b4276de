import type { Command } from 'commander';
import { DEFAULT_BUDGETS_FILE } from '../budgets/types.js';
import { relative } from 'node:path';

/** How the source file is named inside generated files: relative when it sits below the cwd. */
function sourceName(file: string | undefined): string {
  if (!file) return DEFAULT_BUDGETS_FILE;
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

export function registerBudgets(program: Command): void {
  const budgets = program
    .command('budgets')
    .description('turn a budgets file into Prometheus SLO alerts or Grafana threshold lines (one source of truth)')
    .addHelpText(
      'after',
      `
Examples:
  $ npx peakready budgets alerts scenarios/budgets.yaml --out alerts/
  $ npx peakready budgets dashboard scenarios/budgets.yaml --out dashboards/budgets.json
  $ promtool test rules alerts/budgets.test.yml`,
    );

  budgets
    .command('alerts [file]')
    .description('multi-window multi-burn-rate SLO rules for checkout availability and latency, with promtool unit tests')
    .option('--out <dir>', 'write budgets.rules.yml and budgets.test.yml into DIR (default: print the rules)')
    .action(async (file: string | undefined, options: { out?: string }) => {
      const { writeSloRules } = await import('../budgets/generate.js');
      const { loadBudgets } = await import('../budgets/load.js');
      const { renderSloRules } = await import('../budgets/slo-rules.js');
      const loaded = loadBudgets(file);
      const source = sourceName(file);
      if (!options.out) {
        process.stdout.write(renderSloRules(loaded, source));
        return;
      }
      for (const written of writeSloRules(loaded, source, options.out)) process.stdout.write(`wrote ${written}\n`);
    });

  budgets
    .command('dashboard [file]')
    .description('a Grafana dashboard drawing every budget as a threshold line on the stack metrics')
    .option('--out <file>', 'write the dashboard JSON to FILE (default: print it)')
    .action(async (file: string | undefined, options: { out?: string }) => {
      const { dashboardJson, writeDashboard } = await import('../budgets/generate.js');
      const { loadBudgets } = await import('../budgets/load.js');
      const loaded = loadBudgets(file);
      const source = sourceName(file);
      let skipped: string[];
      if (options.out) {
        const written = writeDashboard(loaded, source, options.out);
        process.stdout.write(`wrote ${written.file}\n`);
        skipped = written.skipped;
      } else {
        const rendered = dashboardJson(loaded, source);
        process.stdout.write(rendered.text);
        skipped = rendered.skipped;
      }
      for (const s of skipped) process.stderr.write(`peakready: not drawn (judged by the drill only): ${s}\n`);
    });
}
