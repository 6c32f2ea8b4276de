import { UsageError } from '../errors.js';

/** A flag's URL, or a usage error naming the flag with an example of the right form. */
export function parseUrlFlag(url: string, flag: string, example = 'http://127.0.0.1:8080'): URL {
  try {
    return new URL(url);
  } catch {
    throw new UsageError(`${flag}: "${url}" is not a URL; write it like ${example}`);
  }
}

/** `--otlp-forward URL`: an OTLP/HTTP traces endpoint, or a usage error saying what to write. */
export function parseOtlpForwardFlag(value: string): string {
  const url = parseUrlFlag(value, '--otlp-forward', 'http://localhost:4318/v1/traces');
  if (!url.protocol.startsWith('http')) throw new UsageError('--otlp-forward: only OTLP/HTTP endpoints (http:// or https://) are supported');
  return value;
}
