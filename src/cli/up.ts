import type { Command } from 'commander';
import { RunDirectory } from '../run/run-dir.js';
import type { TimelineEvent } from '../run/records.js';
import { addStackFlags, stackOptionsFromFlags, type StackFlags } from './stack-flags.js';
import type { StartStackOptions } from '../supervisor/supervisor.js';

interface UpFlags extends StackFlags {
  detach?: boolean;
}

export function registerUp(program: Command): void {
  const command = program
    .command('up')
    .description('start the reference commerce stack as local processes and wait until it is ready');
  addStackFlags(command)
    .option('--detach', 'start the stack in the background and return once it is ready (stop it with `peakready down`)')
    .addHelpText(
      'after',
      `
Examples:
  $ npx peakready up                                   foreground, live status table, Ctrl-C stops it
  $ npx peakready up --detach --replicas catalog=3     background; then \`peakready status\`, \`peakready down\`
  $ npx peakready up --database-url postgres://user:pw@127.0.0.1:5432/shop --toxiproxy http://127.0.0.1:8474`,
    )
    .action(async (flags: UpFlags) => {
      const options = stackOptionsFromFlags(flags);
      if (!flags.detach) return runForeground(options);
      const { startDetachedSupervisor } = await import('../supervisor/detached.js');
      const stack = await startDetachedSupervisor(options);
      process.stdout.write(
        `peakready: stack ready in ${(stack.ms / 1000).toFixed(1)} s (supervisor pid ${stack.pid}, log ${stack.logFile})\n` +
          `Gateway: ${stack.gatewayUrl}\n\`peakready status\` shows it, \`peakready down\` stops it.\n`,
      );
    });
}

async function runForeground(options: StartStackOptions): Promise<void> {
  const [{ readStackState, stackStatePath }, { renderStackSummary, renderStatusTable }, { describeEvent }, { startStack }] = await Promise.all([
    import('../stack/stack-state.js'),
    import('./status-view.js'),
    import('../supervisor/event-line.js'),
    import('../supervisor/supervisor.js'),
  ]);
  const tty = Boolean(process.stdout.isTTY);
  const runDir = RunDirectory.create('up');
  let drawn = 0;
  let scheduled: NodeJS.Timeout | undefined;
  let ready = false;
  const redraw = () => {
    scheduled = undefined;
    const state = readStackState(stackStatePath());
    if (!state) return;
    const text = renderStatusTable(state, { tty: true, width: process.stdout.columns ?? 100, color: !process.env.NO_COLOR });
    process.stdout.write((drawn ? `\x1b[${drawn}F\x1b[0J` : '') + text + '\n');
    drawn = text.split('\n').length;
  };
  const onEvent = (event: TimelineEvent) => {
    if (tty && !(event.type === 'stack' && (event.state === 'stopping' || event.state === 'stopped'))) {
      scheduled ??= setTimeout(redraw, 100);
      return;
    }
    const line = describeEvent(event);
    if (line) process.stdout.write(`${new Date(event.t).toISOString().slice(11, 23)} ${line}\n`);
    if (ready && event.type === 'stack') drawn = 0;
  };
  const stack = await startStack({ ...options, runDir, onEvent });
  ready = true;
  if (tty) {
    clearTimeout(scheduled);
    redraw();
  }
  const ms = stack.state().startedAt;
  process.stdout.write(
    `\npeakready: stack ready in ${((Date.now() - ms) / 1000).toFixed(1)} s\n${renderStackSummary(stack.state())}\n\n` +
      `Gateway: ${stack.gatewayUrl}   (Ctrl-C stops everything; \`peakready status\` from another shell)\n`,
  );
  await new Promise<never>(() => undefined); // runs until a signal; the shutdown hooks stop the stack
}
