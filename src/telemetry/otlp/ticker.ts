/**
 * A periodic timer as the receiver's housekeeping sees it (flushing spans, sampling event-loop
 * lag): passed in, so unit tests tick by hand instead of sleeping.
 */

/** Calls `tick` every `periodMs` until the returned function is called. */
export type Every = (periodMs: number, tick: () => void) => () => void;

/** Real timers, unref'd: housekeeping must never keep the process alive on its own. */
export const everyUnref: Every = (periodMs, tick) => {
  const timer = setInterval(tick, periodMs);
  timer.unref();
  return () => clearInterval(timer);
};
