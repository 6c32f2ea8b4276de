import type { Command } from 'commander';
import { RunDirectory } from '../run/run-dir.js';
import { UsageError } from '../errors.js';
import { grafanaUrlFromEnv } from './env-settings.js';

export function registerTraces(program: Command): void {
  program
    .command('traces [run]')
    .description('summarise the traces of a run: slowest, errors by service, critical path, failed requests')
    .option('--grafana-url <url>', 'print each trace id as a Grafana Explore link (or set PEAKREADY_GRAFANA_URL)')
    .option('--tempo-datasource <uid>', 'uid of the Tempo data source in that Grafana (or PEAKREADY_TEMPO_DATASOURCE)', 'tempo')
    .option('--limit <n>', 'rows per section', '10')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExamples:\n  $ npx peakready traces\n  $ npx peakready traces 20261125T040000Z-drill --grafana-url http://localhost:3000 --tempo-datasource tempo\n')
    .action(async (runArg: string | undefined, options: { grafanaUrl?: string; tempoDatasource: string; limit: string; json?: boolean }) => {
      const { buildTraceRunReport, formatTraceReport } = await import('../telemetry/traces/run-report.js');
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: "${options.limit}" is not a positive whole number`);
      const grafanaUrl = options.grafanaUrl ?? grafanaUrlFromEnv();
      if (grafanaUrl && !/^https?:\/\/[^/]/.test(grafanaUrl)) throw new UsageError(`--grafana-url: "${grafanaUrl}" is not an http(s) URL; write it like http://localhost:3000`);
      const report = buildTraceRunReport(RunDirectory.open(runArg), limit);
      if (options.json) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return;
      }
      const tempoDatasource = process.env.PEAKREADY_TEMPO_DATASOURCE && options.tempoDatasource === 'tempo' ? process.env.PEAKREADY_TEMPO_DATASOURCE : options.tempoDatasource;
      const [{ outputWidth }, { useColor }] = await Promise.all([import('../util/text-table.js'), import('../report/terminal.js')]);
      const format = { tempoDatasource, width: outputWidth(process.stdout), color: useColor(process.stdout) };
      process.stdout.write(formatTraceReport(report, { ...(grafanaUrl ? { grafanaUrl } : {}), ...format }));
    });
}
