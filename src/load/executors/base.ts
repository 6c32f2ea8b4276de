import { setMaxListeners } from 'node:events';
import { z } from 'zod';
import { durationField } from '../../config/duration-field.js';
import { share, type BaseConfig, type ExecutorContext, type ExecutorPlugin, type ScenarioVu } from './types.js';

// the type sits with the executor contract (types.ts); executors take it from here, beside its schema
export type { BaseConfig } from './types.js';

const wholeNumber = { error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be a whole number, not ${JSON.stringify(issue.input)}`) };
export const positiveInt = z.number(wholeNumber).int('must be a whole number').min(1, 'must be at least 1');
export const nonNegativeInt = z.number(wholeNumber).int('must be a whole number').min(0, 'must not be negative');

export const baseSchema = z.object({
  executor: z.string(),
  startTime: durationField.default(0),
  gracefulStop: durationField.default(30_000),
  exec: z.string({ error: 'must be the name of an exported function' }).default('default'),
  env: z.record(z.string(), z.string({ error: 'env values must be strings' })).default({}),
  tags: z.record(z.string(), z.string({ error: 'tag values must be strings' })).default({}),
});

export const stageSchema = z.object({ duration: durationField, target: nonNegativeInt });
export type Stage = z.output<typeof stageSchema>;

/**
 * The scenario's end, as k6: stop starting iterations, give running ones `gracefulStop`, then
 * interrupt them. `loops` settle when every VU loop has returned.
 */
export async function endGracefully(ctx: ExecutorContext, loops: Promise<unknown>, graceMs: number, hardStop: AbortController): Promise<void> {
  const finished = loops.then(() => true);
  const timerAbort = new AbortController();
  const inTime = await Promise.race([finished, ctx.clock.sleep(graceMs, timerAbort.signal).then(() => false)]);
  timerAbort.abort();
  if (!inTime) hardStop.abort();
  await loops;
}

/** The iteration signal: this scenario's hard stop or the whole test's. */
export function iterationSignal(hardStop: AbortController, ctx: ExecutorContext): AbortSignal {
  return unlimited(AbortSignal.any([hardStop.signal, ctx.testSignal]));
}

/** Every waiting VU listens on its scenario's signal: thousands of listeners are expected. */
export function unlimited(signal: AbortSignal): AbortSignal {
  setMaxListeners(0, signal);
  return signal;
}

/**
 * A closed-model VU: runs iterations back to back while `next()` grants one (called exactly once
 * per iteration, so it can count). The VU is taken only when there is work. Returns iterations done.
 */
export async function vuLoop(ctx: ExecutorContext, signal: AbortSignal, next: () => boolean): Promise<number> {
  let vu: ScenarioVu | undefined;
  let done = 0;
  let lastYield = ctx.clock.now();
  try {
    while (!signal.aborted && next()) {
      if (!vu) {
        vu = await ctx.acquireVu();
        ctx.onActive(1);
      }
      const outcome = await vu.iterate({ signal });
      if (outcome === 'interrupted') break;
      done++;
      // an iteration that never waits on I/O would starve timers and messages: let them run
      if (done % 32 === 0) {
        if (ctx.clock.now() - lastYield < 5) await ctx.clock.sleep(0);
        lastYield = ctx.clock.now();
      }
    }
  } finally {
    if (vu) {
      ctx.onActive(-1);
      ctx.releaseVu(vu);
    }
  }
  return done;
}

/** Waits until `ms` from now, or the test stops. */
export function waitOrStop(ctx: ExecutorContext, ms: number): Promise<void> {
  return ctx.clock.sleep(ms, ctx.testSignal);
}

/** The fields of both iteration-count executors. */
export interface IterationsConfig extends BaseConfig {
  vus: number;
  iterations: number;
  maxDuration: number;
}

export const iterationsSchema = z.object({ vus: positiveInt.default(1), iterations: positiveInt.default(1), maxDuration: durationField.default(600_000) });

/** Waits for the VU loops, at most `maxDuration`, then ends the scenario gracefully. */
export async function finishWithin(ctx: ExecutorContext, loops: Promise<unknown>, maxDuration: number, gracefulStop: number, hard: AbortController): Promise<void> {
  const stop = new AbortController();
  await Promise.race([loops, ctx.clock.sleep(maxDuration, AbortSignal.any([stop.signal, ctx.testSignal]))]);
  stop.abort();
  await endGracefully(ctx, loops, gracefulStop, hard);
}

/**
 * The two iteration-count executors differ only in who may take the next iteration:
 * `nextFor(config, ctx, end)` gives each VU (by index) its `next()`.
 */
export function iterationsExecutor(
  name: string,
  nextFor: (config: IterationsConfig, ctx: ExecutorContext, end: number) => (vuIndex: number) => () => boolean,
  check?: (c: IterationsConfig) => Array<[string, string]>,
): ExecutorPlugin<IterationsConfig> {
  return {
    name,
    schema: iterationsSchema,
    ...(check ? { check } : {}),
    plannedDurationMs: (c) => c.maxDuration,
    maxDurationMs: (c) => c.maxDuration + c.gracefulStop,
    maxVus: (c) => c.vus,
    async run(config, ctx) {
      const hard = new AbortController();
      const signal = iterationSignal(hard, ctx);
      const next = nextFor(config, ctx, ctx.clock.now() + config.maxDuration);
      const vus = Array.from({ length: share(config.vus, ctx.segment) }, (_, i) => vuLoop(ctx, signal, next(i)));
      await finishWithin(ctx, Promise.all(vus), config.maxDuration, config.gracefulStop, hard);
    },
  };
}
