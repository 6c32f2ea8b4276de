import { reapStaleChildren } from '../lifecycle/children.js';
import type { TimelineEvent } from '../run/records.js';
import { LocalStack } from './local-stack.js';
import { assertPortsFree } from './ports.js';
import { stackPortClaims } from './stack-ports.js';
import { planStack, type RunningStack, type StackPlan, type StartStackOptions } from './start-options.js';
import { claimStateFile } from './state-file.js';

export type { RunningStack, StartStackOptions } from './start-options.js';

/** Starts the whole local stack and resolves when every replica is ready. */
export async function startStack(options: StartStackOptions = {}): Promise<RunningStack> {
  const plan = planStack(options);
  const record = (event: TimelineEvent) => {
    options.runDir?.appendTimeline(event);
    options.onEvent?.(event);
  };
  await preflight(plan, options, record);
  record({ t: Date.now(), type: 'stack', state: 'starting', detail: `base port ${plan.basePort}` });
  const stack = new LocalStack(plan, options, record);
  await stack.start();
  return stack;
}

/**
 * What `startStack` checks before it starts anything (a live stack in the state file, leftovers
 * of a SIGKILLed run, every port), for a caller that must know before it creates anything of its
 * own: the drill's run directory exists only for a run that can start.
 */
export async function checkStackCanStart(options: StartStackOptions, note: (message: string) => void): Promise<void> {
  await preflight(planStack(options), options, (event) => {
    if (event.type === 'note') note(event.message);
  });
}

/**
 * Before anything starts: one stack per state file, leftovers of a SIGKILLed run reaped, and
 * every port checked, so a conflict fails in a second with one line instead of half a stack.
 */
async function preflight(plan: StackPlan, options: StartStackOptions, record: (event: TimelineEvent) => void): Promise<void> {
  if (plan.stateFile) claimStateFile(plan.stateFile, record);
  const reaped = reapStaleChildren();
  if (reaped.length) record({ t: Date.now(), type: 'note', level: 'warn', message: `reaped leftovers of an earlier run: ${reaped.join(', ')}` });
  const { withFaultProxy } = plan;
  await assertPortsFree(
    stackPortClaims(plan.def, {
      embeddedDatabase: !options.databaseUrl,
      embeddedFaultProxy: withFaultProxy && !options.toxiproxyUrl,
      faultProxy: withFaultProxy,
      prometheus: options.prometheus === true,
    }),
  );
}
