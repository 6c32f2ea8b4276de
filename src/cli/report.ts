import type { Command } from 'commander';
import { RunDirectory } from '../run/run-dir.js';
import { exitCodeOf } from '../exit-codes.js';
import { grafanaUrlFromEnv } from './env-settings.js';

interface ReportFlags {
  budget?: string;
  baseline?: string;
  grafanaUrl?: string;
  report?: string;
  color?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report [run]')
    .description('judge a finished run again from its stored data and rebuild every report (terminal, JSON, JUnit, Markdown, HTML)')
    .option('--budget <file>', "budgets file (default: what the run was made with: a drill's game-day file, a plain run's own thresholds)")
    .option('--baseline <file>', "an earlier run's report.json (same game day and profile); fail on a significant regression beyond the budgets' tolerance")
    .option('--grafana-url <url>', 'link trace ids to Grafana Explore (default: the run\'s, or $PEAKREADY_GRAFANA_URL)')
    .option('--report <dir>', 'also copy report.html, report.json, junit.xml and summary.md here')
    .option('--no-color', 'no colours in the verdict table (also NO_COLOR, or when not a terminal)')
    .addHelpText(
      'after',
      `
RUN is a run directory or its id under .peakready/runs/ (default: the newest run).

Example:
  $ npx peakready report                                  # the newest run
  $ npx peakready report .peakready/runs/<id> --baseline main/report.json

Exit codes: 0 every check passed, 1 a check or budget failed, 2 usage or configuration error,
4 inconclusive (the test rig was starved, or the load was not fully sent),
5 interrupted (the run stopped before its end: judged only up to then).`,
    )
    .action(async (runArg: string | undefined, flags: ReportFlags) => {
      const { assertReportDir, copyReports, githubAnnotations, inGithubActions, renderVerdictTable, useColor, writeReports } = await import('../report/index.js');
      const { outputWidth } = await import('../util/text-table.js');
      const reportDir = flags.report ? assertReportDir(flags.report) : undefined;
      const { assertComparable, loadBaseline, recordedRunOf } = await import('../verify/baseline-file.js');
      const { judgeRun } = await import('../verify/judge-run.js');
      const { judgementFor } = await import('../verify/run-budgets.js');
      const run = RunDirectory.open(runArg);
      const { budgets, scriptThresholds, only } = judgementFor(run, flags.budget);
      const baseline = flags.baseline ? loadBaseline(flags.baseline) : undefined;
      if (baseline) assertComparable(baseline, recordedRunOf(run.readJson('config')));
      const recordedGrafana = run.readJson<{ grafanaUrl?: string | null }>('config')?.grafanaUrl ?? undefined;
      const grafanaUrl = flags.grafanaUrl ?? recordedGrafana ?? grafanaUrlFromEnv();
      const { data, judged } = judgeRun(run, budgets, { ...(baseline ? { baseline } : {}), scriptThresholds, ...(only ? { only } : {}) });
      const result = writeReports(run, data, judged, { budgets, ...(grafanaUrl ? { grafanaUrl } : {}) });
      if (reportDir) copyReports(result.files, reportDir);
      const color = flags.color !== false && useColor(process.stdout);
      process.stdout.write(renderVerdictTable(judged, { color, width: outputWidth(process.stdout) }));
      if (inGithubActions()) process.stdout.write(githubAnnotations(judged.checks).map((line) => line + '\n').join(''));
      process.stdout.write(`reports: ${result.files.join(', ')}\n`);
      process.exitCode = exitCodeOf(judged.verdict);
    });
}
