import { loadYamlFile, parseYamlText } from '../config/load-yaml.js';
import { shipped } from '../paths.js';
import { budgetsFileSchema } from './schema.js';
import { DEFAULT_BUDGETS_FILE, type Budgets } from './types.js';

export { DEFAULT_BUDGETS_FILE } from './types.js';

/** Reads and validates a budgets file (default: the shipped `scenarios/budgets.yaml`). */
export function loadBudgets(path?: string): Budgets {
  const file = path ?? shipped(DEFAULT_BUDGETS_FILE);
  return { file, ...loadYamlFile(file, budgetsFileSchema) };
}

/** Same, for text in memory (tests, a budgets block embedded elsewhere); `file` names it in errors. */
export function parseBudgets(text: string, file = 'budgets.yaml'): Budgets {
  return { file, ...parseYamlText(text, budgetsFileSchema, file) };
}
