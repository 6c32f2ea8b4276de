import type { Command } from 'commander';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop the running stack and everything it started')
    .option('--timeout <seconds>', 'how long the supervisor may take to stop gracefully before it is killed', '20')
    .addHelpText(
      'after',
      `
Signals the supervisor (SIGTERM: replicas drain and stop, fault proxies are removed); if the
supervisor is already dead, kills whatever it left behind (recorded in .peakready/pids/).

Example:
  $ npx peakready down`,
    )
    .action(async (flags: { timeout: string }) => {
      const { stopRecordedStack } = await import('../supervisor/stop-recorded.js');
      const outcome = await stopRecordedStack({ graceMs: Math.max(1, Number(flags.timeout) || 20) * 1000 });
      for (const line of outcome.lines) process.stdout.write(`peakready: ${line}\n`);
    });
}
