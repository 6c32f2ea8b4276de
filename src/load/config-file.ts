import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * k6's `--config FILE`: a JSON object of options (`vus`, `stages`, `thresholds`, `scenarios`, ...),
 * laid under the script's own options (k6's order: defaults, config file, script, flags). Keys k6
 * keeps for its outputs (`collectors`, `ext`) are returned apart: `collectors` configures outputs.
 */
export interface K6ConfigFile {
  file: string;
  options: Record<string, unknown>;
  /** `collectors.<output>`: an output's options (e.g. `experimental-prometheus-rw.labels`) */
  collectors: Record<string, Record<string, unknown>>;
}

export function readK6ConfigFile(path: string): K6ConfigFile {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError([{ file: path, message: code === 'ENOENT' ? 'no such file; --config takes k6\'s JSON config file' : `cannot be read (${code ?? String(error)})` }]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ file: path, message: `is not JSON (${(error as Error).message}); --config takes k6's JSON config file, e.g. {"vus": 10, "duration": "30s"}` }]);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([{ file: path, message: 'must hold one JSON object of k6 options, e.g. {"vus": 10, "duration": "30s"}' }]);
  }
  const { collectors, ext: _ext, ...options } = parsed as Record<string, unknown>;
  const outputs: Record<string, Record<string, unknown>> = {};
  if (collectors && typeof collectors === 'object') {
    for (const [name, value] of Object.entries(collectors)) if (value && typeof value === 'object') outputs[name] = value as Record<string, unknown>;
  }
  return { file, options, collectors: outputs };
}
