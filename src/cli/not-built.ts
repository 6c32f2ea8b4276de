import { PeakreadyError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';

/** What a command that does not exist yet says, instead of pretending. */
export function notBuiltYet(command: string, what: string): never {
  throw new PeakreadyError(`\`peakready ${command}\` is not built yet: ${what}`, ExitCode.usage);
}
