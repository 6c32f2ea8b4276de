import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadBudgets, parseBudgets } from '../budgets/load.js';
import type { Budgets } from '../budgets/types.js';
import { UsageError } from '../errors.js';
import { budgetsFor } from '../gameday/budgets.js';
import { loadGameDay } from '../gameday/load.js';
import type { RunDirectory } from '../run/run-dir.js';

interface RecordedConfig {
  command?: string;
  gameday?: string;
  profile?: string | null;
  budgets?: string | null;
}

/**
 * What a stored run is judged with, again (`peakready report`): `--budget FILE` if given; else a
 * drill's own game-day file and profile, as config.json recorded them (with its script's own
 * thresholds when the game day names no budgets file); a plain `peakready run` by its script's own
 * thresholds. Never another system's budgets.
 */
export function judgementFor(run: RunDirectory, budgetsFlag?: string): { budgets: Budgets; scriptThresholds: boolean; only?: string[] } {
  const config = run.readJson<RecordedConfig>('config');
  const plainRun = config?.command === 'run' || (!config && run.timeline().some((e) => e.type === 'run' && e.command === 'run'));
  // a plain run has no game day: no system's checks apply, only its thresholds (and budgets asked for)
  if (plainRun) {
    if (budgetsFlag) return { budgets: loadBudgets(budgetsFlag), scriptThresholds: true, only: ['thresholds', 'budgets', 'baseline'] };
    return { budgets: parseBudgets('{}', "the script's own thresholds"), scriptThresholds: true, only: ['thresholds', 'baseline'] };
  }
  if (budgetsFlag) return { budgets: loadBudgets(budgetsFlag), scriptThresholds: false };
  if (config?.gameday) {
    if (!existsSync(config.gameday)) {
      throw new UsageError(`the game-day file this run was made with is gone (${config.gameday}); pass --budget FILE to judge it with a budgets file`);
    }
    const gameDay = loadGameDay(config.gameday, config.profile ?? undefined);
    // a game day without a budgets file is judged by its script's own thresholds
    return { budgets: budgetsFor(gameDay), scriptThresholds: !gameDay.checks.budgets };
  }
  // a run recorded before game-day files: the budgets file it names, else the shipped one
  const recorded = config?.budgets ? resolve(config.budgets) : undefined;
  return { budgets: loadBudgets(recorded && existsSync(recorded) ? recorded : undefined), scriptThresholds: false };
}
