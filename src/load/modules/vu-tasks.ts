import { IterationInterrupted, type VuContext } from '../vu-context.js';

/**
 * The part of k6's per-VU event loop the network modules need. In k6 an iteration is not over
 * when its function returns while a WebSocket (k6/websockets), a gRPC stream or an
 * `asyncInvoke` is still open: the VU waits for them. Here a module opens a task for each such
 * piece of work and ends it when the work ends; the iteration awaits `settleTasks` after its
 * function returns. Event handlers run one at a time per VU through `dispatch` (a handler the
 * rewrite made async is awaited before the next one starts, as k6 runs callbacks in order). A
 * handler that throws fails the iteration, as in k6, and the VU's other tasks are cancelled.
 */

export interface VuTask {
  /** the work ended (normally or cancelled); idempotent */
  done(): void;
  /** the work failed with a script error: the iteration fails with it, other tasks are cancelled */
  fail(error: unknown): void;
}

interface Entry {
  cancel: () => void;
}

interface Loop {
  tasks: Set<Entry>;
  /** the handler chain while an async handler runs; undefined when idle */
  queue: Promise<void> | undefined;
  failed: boolean;
  error: unknown;
  wake: (() => void) | undefined;
}

// per VU and only for VUs that ever opened a task: a plain HTTP script pays nothing
const loops = new WeakMap<VuContext, Loop>();

function loopOf(vu: VuContext): Loop {
  let loop = loops.get(vu);
  if (!loop) loops.set(vu, (loop = { tasks: new Set(), queue: undefined, failed: false, error: undefined, wake: undefined }));
  return loop;
}

/** Opens a task that keeps the iteration running; `cancel` must end it soon (close the socket, cancel the call). */
export function openTask(vu: VuContext, cancel: () => void): VuTask {
  const loop = loopOf(vu);
  const entry: Entry = { cancel };
  loop.tasks.add(entry);
  return {
    done: () => {
      if (loop.tasks.delete(entry)) loop.wake?.();
    },
    fail: (error) => {
      fail(loop, error);
      if (loop.tasks.delete(entry)) loop.wake?.();
    },
  };
}

function fail(loop: Loop, error: unknown): void {
  if (loop.failed) return;
  loop.failed = true;
  loop.error = error;
  cancelAll(loop);
}

function cancelAll(loop: Loop): void {
  for (const entry of [...loop.tasks]) entry.cancel();
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

function runHandler(loop: Loop, handler: () => unknown): Promise<void> | undefined {
  try {
    const result = handler();
    if (isThenable(result)) return Promise.resolve(result).then(
      () => undefined,
      (error: unknown) => fail(loop, error),
    );
  } catch (error) {
    fail(loop, error);
  }
  return undefined;
}

/**
 * Runs a script callback (an event handler) for the VU: at once when no other handler is running,
 * else after the ones before it. After a handler failed, the VU's later handlers do not run.
 */
export function dispatch(vu: VuContext, handler: () => unknown): void {
  const loop = loopOf(vu);
  if (loop.failed) return;
  if (loop.queue) {
    enqueue(loop, loop.queue.then(() => (loop.failed ? undefined : runHandler(loop, handler))));
    return;
  }
  const pending = runHandler(loop, handler);
  if (pending) enqueue(loop, pending);
}

function enqueue(loop: Loop, step: Promise<void>): void {
  const tail: Promise<void> = step.then(() => {
    if (loop.queue === tail) loop.queue = undefined;
    loop.wake?.();
  });
  loop.queue = tail;
}

/**
 * Waits until every task of the VU has ended and no handler runs, then throws the first handler
 * error, if any. An interruption (gracefulStop, abort) cancels the tasks and throws
 * IterationInterrupted.
 */
export async function settleTasks(vu: VuContext): Promise<void> {
  const loop = loops.get(vu);
  if (!loop) return;
  const signal = vu.signal;
  const onAbort = () => cancelAll(loop);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (loop.tasks.size > 0 || loop.queue) {
      await new Promise<void>((resolve) => {
        loop.wake = resolve;
        if (loop.tasks.size === 0 && !loop.queue) resolve();
      });
      loop.wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  const { failed, error } = loop;
  loop.failed = false;
  loop.error = undefined;
  if (signal.aborted) throw new IterationInterrupted();
  if (failed) throw error;
}

/** After an iteration threw: cancels what it left open and waits for it to end (its errors are dropped). */
export async function cancelTasks(vu: VuContext): Promise<void> {
  const loop = loops.get(vu);
  if (!loop) return;
  loop.failed = true;
  cancelAll(loop);
  await settleTasks(vu).catch(() => undefined);
}
