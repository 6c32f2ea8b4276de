import type { ChildProcess } from 'node:child_process';
import { EnvironmentError } from '../errors.js';
import { stopChild } from '../lifecycle/children.js';
import { isReplicaReadyMessage } from '../stack/contract.js';
import { logTail } from './log-tail.js';

/** Waits for a child's `{type:'ready'}` IPC message; the error names the log and shows its tail. */
export function waitForReady(child: ChildProcess, logFile: string, timeoutMs: number, what: string): Promise<void> {
  const fail = (why: string) => {
    const tail = logTail(logFile, 8);
    return new EnvironmentError(
      `${what} ${why}; see ${logFile}, or use a real PostgreSQL with --database-url` + (tail ? `\n  last log lines:\n${tail.replace(/^/gm, '    ')}` : ''),
    );
  };
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      void stopChild(child, 1000);
      reject(fail(`did not become ready within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    const onMessage = (message: unknown) => {
      if (!isReplicaReadyMessage(message)) return;
      cleanup();
      resolve();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(fail(signal ? `was killed by ${signal} while starting` : `exited with code ${code} while starting`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(fail(`could not start: ${error.message}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
