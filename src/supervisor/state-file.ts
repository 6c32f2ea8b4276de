import { EnvironmentError } from '../errors.js';
import type { TimelineEvent } from '../run/records.js';
import type { StackState } from '../stack/contract.js';
import { isProcessAlive, readStackState, removeStackState, writeStackState } from '../stack/stack-state.js';

type RecordEvent = (event: TimelineEvent) => void;

/** One stack per state file: a live one refuses a second; a dead one's file is stale and removed. */
export function claimStateFile(path: string, record: RecordEvent): void {
  const existing = readStackState(path);
  if (!existing || existing.supervisorPid === process.pid) return;
  if (isProcessAlive(existing.supervisorPid)) {
    throw new EnvironmentError(
      `a stack is already running (supervisor pid ${existing.supervisorPid}, gateway ${existing.gatewayUrl}, recorded in ${path}); ` +
        'stop it with `peakready down`, or give this one its own state directory with PEAKREADY_HOME',
    );
  }
  removeStackState(path);
  record({ t: Date.now(), type: 'note', level: 'warn', message: `removed a stale ${path} (supervisor pid ${existing.supervisorPid} is gone)` });
}

/**
 * Rewrites stack.json on every change of the stack. It runs inside child-process events: a full
 * disk must not take the stack down, only stack.json, so a failed write is noted once and ignored.
 */
export class StackStateWriter {
  private readonly path: string;
  private readonly record: RecordEvent;
  private failed = false;

  constructor(path: string, record: RecordEvent) {
    this.path = path;
    this.record = record;
  }

  write(state: StackState): void {
    try {
      writeStackState(this.path, state);
    } catch (error) {
      if (!this.failed) this.record({ t: Date.now(), type: 'note', level: 'error', message: `cannot write ${this.path}: ${(error as Error).message}` });
      this.failed = true;
    }
  }

  remove(): void {
    removeStackState(this.path);
  }
}
