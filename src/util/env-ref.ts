import { UsageError } from '../errors.js';

/** `${NAME}`: a reference to an environment variable inside a value of a user file. */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** True when `text` names at least one `${NAME}`. */
export function hasEnvReference(text: string): boolean {
  return new RegExp(REFERENCE.source).test(text);
}

/**
 * Replaces every `${NAME}` in `text` by that environment variable, so a secret (a database
 * password) stays out of the file. An unset or empty variable is a usage error naming it and
 * `where` (the file and field), never an empty string silently put into a URL.
 */
export function expandEnvReferences(text: string, where: string, env: NodeJS.ProcessEnv = process.env): string {
  const missing = new Set<string>();
  const expanded = text.replace(REFERENCE, (_, name: string) => {
    const value = env[name];
    if (value === undefined || value === '') missing.add(name);
    return value ?? '';
  });
  if (missing.size) {
    const names = [...missing];
    throw new UsageError(`${where} names ${names.map((n) => `\${${n}}`).join(', ')}, but ${names.length > 1 ? 'they are' : 'it is'} not set; export ${names[0]}=... before the drill (or give the URL with --database-url)`);
  }
  return expanded;
}
