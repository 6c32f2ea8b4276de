import { describe, expect, it } from 'vitest';
import { baseSchema } from './base.js';
import { executorRegistry } from './index.js';
import type { BaseConfig } from './base.js';
import { fakeContext, perInterval } from '../../../test/support/executor-context.js';
import { VirtualClock } from '../../../test/support/virtual-clock.js';
import type { z } from 'zod';

function config(raw: Record<string, unknown>): BaseConfig & Record<string, unknown> {
  const executor = executorRegistry.get(raw.executor as string)!;
  return baseSchema.extend((executor.schema as z.ZodObject).shape).parse(raw) as BaseConfig & Record<string, unknown>;
}

async function runScenario(raw: Record<string, unknown>, iterationMs: number, segment = { index: 0, count: 1 }) {
  const clock = new VirtualClock();
  const { ctx, rec } = fakeContext(clock, iterationMs, segment);
  const c = config(raw);
  await clock.run(executorRegistry.get(c.executor)!.run(c, ctx));
  return { rec, endedAt: clock.now() };
}

describe('executors on a virtual clock: iterations started per interval', () => {
  it('constant-vus keeps N VUs looping for the duration', async () => {
    const { rec } = await runScenario({ executor: 'constant-vus', vus: 3, duration: '10s' }, 1000);
    expect(perInterval(rec.starts, 1000, 11)).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0]);
    expect(rec.maxActive).toBe(3);
  });

  it('shared-iterations splits the count over the VUs', async () => {
    const { rec } = await runScenario({ executor: 'shared-iterations', vus: 4, iterations: 20 }, 1000);
    expect(perInterval(rec.starts, 1000, 6)).toEqual([4, 4, 4, 4, 4, 0]);
  });

  it('per-vu-iterations runs the count on every VU', async () => {
    const { rec } = await runScenario({ executor: 'per-vu-iterations', vus: 2, iterations: 3 }, 1000);
    expect(perInterval(rec.starts, 1000, 4)).toEqual([2, 2, 2, 0]);
  });

  it('ramping-vus follows the stage targets up and down', async () => {
    const { rec } = await runScenario({ executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '10s', target: 10 }, { duration: '10s', target: 0 }], gracefulRampDown: '0s' }, 1000);
    const curve = perInterval(rec.starts, 1000, 20);
    // iterations of 1 s: each second starts about as many iterations as VUs were targeted
    const expected = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    curve.forEach((n, i) => expect(Math.abs(n - expected[i]!), `second ${i}: ${curve.join(',')}`).toBeLessThanOrEqual(1));
    expect(rec.maxActive).toBe(10);
  });

  it('constant-arrival-rate starts exactly rate per timeUnit, whatever the iteration time', async () => {
    const { rec } = await runScenario({ executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '5s', preAllocatedVUs: 30 }, 2500);
    expect(perInterval(rec.starts, 1000, 6)).toEqual([10, 10, 10, 10, 10, 0]);
    expect(rec.starts.every((s) => s.intended === s.t)).toBe(true);
    expect(rec.dropped).toBe(0);
  });

  it('ramping-arrival-rate ramps the rate linearly', async () => {
    const { rec } = await runScenario({ executor: 'ramping-arrival-rate', startRate: 0, timeUnit: '1s', stages: [{ duration: '10s', target: 100 }], preAllocatedVUs: 100 }, 100);
    // ∫ of a 0→100/s ramp over second i is 10i + 5
    const curve = perInterval(rec.starts, 1000, 10);
    curve.forEach((n, i) => expect(Math.abs(n - (10 * i + 5)), curve.join(',')).toBeLessThanOrEqual(1));
    expect(rec.starts.length).toBe(500);
  });

  it('arrival-rate drops iterations when out of VUs and counts them', async () => {
    const { rec } = await runScenario({ executor: 'constant-arrival-rate', rate: 10, duration: '3s', preAllocatedVUs: 5, maxVUs: 5 }, 2000);
    expect(rec.starts.length + rec.dropped).toBe(30);
    expect(perInterval(rec.starts, 1000, 3)).toEqual([5, 0, 5]);
    expect(rec.dropped).toBe(20);
  });

  it('arrival-rate segments interleave and add up to the whole schedule', async () => {
    const a = await runScenario({ executor: 'constant-arrival-rate', rate: 10, duration: '2s', preAllocatedVUs: 10 }, 100, { index: 0, count: 2 });
    const b = await runScenario({ executor: 'constant-arrival-rate', rate: 10, duration: '2s', preAllocatedVUs: 10 }, 100, { index: 1, count: 2 });
    const all = [...a.rec.starts, ...b.rec.starts].map((s) => s.t).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 20 }, (_, k) => k * 100));
  });

  it('gracefulStop interrupts iterations still running after it', async () => {
    const { rec, endedAt } = await runScenario({ executor: 'constant-vus', vus: 2, duration: '2s', gracefulStop: '1s' }, 10_000);
    expect(rec.interrupted).toBe(2);
    expect(endedAt).toBe(3000);
  });
});
