import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stateDir } from '../paths.js';
import type { StackState } from './contract.js';

/** `.peakready/stack.json`: how `status`, `down`, the scraper and `scale watch` find a running stack. */
export function stackStatePath(): string {
  return join(stateDir(), 'stack.json');
}

/** Atomic (write + rename): a reader never sees half a file, even while replicas change every second. */
export function writeStackState(path: string, state: StackState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  renameSync(tmp, path);
}

/** The recorded stack, or undefined when there is none (or the file is unreadable). */
export function readStackState(path: string = stackStatePath()): StackState | undefined {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as StackState;
    return typeof state.supervisorPid === 'number' && Array.isArray(state.services) ? state : undefined;
  } catch {
    return undefined;
  }
}

export function removeStackState(path: string = stackStatePath()): void {
  rmSync(path, { force: true });
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
