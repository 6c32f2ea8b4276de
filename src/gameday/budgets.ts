import { loadBudgets, parseBudgets } from '../budgets/load.js';
import { checkBlocks, checkParameters, checksSchema } from '../budgets/schema.js';
import type { Budgets } from '../budgets/types.js';
import { ConfigError } from '../errors.js';
import type { GameDay } from './load.js';

const BUDGETS_KEY = { tracing: 'tracing', 'scale-out': 'scaleOut', isolation: 'isolation', integrity: 'integrity', cleanup: 'cleanup' } as const;

/**
 * What a game day is judged with: the budgets file (`--budget`, else the game-day file's), with
 * each check's limits the game-day file gives put over it. No budgets file at all: no thresholds,
 * and never another system's.
 */
export function budgetsFor(gameDay: GameDay, budgetsFile?: string): Budgets {
  const file = budgetsFile ?? gameDay.checks.budgets;
  const budgets = file ? loadNamed(file, budgetsFile ? { file: '--budget' } : { file: gameDay.file, field: 'checks.budgets' }) : parseBudgets('{}', `${gameDay.file} (no budgets file)`);
  const { budgets: _file, integrity: integrityBlock, ...rest } = gameDay.checks;
  // the read-back contract is the drill's to run; the check reads only whether it is on
  const given = { ...rest, ...(integrityBlock ? { integrity: { enabled: integrityBlock.enabled } } : {}) };
  const blocks = (Object.keys(given) as Array<keyof typeof given>).filter((k): k is keyof typeof checkBlocks => k in checkBlocks && given[k] !== undefined);
  if (blocks.length === 0) return budgets;
  const mapped = checkParameters(checksSchema.parse(given));
  return { ...budgets, ...Object.fromEntries(blocks.map((b) => [BUDGETS_KEY[b], mapped[BUDGETS_KEY[b]]])) };
}

/** A budgets file that is not there is said against what named it: the flag, or the game-day file's field. */
function loadNamed(file: string, namedBy: { file: string; field?: string }): Budgets {
  try {
    return loadBudgets(file);
  } catch (error) {
    if (!(error instanceof ConfigError) || error.issues[0]?.message !== 'file not found') throw error;
    throw new ConfigError([{ ...namedBy, message: `${file}: file not found; give the path of a budgets file (\`peakready init\` writes a starter one)` }]);
  }
}
