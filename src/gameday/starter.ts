import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { UsageError } from '../errors.js';
import { shipped } from '../paths.js';
import { GAMEDAY_JSON_SCHEMA_FILE } from './json-schema.js';

/** The starter files `peakready init` writes (shipped under scenarios/starter/, type-checked and validated by the tests). */
export const STARTER_FILES = ['gameday.yaml', 'load.js', 'budgets.yaml', 'chaos/dependency-outage.yaml'] as const;
const STARTER_DIR = 'scenarios/starter';
const TEMPLATE_TARGET = 'http://127.0.0.1:8080';

/**
 * Writes a game day for the user's own system into `dir`: the game-day file (pointing at `target`,
 * with the editor schema of this install), a k6 script, a budgets file and a chaos experiment.
 * Refuses to overwrite anything; returns the files written.
 */
export function writeStarter(dir: string, target = TEMPLATE_TARGET): string[] {
  const files = STARTER_FILES.map((name) => join(dir, name));
  const existing = files.filter((f) => existsSync(f));
  if (existing.length) throw new UsageError(`init: ${existing.join(', ')} already exist; pick an empty directory (peakready init DIR) so nothing of yours is overwritten`);
  for (const [i, name] of STARTER_FILES.entries()) {
    let text = readFileSync(shipped(`${STARTER_DIR}/${name}`), 'utf8');
    if (name === 'gameday.yaml') {
      text = text.replace(/^# yaml-language-server: \$schema=.*$/m, `# yaml-language-server: $schema=${shipped(GAMEDAY_JSON_SCHEMA_FILE)}`).replaceAll(TEMPLATE_TARGET, target);
    }
    if (name === 'load.js') text = text.replaceAll(TEMPLATE_TARGET, target);
    mkdirSync(dirname(files[i]!), { recursive: true });
    writeFileSync(files[i]!, text);
  }
  return files.map((f) => relative(process.cwd(), f) || f);
}
