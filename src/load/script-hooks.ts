import { ScriptAbortedError, ScriptError, HookTimeoutError } from './script/errors.js';
import type { ScriptProgram } from './script/loader.js';
import { TestAborted, type VuContext } from './vu-context.js';
import type { HookName } from './worker-protocol.js';

/**
 * Runs setup / teardown / handleSummary (in a load worker, on VU 0) if the script exports it,
 * within its timeout, its event loop included. A throw is a script exception (exit 107) reported
 * at the original file:line; test.abort() inside is 108; the timeout is k6's 100 (setup) or 101
 * (teardown). A hook busy in a loop never reaches its own timer: the main thread's watchdog
 * (script-worker.ts) terminates the worker with the same error.
 */
export async function runScriptHook(program: ScriptProgram, exports: Record<string, unknown>, name: HookName, args: unknown[], timeoutMs: number, vu: VuContext): Promise<unknown> {
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
      vu.loop.cancel();
      reject(new HookTimeoutError(program.entry, name, timeoutMs));
    }, timeoutMs);
  });
  const call = async () => {
    const value = await (fn as (...a: unknown[]) => unknown)(...args);
    await vu.loop.drain();
    return value;
  };
  try {
    return await Promise.race([call(), timeout]);
  } catch (error) {
    vu.loop.cancel();
    if (error instanceof ScriptError || error instanceof HookTimeoutError) throw error;
    if (error instanceof TestAborted) throw new ScriptAbortedError(error.message);
    throw new ScriptError(`${name}(): ${program.describeError(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
