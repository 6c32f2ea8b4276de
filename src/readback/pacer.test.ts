import { describe, expect, it } from 'vitest';
import { runPaced } from './pacer.js';
import { VirtualClock } from '../../test/support/virtual-clock.js';

/** Jobs that each take `ms` of virtual time, recording when they start and how many run at once. */
function jobs(clock: VirtualClock, ms: number) {
  const starts: number[] = [];
  let inFlight = 0;
  let peak = 0;
  const job = async () => {
    starts.push(clock.now());
    peak = Math.max(peak, ++inFlight);
    await clock.sleep(ms);
    inFlight--;
  };
  return { job, starts, peak: () => peak };
}

describe('runPaced', () => {
  it('keeps at most `concurrency` jobs in flight', async () => {
    const clock = new VirtualClock();
    const j = jobs(clock, 10);
    const started = await clock.run(runPaced(100, j.job, { concurrency: 7, clock }));
    expect(started).toBe(100);
    expect(j.peak()).toBe(7);
    // 100 jobs of 10 ms, 7 at a time: 15 rounds
    expect(clock.now()).toBe(150);
  });

  it('spaces starts by the rate, whatever the concurrency', async () => {
    const clock = new VirtualClock();
    const j = jobs(clock, 1);
    await clock.run(runPaced(11, j.job, { concurrency: 50, ratePerSecond: 100, clock }));
    expect(j.starts).toEqual(Array.from({ length: 11 }, (_, i) => i * 10));
  });

  it('stops taking jobs when the signal aborts, and says how many started', async () => {
    const clock = new VirtualClock();
    const j = jobs(clock, 5);
    const controller = new AbortController();
    const run = runPaced(1000, j.job, { concurrency: 4, ratePerSecond: 200, clock, signal: controller.signal });
    await clock.advance(100);
    controller.abort();
    const started = await clock.run(run);
    expect(started).toBe(j.starts.length);
    expect(started).toBeGreaterThan(15);
    expect(started).toBeLessThan(25);
  });

  it('does nothing for no jobs', async () => {
    const clock = new VirtualClock();
    expect(await clock.run(runPaced(0, async () => {}, { concurrency: 16, clock }))).toBe(0);
  });
});
