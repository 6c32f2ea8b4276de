import { dirname } from 'node:path';
import type { SampleSink } from './metrics/types.js';
import { cancelTasks, settleTasks } from './modules/vu-tasks.js';
import { NO_SECRETS } from './secret-sources.js';
import { ScriptAbortedError, ScriptError } from './script/errors.js';
import type { ScriptProgram } from './script/loader.js';
import { TestAborted, type InstanceContext, type VuContext } from './vu-context.js';

/** The main thread's instance: setup, teardown and handleSummary run here, as k6 runs them outside the scenarios. */
export function mainInstanceContext(o: { sink: SampleSink; env: Record<string, string>; allowRemote: boolean; script: string }): InstanceContext {
  return {
    sink: o.sink,
    globalTags: {},
    scriptDir: dirname(o.script),
    env: o.env,
    allowRemote: o.allowRemote,
    httpDefaults: { noConnectionReuse: false, discardResponseBodies: false, maxRedirects: 10, userAgent: 'peakready/0.1 (k6-compatible; https://k6.io/)', insecureSkipTLSVerify: false, httpDebug: '' },
    recordRequest: null,
    captures: [],
    abortTest: () => {},
    markFailed: () => {},
    sharedArrays: new Map(),
    instance: { iterationsCompleted: 0, iterationsInterrupted: 0, vusActive: 0, vusInitialized: 0, startedAt: Date.now() },
    testStartedAt: Date.now(),
    options: {},
    secrets: NO_SECRETS,
  };
}

/**
 * Runs setup / teardown / handleSummary if the script exports it, within its timeout. A throw is
 * a script exception (exit 107) reported at the original file:line; test.abort() inside is 108.
 */
export async function runScriptHook(program: ScriptProgram, exports: Record<string, unknown>, name: 'setup' | 'teardown' | 'handleSummary', args: unknown[], timeoutMs: number, vu: VuContext): Promise<unknown> {
  const fn = exports[name];
  if (fn === undefined) return undefined;
  if (typeof fn !== 'function') throw new ScriptError(`${program.entry}: the exported "${name}" is not a function`);
  const controller = new AbortController();
  vu.signal = controller.signal;
  vu.groupPath = '';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ScriptError(`${program.entry}: ${name}() did not finish within ${timeoutMs} ms; make it faster or raise options.${name}Timeout`));
    }, timeoutMs);
  });
  try {
    const hook = Promise.resolve()
      .then(() => (fn as (...a: unknown[]) => unknown)(...args))
      .then(async (result) => (await settleTasks(vu), result)) // what it opened (sockets, streams) ends first, as k6 runs the event loop
      .catch(async (error: unknown) => {
        await cancelTasks(vu);
        throw error;
      });
    return await Promise.race([hook, timeout]);
  } catch (error) {
    if (error instanceof ScriptError) throw error;
    if (error instanceof TestAborted) throw new ScriptAbortedError(error.message);
    throw new ScriptError(`${name}(): ${program.describeError(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
