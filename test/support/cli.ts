import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export const BIN = join(packageRoot, 'bin', 'peakready.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`bin/peakready.js`) to completion from the package root: exit code, stdout, stderr. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 90_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd: packageRoot, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (error as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : -1, stdout, stderr });
    });
  });
}
