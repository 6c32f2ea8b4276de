/**
 * One VU's event loop, as k6 has one per VU: the init context, setup(), teardown() and every
 * iteration end only when the function has returned AND every timer (k6/timers) and every
 * asynchronous operation a module started for it (`http.asyncRequest`, `crypto.subtle.*`) has
 * settled. A callback that throws ends the wait with its error, as an exception in the function
 * itself would. VUs interleave on one thread, so each keeps its own timers and count.
 */
export class VuEventLoop {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextId = 1;
  private pending = 0;
  /** bumped by cancel(): operations tracked before it no longer count */
  private generation = 0;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  /** k6/timers' setTimeout: a number id; the loop waits for it until it fires or is cleared. */
  readonly setTimeout = (callback: unknown, delay?: unknown, ...args: unknown[]): number => this.schedule(callback, delay, args, false);
  readonly setInterval = (callback: unknown, delay?: unknown, ...args: unknown[]): number => this.schedule(callback, delay, args, true);
  readonly clearTimeout = (id?: unknown): void => this.clear(id);
  readonly clearInterval = (id?: unknown): void => this.clear(id);

  /** True while a timer or a tracked operation is left (cheap: the iteration's fast path reads it). */
  get busy(): boolean {
    return this.timers.size > 0 || this.pending > 0 || this.failure !== undefined;
  }

  /** Keeps the loop open until `promise` settles; the promise itself is returned unchanged. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.hold(promise, false);
    return promise;
  }

  /** Counts `promise` as pending; a rejection fails the loop when `fails` (a timer callback's own promise). */
  private hold(promise: Promise<unknown>, fails: boolean): void {
    this.pending++;
    const generation = this.generation;
    const settled = (error?: { error: unknown }) => {
      if (generation !== this.generation) return; // cancelled meanwhile: it no longer counts
      this.pending--;
      if (error) this.failure ??= error;
      this.notify();
    };
    promise.then(
      () => settled(),
      (error: unknown) => settled(fails ? { error } : undefined),
    );
  }

  /**
   * Resolves once nothing is left: no timer and no tracked operation, after the callbacks queued
   * behind them have run (a `.then` may start a new timer). Rejects with the first error a timer
   * callback threw, cancelling the rest.
   */
  async drain(): Promise<void> {
    while (this.busy) {
      if (this.failure) {
        const { error } = this.failure;
        this.cancel();
        throw error;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      // a macrotask turn: promise reactions chained on what just settled run before the next look
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Drops every timer and forgets tracked operations: the iteration was interrupted or the VU stops. */
  cancel(): void {
    for (const handle of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
    this.pending = 0;
    this.generation++;
    this.failure = undefined;
    this.notify();
  }

  private schedule(callback: unknown, delay: unknown, args: unknown[], repeat: boolean): number {
    if (typeof callback !== 'function') throw new TypeError(`${repeat ? 'setInterval' : 'setTimeout'}: the callback must be a function`);
    const ms = Math.max(0, Number(delay) || 0);
    const id = this.nextId++;
    const run = () => {
      if (!repeat) this.timers.delete(id);
      try {
        const result = (callback as (...a: unknown[]) => unknown)(...args);
        // a callback the rewrite made async (it makes a blocking call): the loop waits for it, as k6 waits for the synchronous one
        if (result !== null && typeof result === 'object' && typeof (result as Promise<unknown>).then === 'function') this.hold(result as Promise<unknown>, true);
      } catch (error) {
        this.failure ??= { error };
      }
      this.notify();
    };
    this.timers.set(id, repeat ? setInterval(run, ms) : setTimeout(run, ms));
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
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
