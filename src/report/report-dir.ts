import { accessSync, constants, cpSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * `--report DIR`, checked before anything runs: it is a directory, or a path whose nearest existing
 * parent is a directory, and either can be written. A drill finds out now, not after its load,
 * that the reports would have nowhere to go. Returns the absolute path.
 */
export function assertReportDir(dir: string, flag = '--report'): string {
  const absolute = resolve(dir);
  let existing = absolute;
  while (!exists(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) {
    const what = existing === absolute ? `${flag} ${dir} is a file` : `${flag} ${dir}: ${existing} is a file, so no directory can be made under it`;
    throw new UsageError(`${what}; name a directory (it is created if missing), e.g. ${flag} report/`);
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${dir}: ${existing} cannot be written by this user; name a directory you can write to`);
  }
  return absolute;
}

/** Copies the run's report files into `dir` (created if missing). */
export function copyReports(files: readonly string[], dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const file of files) cpSync(file, resolve(dir, basename(file)));
}

/** Whether something is at `path` (a path through a file, ENOTDIR, is nothing). */
function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
