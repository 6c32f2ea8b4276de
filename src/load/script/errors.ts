import { PeakreadyError } from '../../errors.js';
import { ExitCode, type ExitCodeValue } from '../../exit-codes.js';

/**
 * A script that cannot load or run: syntax error, unknown module, a blocking call where none can
 * wait, an exception in init/setup/teardown. Exit code 107 as k6 (script exception); the message
 * starts with the original `file:line`.
 */
export class ScriptError extends PeakreadyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.scriptException, options);
  }
}

/** test.abort() in setup/teardown: exit code 108 as k6. */
export class ScriptAbortedError extends PeakreadyError {
  constructor(message: string) {
    super(message, ExitCode.scriptAborted);
  }
}

/** setup() or teardown() past its timeout: k6's exit codes 100 and 101 (handleSummary: 107). */
export class HookTimeoutError extends PeakreadyError {
  constructor(script: string, hook: 'setup' | 'teardown' | 'handleSummary', timeoutMs: number) {
    const fix = hook === 'handleSummary' ? 'make it faster' : `make it faster or raise options.${hook}Timeout`;
    super(
      `${script}: ${hook}() did not finish within ${timeoutMs} ms; ${fix}`,
      hook === 'setup' ? ExitCode.setupTimeout : hook === 'teardown' ? ExitCode.teardownTimeout : ExitCode.scriptException,
    );
  }
}

/** An error a load worker reported, as its own kind again on the main thread (it crossed as message and code). */
export function errorFromWorker(message: string, exitCode: number): PeakreadyError {
  if (exitCode === ExitCode.scriptException) return new ScriptError(message);
  if (exitCode === ExitCode.scriptAborted) return new ScriptAbortedError(message);
  return new PeakreadyError(message, exitCode as ExitCodeValue);
}
