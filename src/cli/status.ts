import type { Command } from 'commander';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('list the running stack: services, replicas, pids, ports and health')
    .option('--json', 'print the stack state with each replica\'s health as JSON')
    .addHelpText(
      'after',
      `
Exit code 0 when a stack runs and every replica answers /healthz, 1 otherwise.

Examples:
  $ npx peakready status
  $ npx peakready status --json | jq '.services[] | {name, replicas: (.replicas | length)}'`,
    )
    .action(async (flags: { json?: boolean }) => {
      const { isProcessAlive, readStackState, stackStatePath } = await import('../stack/stack-state.js');
      const { probeHealth, renderStackSummary, renderStatusTable } = await import('./status-view.js');
      const path = stackStatePath();
      const state = readStackState(path);
      if (!state) {
        process.stdout.write(`no stack is running (no ${path}); start one with \`peakready up\`\n`);
        process.exitCode = 1;
        return;
      }
      if (!isProcessAlive(state.supervisorPid)) {
        process.stdout.write(`the stack recorded in ${path} is not running (supervisor pid ${state.supervisorPid} is gone); clean up with \`peakready down\`\n`);
        process.exitCode = 1;
        return;
      }
      const health = await probeHealth(state);
      const all = state.services.flatMap((s) => s.replicas);
      const healthy = all.length > 0 && all.every((r) => health.get(r.id) === 'healthy' || r.state === 'draining');
      if (flags.json) {
        const services = state.services.map((s) => ({ ...s, replicas: s.replicas.map((r) => ({ ...r, health: health.get(r.id) ?? 'not probed' })) }));
        process.stdout.write(JSON.stringify({ ...state, services, healthy }, null, 2) + '\n');
      } else {
        const tty = Boolean(process.stdout.isTTY);
        process.stdout.write(renderStatusTable(state, { tty, health, width: process.stdout.columns ?? 100, color: tty && !process.env.NO_COLOR }) + '\n' + renderStackSummary(state) + '\n');
      }
      if (!healthy) process.exitCode = 1;
    });
}
