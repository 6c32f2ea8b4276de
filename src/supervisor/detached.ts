import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { PeakreadyError } from '../errors.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { onShutdown } from '../lifecycle/shutdown.js';
import { distEntry, stateDir } from '../paths.js';
import type { TimelineEvent } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import { describeEvent } from './event-line.js';
import { startStack, type StartStackOptions } from './supervisor.js';

/**
 * `peakready up --detach`: the stack runs in a supervisor process of its own (own session, so a
 * closed terminal does not hang it up), started from a lean entry point (supervise-main.ts) that
 * loads only this room, not the whole CLI. It reports ready or failed over IPC, then lives alone.
 */

const OPTIONS_ENV = 'PEAKREADY_SUPERVISOR_OPTIONS';

/** What a detached supervisor tells the `up --detach` that started it. */
type SupervisorMessage = { type: 'ready'; gatewayUrl: string; ms: number } | { type: 'failed'; message: string; exitCode: ExitCodeValue };

/** The options a detached supervisor can receive (callbacks cannot cross a process boundary). */
export type DetachableOptions = Omit<StartStackOptions, 'runDir' | 'onEvent' | 'onReplicaSpawned' | 'definition'>;

export interface DetachedStack {
  pid: number;
  gatewayUrl: string;
  ms: number;
  logFile: string;
}

export async function startDetachedSupervisor(options: DetachableOptions): Promise<DetachedStack> {
  mkdirSync(stateDir(), { recursive: true });
  const logFile = join(stateDir(), 'supervisor.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [distEntry('src/supervisor/supervise-main')], {
    detached: true,
    stdio: ['ignore', fd, fd, 'ipc'],
    env: { ...process.env, [OPTIONS_ENV]: JSON.stringify(options) },
  });
  closeSync(fd);
  // Ctrl-C while we wait: the half-started stack must not stay behind
  const unregister = onShutdown('stop the starting supervisor', () => {
    if (child.pid) process.kill(child.pid, 'SIGTERM');
  });
  const outcome = await new Promise<SupervisorMessage>((resolve) => {
    child.on('message', (m: SupervisorMessage) => resolve(m));
    child.once('exit', (code, signal) =>
      resolve({
        type: 'failed',
        message: `the supervisor ${signal ? `was killed by ${signal}` : `exited with code ${code}`} before the stack was ready; see ${logFile}`,
        exitCode: ExitCode.internal,
      }),
    );
  });
  unregister();
  if (outcome.type === 'failed') throw new PeakreadyError(outcome.message, outcome.exitCode);
  child.disconnect();
  child.unref();
  return { pid: child.pid!, gatewayUrl: outcome.gatewayUrl, ms: outcome.ms, logFile };
}

/** The detached supervisor's body (called by supervise-main.ts). */
export async function runDetachedSupervisor(): Promise<void> {
  const send = (message: SupervisorMessage) => new Promise<void>((resolve) => (process.send ? process.send(message, undefined, {}, () => resolve()) : resolve()));
  const options = JSON.parse(process.env[OPTIONS_ENV] ?? '{}') as DetachableOptions;
  delete process.env[OPTIONS_ENV]; // not inherited by the replicas
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
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`peakready: ${message}\n`);
    await send({ type: 'failed', message, exitCode });
    process.exitCode = exitCode;
    return;
  }
  process.on('disconnect', () => undefined); // the parent leaving is expected
}
