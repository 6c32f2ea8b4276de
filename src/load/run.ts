import type { LoadRunResult, RunLoadOptions, ScriptInspection } from './engine.js';
import { inspectWith, loadEngine } from './engines.js';
import type { Overrides } from './options.js';

/** The load room's public API (the CLI, the drill, the benches): engines chosen in engines.ts. */

export type { LoadRunResult, RunLoadOptions, ScriptInspection } from './engine.js';
export type { LoadProgress } from './progress.js';

/** Runs a k6 script to its end with the chosen engine (`engine`, default the built-in one). */
export async function runLoadTest(options: RunLoadOptions): Promise<LoadRunResult> {
  return loadEngine(options.engine).run(options);
}

/** Options and phase windows of a script, without running it (the drill draws phases from it). */
export async function inspectScript(path: string, env: Record<string, string> = {}, overrides: Overrides = {}): Promise<ScriptInspection> {
  return inspectWith('auto', path, env, overrides);
}
