import { UsageError } from '../errors.js';

/** Small parsers for flag values that several commands share. */

/** commander's collector for a repeatable flag. */
export const collect = (value: string, previous: string[]) => [...previous, value];

/** `-e KEY=VALUE`, `--tag NAME=VALUE`, `--rule-label NAME=VALUE` pairs. */
export function parsePairs(flag: string, pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} "${pair}": write it as ${flag === '-e' ? 'KEY' : 'NAME'}=VALUE`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

