import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { parseFlagDuration } from '../util/duration.js';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop the running stack and everything it started')
    .option('--timeout <duration>', 'how long the supervisor may take to stop gracefully before it is killed (20s, 1m; a bare number is seconds)', '20s')
    .addHelpText(
      'after',
      `
Signals the supervisor (SIGTERM: replicas drain and stop, fault proxies are removed); if the
supervisor is already dead, kills whatever it left behind (recorded in .peakready/pids/).

Examples:
  $ npx peakready down
  $ npx peakready down --timeout 1m`,
    )
    .action(async (flags: { timeout: string }) => {
      const { stopRecordedStack } = await import('../supervisor/stop-recorded.js');
      const graceMs = parseFlagDuration(flags.timeout, '--timeout');
      if (graceMs < 1000) throw new UsageError('--timeout must be at least 1s');
      const outcome = await stopRecordedStack({ graceMs });
      for (const line of outcome.lines) process.stdout.write(`peakready: ${line}\n`);
    });
}
