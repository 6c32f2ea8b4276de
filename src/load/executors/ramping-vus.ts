import { z } from 'zod';
import { durationField } from '../../config/duration-field.js';
import { type BaseConfig, endGracefully, iterationSignal, nonNegativeInt, unlimited, type Stage, stageSchema, vuLoop } from './base.js';
import { rampingVusTarget, totalDuration } from './schedule.js';
import { share, type ExecutorPlugin } from './types.js';

export interface RampingVusConfig extends BaseConfig {
  startVUs: number;
  stages: Stage[];
  gracefulRampDown: number;
}

/** How often the VU target is re-read; stages are linear, so 100 ms steps follow them closely. */
const TICK_MS = 100;

/** VUs ramped linearly between stage targets; VUs above the target finish within gracefulRampDown. */
export const rampingVus: ExecutorPlugin<RampingVusConfig> = {
  name: 'ramping-vus',
  schema: z.object({ startVUs: nonNegativeInt.default(1), stages: z.array(stageSchema).min(1, 'needs at least one stage'), gracefulRampDown: durationField.default(30_000) }),
  plannedDurationMs: (c) => totalDuration(c.stages),
  maxDurationMs: (c) => totalDuration(c.stages) + c.gracefulStop,
  maxVus: (c) => Math.max(c.startVUs, ...c.stages.map((s) => s.target)),
  async run(config, ctx) {
    const hard = new AbortController();
    const scenarioSignal = iterationSignal(hard, ctx);
    const start = ctx.clock.now();
    const total = totalDuration(config.stages);
    const end = start + total;
    const target = (t: number) => share(rampingVusTarget(config.startVUs, config.stages, t), ctx.segment);
    interface Slot {
      retire: boolean;
      rampDown: AbortController;
      done: Promise<number>;
    }
    const slots: Slot[] = [];
    const all: Array<Promise<number>> = [];
    const add = () => {
      const slot = { retire: false, rampDown: new AbortController() } as Slot;
      const signal = unlimited(AbortSignal.any([scenarioSignal, slot.rampDown.signal]));
      slot.done = vuLoop(ctx, signal, () => !slot.retire && ctx.clock.now() < end);
      slots.push(slot);
      all.push(slot.done);
    };
    while (!ctx.testSignal.aborted) {
      const now = ctx.clock.now();
      if (now >= end) break;
      const want = target(now - start);
      while (slots.length < want) add();
      while (slots.length > want) {
        const slot = slots.pop()!;
        slot.retire = true;
        const cancel = new AbortController();
        void Promise.race([slot.done, ctx.clock.sleep(config.gracefulRampDown, cancel.signal).then(() => slot.rampDown.abort())]).then(() => cancel.abort());
      }
      await ctx.clock.sleep(Math.min(TICK_MS, end - now), ctx.testSignal);
    }
    await endGracefully(ctx, Promise.all(all), config.gracefulStop, hard);
  },
};
