import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { PeakreadyError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { onShutdown } from '../lifecycle/shutdown.js';
import { stateDir } from '../paths.js';
import type { TimelineEvent } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import { addStackFlags, stackOptionsFromFlags, type StackFlags } from '../stack/stack-flags.js';
import { readStackState, stackStatePath } from '../stack/stack-state.js';
import { describeEvent, renderStackSummary, renderStatusTable } from '../stack/status-view.js';
import { startStack, type StartStackOptions } from '../stack/supervisor.js';

interface UpFlags extends StackFlags {
  detach?: boolean;
  supervise?: boolean;
}

/** What a detached supervisor tells the `up --detach` that started it. */
type SupervisorMessage = { type: 'ready'; gatewayUrl: string; ms: number } | { type: 'failed'; message: string; exitCode: ExitCodeValue };

export function registerUp(program: Command): void {
  const command = program
    .command('up')
    .description('start the reference commerce stack as local processes and wait until it is ready');
  addStackFlags(command)
    .option('--detach', 'start the stack in the background and return once it is ready (stop it with `peakready down`)')
    .addOption(new Option('--supervise', 'internal: run as the detached supervisor').hideHelp())
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
      if (flags.supervise) return superviseDetached(options);
      if (flags.detach) return startDetached();
      return runForeground(options);
    });
}

async function runForeground(options: StartStackOptions): Promise<void> {
  const tty = Boolean(process.stdout.isTTY);
  const runDir = RunDirectory.create('up');
  let drawn = 0;
  let scheduled: NodeJS.Timeout | undefined;
  let ready = false;
  const redraw = () => {
    scheduled = undefined;
    const state = readStackState(stackStatePath());
    if (!state) return;
    const text = renderStatusTable(state, { tty: true });
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

/** The detached supervisor: starts the stack, tells its parent, then lives on alone. */
async function superviseDetached(options: StartStackOptions): Promise<void> {
  const send = (message: SupervisorMessage) => new Promise<void>((resolve) => (process.send ? process.send(message, undefined, {}, () => resolve()) : resolve()));
  const runDir = RunDirectory.create('up');
  const log = (event: TimelineEvent) => {
    const line = describeEvent(event);
    if (line) process.stdout.write(`${new Date(event.t).toISOString()} ${line}\n`);
  };
  try {
    const stack = await startStack({ ...options, runDir, onEvent: log });
    await send({ type: 'ready', gatewayUrl: stack.gatewayUrl, ms: Date.now() - stack.state().startedAt });
  } catch (error) {
    const exitCode = error instanceof PeakreadyError ? error.exitCode : ExitCode.internal;
    await send({ type: 'failed', message: error instanceof Error ? error.message : String(error), exitCode });
    throw error;
  }
  process.on('disconnect', () => undefined); // the parent leaving is expected
  await new Promise<never>(() => undefined);
}

async function startDetached(): Promise<void> {
  mkdirSync(stateDir(), { recursive: true });
  const logFile = join(stateDir(), 'supervisor.log');
  const fd = openSync(logFile, 'a');
  const args = [...process.argv.slice(1).filter((a) => a !== '--detach'), '--supervise'];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd, 'ipc'], env: process.env });
  closeSync(fd);
  // Ctrl-C while we wait: the half-started stack must not stay behind
  const unregister = onShutdown('stop the starting supervisor', () => {
    if (child.pid) process.kill(child.pid, 'SIGTERM');
  });
  const outcome = await new Promise<SupervisorMessage>((resolve) => {
    child.on('message', (m: SupervisorMessage) => resolve(m));
    child.once('exit', (code, signal) =>
      resolve({ type: 'failed', message: `the supervisor ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before the stack was ready; see ${logFile}`, exitCode: ExitCode.internal }),
    );
  });
  unregister();
  if (outcome.type === 'failed') throw new PeakreadyError(outcome.message, outcome.exitCode);
  child.disconnect();
  child.unref();
  process.stdout.write(
    `peakready: stack ready in ${(outcome.ms / 1000).toFixed(1)} s (supervisor pid ${child.pid}, log ${logFile})\n` +
      `Gateway: ${outcome.gatewayUrl}\n\`peakready status\` shows it, \`peakready down\` stops it.\n`,
  );
}
