import type { Command } from 'commander';
import { registerDrill } from './drill.js';
import { registerRun } from './run.js';
import { registerUp } from './up.js';
import { registerStatus } from './status.js';
import { registerDown } from './down.js';
import { registerToxiproxy } from './toxiproxy.js';
import { registerChaos } from './chaos.js';
import { registerOtlp } from './otlp.js';
import { registerTraces } from './traces.js';
import { registerScale } from './scale.js';
import { registerK8s } from './k8s.js';
import { registerBudgets } from './budgets.js';
import { registerReport } from './report.js';
import { registerRuns } from './runs.js';
import { registerDoctor } from './doctor.js';
import { registerInit } from './init.js';

/**
 * Every command, in the order `peakready --help` lists them. Adding a command: one file in
 * src/cli/ exporting `register<Name>(program)`, and one line here. A command file parses its
 * flags, calls a core function and prints; nothing else.
 */
export const commands: ReadonlyArray<(program: Command) => void> = [
  registerDrill,
  registerInit,
  registerRun,
  registerUp,
  registerStatus,
  registerDown,
  registerToxiproxy,
  registerChaos,
  registerOtlp,
  registerTraces,
  registerScale,
  registerK8s,
  registerBudgets,
  registerReport,
  registerRuns,
  registerDoctor,
];
