import { loadYamlFile } from '../../config/load-yaml.js';
import { experimentSchema, type ChaosExperiment } from './schema.js';

/** Reads and validates a chaos experiment (YAML); a ConfigError names file, line and field of every problem. */
export function loadExperiment(path: string): ChaosExperiment {
  return { ...loadYamlFile(path, experimentSchema), file: path };
}

export type { ChaosExperiment, ChaosAction, ChaosProbe } from './schema.js';
