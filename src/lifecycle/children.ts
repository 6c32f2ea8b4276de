import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from '../paths.js';
import { onExitSync } from './shutdown.js';

/**
 * Child processes that can never outlive peakready: each runs in its own process group (so its
 * own children die with it), is recorded in `.peakready/pids/` while alive, is killed by group on
 * every exit path, and ends soon after the process that started it is gone, even when that one was
 * SIGKILLed and no exit path ran: every child has a watchdog (below) holding a pipe only its
 * parent writes to. Our own Node children (services, the database) also exit by themselves when
 * their IPC channel to the parent closes (see `exitWithParent`), which lets them flush first. The
 * next peakready command still reaps (`reapStaleChildren`) whatever a watchdog could not end.
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
const watchdogs = new Map<ChildProcess, ChildProcess>();
let exitHookInstalled = false;

/** How long the watchdog lets a child's group end after SIGTERM before it sends SIGKILL. */
const WATCHDOG_GRACE_MS = 2_000;

/**
 * The watchdog of one child, in POSIX sh (a few hundred kilobytes, no Node): it blocks reading
 * its stdin, a pipe whose writing end only the parent holds (Node opens it close-on-exec, so no
 * other child inherits it). When the parent is gone, however it went, the pipe reaches end of
 * file: the watchdog sends SIGTERM to the child's process group, SIGKILL to what is left after the
 * grace, and removes the child's pid file. Foreign binaries (Prometheus, k6) get the same
 * guarantee as our own Node children, and a child stuck before it could listen for anything too.
 * $1 = the child's process group, $2 = its pid file.
 */
const WATCHDOG_SCRIPT = [
  'read -r _',
  'if kill -TERM "-$1" 2>/dev/null; then',
  `  i=0; while [ $i -lt ${WATCHDOG_GRACE_MS / 100} ] && kill -0 "-$1" 2>/dev/null; do sleep 0.1; i=$((i+1)); done`,
  '  kill -KILL "-$1" 2>/dev/null',
  'fi',
  'rm -f "$2"',
].join('\n');

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
  const watchdog = startWatchdog(child.pid, file);
  if (watchdog) watchdogs.set(child, watchdog);
  child.once('exit', () => {
    live.delete(child);
    rmSync(file, { force: true });
    // the child is gone: its watchdog must not outlive it, nor ever signal a reused group id
    stopWatchdog(child);
  });
  return child;
}

/** The child's watchdog (WATCHDOG_SCRIPT), in a process group of its own so a signal to ours does not end it first. */
function startWatchdog(pid: number, pidFile: string): ChildProcess | undefined {
  try {
    const watchdog = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'peakready-watchdog', String(pid), pidFile], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    watchdog.on('error', () => undefined); // no /bin/sh: the exit paths and the next command's reaping remain
    watchdog.stdin?.on('error', () => undefined);
    // the watchdog does not keep peakready's event loop alive (its idle pipe does not either)
    watchdog.unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

function stopWatchdog(child: ChildProcess): void {
  const watchdog = watchdogs.get(child);
  watchdogs.delete(child);
  try {
    watchdog?.kill('SIGKILL');
  } catch {
    // already gone
  }
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
  for (const child of [...watchdogs.keys()]) stopWatchdog(child);
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
  const leave = () => {
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    void Promise.resolve(cleanup?.()).finally(() => process.exit(0));
  };
  // the parent may have gone while this process was still loading its modules: the channel is
  // closed already and 'disconnect' will not come again
  if (!process.connected) return leave();
  process.on('disconnect', leave);
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
