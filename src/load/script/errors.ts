import { PeakreadyError } from '../../errors.js';
import { ExitCode } from '../../exit-codes.js';

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
