import { Option, type Command } from 'commander';
import { relative, resolve } from 'node:path';
import { DEFAULT_BUDGETS_FILE } from '../budgets/types.js';
import { UsageError } from '../errors.js';
import { parseFlagDuration } from '../util/duration.js';
import { collect, parsePairs } from './flag-values.js';

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

  registerAlerts(budgets);
  registerDashboard(budgets);
}

function registerAlerts(budgets: Command): void {
  budgets
    .command('alerts [file]')
    .description('multi-window multi-burn-rate SLO rules for checkout availability and latency, with promtool unit tests')
    .option('--out <dir>', 'write the files into DIR (default: print the rules)')
    .addOption(new Option('--format <format>', "rules: a Prometheus rule file (rule_files) and its promtool tests; prometheus-rule: a PrometheusRule for the Prometheus Operator").choices(['rules', 'prometheus-rule']).default('rules'))
    .option('--namespace <ns>', 'with --format prometheus-rule: the namespace of the PrometheusRule')
    .option('--rule-label <NAME=VALUE>', "with --format prometheus-rule: a label the operator's ruleSelector matches (kube-prometheus-stack: release=<helm release>), repeatable", collect, [])
    .addHelpText(
      'after',
      `
Each alert carries a runbook_url annotation: the budgets file's slo.runbookUrl (default the shipped
alerts/RUNBOOK.md) + #<alert name in lower case>.

Examples:
  $ npx peakready budgets alerts --out alerts/
  $ npx peakready budgets alerts scenarios/budgets.yaml --format prometheus-rule --namespace monitoring --rule-label release=kube-prometheus-stack --out k8s/
  $ promtool test rules alerts/budgets.test.yml`,
    )
    .action(async (file: string | undefined, options: { out?: string; format: 'rules' | 'prometheus-rule'; namespace?: string; ruleLabel: string[] }) => {
      const { writePrometheusRule, writeSloRules } = await import('../budgets/generate.js');
      const { loadBudgets } = await import('../budgets/load.js');
      const { renderSloRules } = await import('../budgets/slo-rules.js');
      const { renderPrometheusRule } = await import('../budgets/prometheus-rule.js');
      const loaded = loadBudgets(file);
      const source = sourceName(file);
      if (options.format === 'prometheus-rule') {
        const ruleOptions = { ...(options.namespace ? { namespace: options.namespace } : {}), labels: parsePairs('--rule-label', options.ruleLabel) };
        if (!options.out) return void process.stdout.write(renderPrometheusRule(loaded, source, ruleOptions));
        const [written] = writePrometheusRule(loaded, source, options.out, ruleOptions);
        process.stdout.write(`wrote ${written}\n\nApply it: kubectl apply -f ${written}\nThe operator loads it only if its labels match your Prometheus resource's ruleSelector (kubectl get prometheus -A -o jsonpath='{..ruleSelector}').\n`);
        return;
      }
      if (!options.out) return void process.stdout.write(renderSloRules(loaded, source));
      const written = writeSloRules(loaded, source, options.out);
      for (const f of written) process.stdout.write(`wrote ${f}\n`);
      process.stdout.write(
        `\nLoad the rules in Prometheus (prometheus.yml), then reload it (SIGHUP, or POST /-/reload with --web.enable-lifecycle):\n` +
          `  rule_files:\n    - ${resolve(written[0]!)}\n` +
          `Check them: promtool test rules ${written[1]}\n`,
      );
    });
}

function registerDashboard(budgets: Command): void {
  budgets
    .command('dashboard [file]')
    .description('a Grafana dashboard drawing every budget as a threshold line on the stack metrics')
    .option('--out <file>', 'write the dashboard JSON to FILE (default: print it)')
    .option('--scrape-interval <duration>', "your Prometheus' scrape interval: a budget's `over W` is drawn over at least 4 of them (15s; a bare number is seconds)", '15s')
    .addHelpText(
      'after',
      `
Examples:
  $ npx peakready budgets dashboard --out dashboards/budgets.json
  $ npx peakready budgets dashboard my-budgets.yaml --scrape-interval 30s > budgets.json`,
    )
    .action(async (file: string | undefined, options: { out?: string; scrapeInterval: string }) => {
      const { dashboardJson, writeDashboard } = await import('../budgets/generate.js');
      const { loadBudgets } = await import('../budgets/load.js');
      const loaded = loadBudgets(file);
      const source = sourceName(file);
      const scrapeIntervalMs = parseFlagDuration(options.scrapeInterval, '--scrape-interval');
      if (scrapeIntervalMs < 1000) throw new UsageError('--scrape-interval must be at least 1s');
      let skipped: string[];
      if (options.out) {
        const written = writeDashboard(loaded, source, options.out, { scrapeIntervalMs });
        process.stdout.write(`wrote ${written.file}\n`);
        skipped = written.skipped;
      } else {
        const rendered = dashboardJson(loaded, source, { scrapeIntervalMs });
        process.stdout.write(rendered.text);
        skipped = rendered.skipped;
      }
      for (const s of skipped) process.stderr.write(`peakready: not drawn (judged by the drill only): ${s}\n`);
    });
}
