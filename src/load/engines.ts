import { UsageError } from '../errors.js';
import type { EngineName, LoadEngine, ScriptInspection } from './engine.js';
import { builtinEngine } from './engine-builtin.js';
import { k6Engine } from './engine-k6.js';
import type { Overrides } from './options.js';

/**
 * Load engines by name (`--engine`). Adding one: a file exporting a `LoadEngine` (engine.ts) and
 * one entry in this list. k6-operator is not an engine: `peakready k8s load` renders a TestRun
 * for a cluster to run (k8s-testrun.ts); it runs nothing here and has no summary to give back.
 */
const engines: ReadonlyMap<string, LoadEngine> = new Map([builtinEngine, k6Engine].map((e) => [e.name, e]));

/** The engine for a name; `auto` (the default) is the built-in one. */
export function loadEngine(name: EngineName | 'auto' = 'auto'): LoadEngine {
  const engine = engines.get(name === 'auto' ? builtinEngine.name : name);
  if (!engine) throw new UsageError(`--engine: "${String(name)}" is not an engine; use auto, ${[...engines.keys()].join(' or ')}`);
  return engine;
}

/** A script's options read without running it: by the engine, or by the built-in loader when the engine cannot (the script is the same k6 script). */
export function inspectWith(name: EngineName | 'auto', script: string, env: Record<string, string>, overrides: Overrides): Promise<ScriptInspection> {
  const engine = loadEngine(name);
  return engine.inspect ? engine.inspect(script, env, overrides) : builtinEngine.inspect(script, env, overrides);
}
