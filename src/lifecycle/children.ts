import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../paths.js';
import { onExitSync } from './shutdown.js';

/**
 * Child processes that can never outlive peakready: each runs in its own process group (so its
 * own children die with it), is recorded in `.peakready/pids/` while alive, is killed by group on
 * every exit path, and is reaped by the next peakready command if a SIGKILL left it behind.
 * Our own children (services, the database) also exit by themselves when their IPC channel to
 * the parent closes (see `exitWithParent`).
 */

export interface ManagedChildOptions {
  /** shown in messages and the pid file, e.g. "catalog#2" */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** stdout and stderr go to this file (appended); otherwise they are ignored */
  logFile?: string;
  /** open an IPC channel (for Node children that report readiness with process.send) */
  ipc?: boolean;
}

interface PidRecord {
  pid: number;
  name: string;
  owner: number;
  ownerStart: string | null;
  start: string | null;
  command: string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function pidsDir(): string {
  return join(stateDir(), 'pids');
}

/** Starts a child in its own process group and records it. */
export function spawnManaged(options: ManagedChildOptions): ChildProcess {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    onExitSync(killAllManagedSync);
  }
  let logFd: number | undefined;
  if (options.logFile) logFd = openSync(options.logFile, 'a');
  const out = logFd ?? 'ignore';
  const stdio: StdioOptions = options.ipc ? ['ignore', out, out, 'ipc'] : ['ignore', out, out];
  const child = spawn(options.command, options.args as string[], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio,
    detached: true,
  });
  if (logFd !== undefined) closeSync(logFd);
  if (child.pid === undefined) {
    // spawn failed synchronously (ENOENT...): the 'error' event tells the caller
    return child;
  }
  live.add(child);
  const record: PidRecord = {
    pid: child.pid,
    name: options.name,
    owner: process.pid,
    ownerStart: processStartTime(process.pid),
    start: processStartTime(child.pid),
    command: [options.command, ...options.args].join(' '),
  };
  mkdirSync(pidsDir(), { recursive: true });
  const file = join(pidsDir(), `${child.pid}.json`);
  writeFileSync(file, JSON.stringify(record));
  child.once('exit', () => {
    live.delete(child);
    rmSync(file, { force: true });
  });
  return child;
}

/** Sends a signal to the child's whole process group. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // the leader is gone; make sure nothing of its group lingers
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // group already empty
  }
}

function killAllManagedSync(): void {
  for (const child of live) signalGroup(child, 'SIGKILL');
}

/**
 * Kills what an earlier peakready left behind after it was SIGKILLed: every recorded child whose
 * owner is gone (and whose pid was not reused since). Returns the names of what it reaped.
 */
export function reapStaleChildren(): string[] {
  let files: string[];
  try {
    files = readdirSync(pidsDir()).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const reaped: string[] = [];
  for (const f of files) {
    const file = join(pidsDir(), f);
    let record: PidRecord;
    try {
      record = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
    } catch {
      rmSync(file, { force: true });
      continue;
    }
    const ownerAlive = isAlive(record.owner) && processStartTime(record.owner) === record.ownerStart;
    if (ownerAlive) continue;
    if (isAlive(record.pid) && processStartTime(record.pid) === record.start) {
      try {
        process.kill(-record.pid, 'SIGKILL');
      } catch {
        try {
          process.kill(record.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      reaped.push(`${record.name} (pid ${record.pid})`);
    }
    rmSync(file, { force: true });
  }
  return reaped;
}

/**
 * For our own Node children: exit when the parent goes away (its IPC channel closes, which
 * happens even when the parent is SIGKILLed). `cleanup` gets a short chance to run first.
 */
export function exitWithParent(cleanup?: () => Promise<void> | void): void {
  if (!process.send) return;
  process.on('disconnect', () => {
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    void Promise.resolve(cleanup?.()).finally(() => process.exit(0));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Start time of a process in clock ticks since boot (/proc/PID/stat field 22); tells reused pids apart. */
function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
