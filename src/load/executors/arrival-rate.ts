import { endGracefully, iterationSignal } from './base.js';
import { arrivalTime, type RateSegment } from './schedule.js';
import { share, type ExecutorContext, type ScenarioVu } from './types.js';

export interface ArrivalRatePlan {
  segments: RateSegment[];
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
  gracefulStop: number;
}

/**
 * The open model shared by both arrival-rate executors: iteration k of the whole test starts at
 * `arrivalTime(k)`; this instance takes every `count`-th one (k6's segment striping), so the
 * instances' shares interleave. With no idle VU and none left to initialise, the iteration is
 * dropped (dropped_iterations). Each iteration carries its intended start, so latency can be
 * measured from it (coordinated omission).
 */
export async function runArrivalRate(plan: ArrivalRatePlan, ctx: ExecutorContext): Promise<void> {
  const hard = new AbortController();
  const signal = iterationSignal(hard, ctx);
  const idle: ScenarioVu[] = [];
  const held: ScenarioVu[] = [];
  const maxVus = share(plan.maxVUs, ctx.segment);
  for (let i = share(plan.preAllocatedVUs, ctx.segment); i > 0; i--) {
    const vu = await ctx.acquireVu();
    idle.push(vu);
    held.push(vu);
  }
  const inflight = new Set<Promise<unknown>>();
  const start = ctx.clock.now();
  let dropped = 0;
  for (let k = ctx.segment.index; !ctx.testSignal.aborted; k += ctx.segment.count) {
    const at = arrivalTime(plan.segments, k);
    if (at === undefined || at >= plan.durationMs) break;
    const wait = start + at - ctx.clock.now();
    if (wait >= 1) await ctx.clock.sleep(wait, ctx.testSignal);
    if (ctx.testSignal.aborted) break;
    let vu = idle.pop();
    if (!vu) {
      // every VU busy may only mean that finished iterations wait in the event loop (this loop
      // runs late iterations back to back): let them finish before initialising or dropping
      await ctx.clock.sleep(0);
      vu = idle.pop();
    }
    if (!vu && held.length < maxVus) {
      vu = await ctx.acquireVu();
      held.push(vu);
    }
    if (!vu) {
      dropped++;
      ctx.onDropped(1);
      continue;
    }
    const running = vu;
    ctx.onActive(1);
    const p: Promise<unknown> = running.iterate({ signal, intendedStart: Math.min(start + at, ctx.clock.now()) }).finally(() => {
      ctx.onActive(-1);
      idle.push(running);
      inflight.delete(p);
    });
    inflight.add(p);
  }
  const rest = ctx.clock.now() - start;
  if (rest < plan.durationMs && !ctx.testSignal.aborted) await ctx.clock.sleep(plan.durationMs - rest, ctx.testSignal);
  await endGracefully(ctx, Promise.all([...inflight]), plan.gracefulStop, hard);
  for (const vu of held) ctx.releaseVu(vu);
  void dropped;
}
