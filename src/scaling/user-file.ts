import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { readRecordText } from '../run/run-dir.js';
import { ConfigError } from '../errors.js';

/** Reads a file the user named; the returned `file` is how messages show it (relative when inside cwd). */
export function readUserFile(path: string): { text: string; file: string } {
  const rel = relative(process.cwd(), path);
  const file = rel && !rel.startsWith('..') ? rel : path;
  try {
    // a run's record file may be gzip-compressed (metrics.ndjson.gz)
    return { text: path.endsWith('.gz') ? readRecordText(path) : readFileSync(path, 'utf8'), file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([{ file, message: code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? String(error)})` }]);
  }
}
