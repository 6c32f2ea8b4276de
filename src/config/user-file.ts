import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { relative } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * The largest file a user writes by hand that peakready reads (game day, chaos experiment,
 * budgets, trace rules, an HPA manifest): a 1 MiB YAML file is some 30,000 lines, far past any
 * real one, and parsing and validating it stays well under a second. A bigger file is a mistake
 * (a log, a data dump, a generated bomb) and is refused before it is parsed.
 */
export const MAX_USER_FILE_BYTES = 1024 * 1024;

/** How a path is shown in messages: relative when inside the working directory. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/**
 * Reads a text file the user named, refusing with one ConfigError (exit 2) what is not one: a
 * missing file, a directory, more than `maxBytes` (read stops there, so /dev/zero or a pipe that
 * never ends cannot hang or fill memory), bytes that are not UTF-8, or NUL bytes (a binary file).
 */
export function readUserText(path: string, maxBytes: number = MAX_USER_FILE_BYTES): { text: string; file: string } {
  const file = displayPath(path);
  const refuse = (message: string): never => {
    throw new ConfigError([{ file, message }]);
  };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return refuse(code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(error)})`);
  }
  let bytes: Buffer;
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) refuse('is a directory; give the file inside it');
    if (stat.isFile() && stat.size > maxBytes) refuse(tooLarge(stat.size, maxBytes));
    bytes = readAtMost(fd, maxBytes + 1);
  } finally {
    closeSync(fd);
  }
  if (bytes.length > maxBytes) refuse(tooLarge(undefined, maxBytes));
  if (bytes.includes(0)) refuse('is a binary file (it holds NUL bytes), not text; give the YAML or JSON file');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return refuse('is not UTF-8 text; save it as UTF-8');
  }
  return { text, file };
}

function readAtMost(fd: number, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < limit) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, limit - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(size: number | undefined, maxBytes: number): string {
  const mib = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(n / 1024)} KiB`);
  return `is ${size === undefined ? '' : `${mib(size)}, `}over the ${mib(maxBytes)} a peakready file may have; is this the right file?`;
}
