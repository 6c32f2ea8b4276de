/**
 * One VU's event loop, as k6 has one per VU: the init context, setup(), teardown() and every
 * iteration end only when the function has returned AND everything it started on the loop has
 * ended: timers (k6/timers), promises a module tracks (`http.asyncRequest`, `crypto.subtle.*`,
 * `secrets.get`, experimental fs, csv and stream reads)
 * and tasks a module opens for longer-lived work (a `k6/websockets` socket, a gRPC stream, an
 * `asyncInvoke`). Script callbacks — timer callbacks and the tasks' event handlers — run one at a
 * time, in order: one the rewrite made async (it makes a blocking call) is awaited before the
 * next starts, as k6 runs callbacks on its loop. A callback that throws fails the loop: the
 * tasks are cancelled at once, later callbacks do not run, and the wait ends with that error, as
 * an exception in the function itself would. VUs interleave on one thread, so each has its own.
 *
 * The loop itself never gives up: the caller bounds the wait (an iteration's gracefulStop signal,
 * a hook's timeout) and then calls cancel(); a VU that never yields is stopped by terminating its
 * worker thread (script-worker.ts).
 */

/** Work a module keeps open on the loop; its `cancel` (given to open()) must end it soon. */
export interface LoopTask {
  /** Runs a script callback for this task (an event handler) on the loop; dropped once the task was cancelled. */
  dispatch(handler: () => unknown): void;
  /** The work ended (normally, or after its cancellation); idempotent. */
  done(): void;
  /** The work failed with a script error: the loop fails with it and its other tasks are cancelled. */
  fail(error: unknown): void;
}

interface TaskEntry {
  cancel: () => void;
  cancelled: boolean;
}

export class VuEventLoop {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly tasks = new Set<TaskEntry>();
  private nextId = 1;
  private pending = 0;
  /** bumped by cancel(): what was started before it no longer counts */
  private generation = 0;
  /** the callback chain while an async callback runs; undefined when idle */
  private queue: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  /** the drains waiting for something to change */
  private readonly wakers = new Set<() => void>();

  /** k6/timers' setTimeout: a number id; the loop waits for it until it fires or is cleared. */
  readonly setTimeout = (callback: unknown, delay?: unknown, ...args: unknown[]): number => this.schedule(callback, delay, args, false);
  readonly setInterval = (callback: unknown, delay?: unknown, ...args: unknown[]): number => this.schedule(callback, delay, args, true);
  readonly clearTimeout = (id?: unknown): void => this.clear(id);
  readonly clearInterval = (id?: unknown): void => this.clear(id);

  /** True while anything is left on the loop (cheap: the iteration's fast path reads it). */
  get busy(): boolean {
    return this.timers.size > 0 || this.pending > 0 || this.tasks.size > 0 || this.queue !== undefined || this.failure !== undefined;
  }

  /** `fn` with every promise it returns tracked: a module's asynchronous API the iteration waits for, as k6's. */
  tracked<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return (...args) => this.track(fn(...args));
  }

  /** Keeps the loop open until `promise` settles; the promise itself is returned unchanged. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.pending++;
    const generation = this.generation;
    const settled = () => {
      if (generation !== this.generation) return; // cancelled meanwhile: it no longer counts
      this.pending--;
      this.notify();
    };
    promise.then(settled, settled);
    return promise;
  }

  /** Opens a task that keeps the loop open until its done(); `cancel` ends the work early (close the socket, cancel the call). */
  open(cancel: () => void): LoopTask {
    const entry: TaskEntry = { cancel, cancelled: false };
    const generation = this.generation;
    this.tasks.add(entry);
    const current = () => generation === this.generation;
    return {
      dispatch: (handler) => {
        if (current() && !entry.cancelled) this.run(handler);
      },
      done: () => {
        if (current() && this.tasks.delete(entry)) this.notify();
      },
      fail: (error) => {
        if (!current()) return;
        this.fail(error);
        if (this.tasks.delete(entry)) this.notify();
      },
    };
  }

  /**
   * Resolves once nothing is left, after the callbacks queued behind what ended have run (a
   * `.then` may start a new timer). Rejects with the first error a callback threw, everything
   * else cancelled. A drain outlived by cancel() (its iteration was interrupted and the caller
   * moved on) resolves: it never waits for, or takes the failure of, the next iteration's work.
   */
  async drain(): Promise<void> {
    const generation = this.generation;
    while (this.busy && generation === this.generation) {
      if (this.failure) {
        const { error } = this.failure;
        this.cancel();
        throw error;
      }
      await new Promise<void>((resolve) => this.wakers.add(resolve));
      // a macrotask turn: promise reactions chained on what just settled run before the next look
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Drops every timer, cancels every task and forgets tracked promises: the iteration was interrupted or failed, or the VU stops. */
  cancel(): void {
    for (const handle of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
    const tasks = [...this.tasks];
    this.tasks.clear();
    this.pending = 0;
    this.generation++;
    this.failure = undefined;
    this.queue = undefined;
    for (const entry of tasks) cancelTask(entry);
    this.notify();
  }

  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = { error };
    for (const entry of this.tasks) cancelTask(entry);
    this.notify();
  }

  /** Runs a script callback now when none is running, else after the ones before it; none after a failure. */
  private run(handler: () => unknown): void {
    if (this.failure) return;
    const generation = this.generation;
    const pending = this.queue
      ? this.queue.then(() => (this.failure || generation !== this.generation ? undefined : this.call(handler, generation)))
      : this.call(handler, generation);
    if (!pending) return;
    const tail: Promise<void> = pending.then(() => {
      if (this.queue === tail) this.queue = undefined;
      this.notify();
    });
    this.queue = tail;
  }

  /** Calls a callback; a throw, or the rejection of the promise it returned, fails the loop. */
  private call(handler: () => unknown, generation: number): Promise<void> | undefined {
    const failed = (error: unknown) => {
      if (generation === this.generation) this.fail(error);
    };
    try {
      const result = handler();
      if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
        return Promise.resolve(result).then(() => undefined, failed);
      }
    } catch (error) {
      failed(error);
    }
    return undefined;
  }

  private schedule(callback: unknown, delay: unknown, args: unknown[], repeat: boolean): number {
    if (typeof callback !== 'function') throw new TypeError(`${repeat ? 'setInterval' : 'setTimeout'}: the callback must be a function`);
    const ms = Math.max(0, Number(delay) || 0);
    const id = this.nextId++;
    const fire = () => {
      this.run(() => (callback as (...a: unknown[]) => unknown)(...args));
      // after run(): a callback running synchronously keeps the loop busy until it has returned
      if (!repeat) this.timers.delete(id);
      this.notify();
    };
    this.timers.set(id, repeat ? setInterval(fire, ms) : setTimeout(fire, ms));
    return id;
  }

  private clear(id: unknown): void {
    const handle = this.timers.get(Number(id));
    if (!handle) return;
    clearTimeout(handle);
    this.timers.delete(Number(id));
    this.notify();
  }

  private notify(): void {
    if (this.wakers.size === 0) return;
    const wakers = [...this.wakers];
    this.wakers.clear();
    for (const wake of wakers) wake();
  }
}

function cancelTask(entry: TaskEntry): void {
  if (entry.cancelled) return;
  entry.cancelled = true;
  entry.cancel();
}
