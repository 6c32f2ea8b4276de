import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * `--secret-source TYPE=CONFIG`, as k6 reads it: `file=PATH` (or `file=filename=PATH`; one
 * `key=value` per line) and `mock=key=value,key2=value2`; `name=NAME` names a source,
 * `default` makes it the default one, and a lone source is the default. Read once on the main
 * thread; instances get the secrets as data (`SecretSources`).
 */

export interface SecretSources {
  /** secrets by source name ('' for an unnamed source) */
  sources: Record<string, Record<string, string>>;
  /** the source `secrets.get()` reads, when there is one */
  defaultSource?: string;
}

export const NO_SECRETS: SecretSources = { sources: {} };

function parseLines(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    if (line === '') return;
    const eq = line.indexOf('=');
    if (eq < 0) throw new UsageError(`--secret-source file: ${file}:${i + 1}: "${line.length > 30 ? line.slice(0, 30) + '…' : line}" has no "="; write one key=value per line`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  });
  return out;
}

function fileSource(config: string[], flag: string): Record<string, string> {
  let filename: string | undefined;
  for (const part of config) {
    const eq = part.indexOf('=');
    if (eq < 0) filename = part;
    else if (part.slice(0, eq) === 'filename') filename = part.slice(eq + 1);
    else throw new UsageError(`--secret-source ${flag}: unknown setting "${part.slice(0, eq)}" for the file source (it takes a file name, name=... and default)`);
  }
  if (!filename) throw new UsageError(`--secret-source ${flag}: the file source needs a file: --secret-source file=secrets.txt`);
  let text: string;
  try {
    text = readFileSync(resolve(filename), 'utf8');
  } catch {
    throw new UsageError(`--secret-source ${flag}: cannot read ${resolve(filename)}`);
  }
  return parseLines(text, filename);
}

function mockSource(config: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of config) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new UsageError(`--secret-source ${flag}: "${part}" needs "=": --secret-source mock=key=value,other=value`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

export function parseSecretSources(flags: readonly string[] | undefined): SecretSources {
  const result: SecretSources = { sources: {} };
  for (const flag of flags ?? []) {
    const eq = flag.indexOf('=');
    const type = eq < 0 ? flag : flag.slice(0, eq);
    const parts = eq < 0 ? [] : flag.slice(eq + 1).split(',');
    // `name=` and `default` belong to every source; the rest is the source's own configuration
    const name = parts.find((p) => p.startsWith('name='))?.slice(5) ?? '';
    const isDefault = parts.includes('default');
    const config = parts.filter((p) => p !== 'default' && !p.startsWith('name='));
    let secrets: Record<string, string>;
    if (type === 'file') secrets = fileSource(config, flag);
    else if (type === 'mock') secrets = mockSource(config, flag);
    else throw new UsageError(`--secret-source ${flag}: no secret source of type "${type}"; the built-in engine has file and mock (k6's url and cloud sources need --engine k6)`);
    if (name in result.sources) throw new UsageError(`--secret-source ${flag}: a secret source named "${name}" is already given; name them apart with name=...`);
    result.sources[name] = secrets;
    if (isDefault) {
      if (result.defaultSource !== undefined) throw new UsageError(`--secret-source ${flag}: only one secret source can be the default`);
      result.defaultSource = name;
    }
  }
  const names = Object.keys(result.sources);
  if (names.length === 1) result.defaultSource = names[0];
  return result;
}
