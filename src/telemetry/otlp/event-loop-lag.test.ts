import { describe, expect, it } from 'vitest';
import { EventLoopLag } from './event-loop-lag.js';
import type { Every } from './ticker.js';

describe('EventLoopLag', () => {
  it('reads lag as the drift past the period, keeping the worst of the window', () => {
    let now = 1000;
    const lag = new EventLoopLag(() => now, 50, 3);
    now += 50;
    lag.tick();
    expect(lag.lagMs).toBe(0);
    now += 350; // a tick 300 ms late
    lag.tick();
    expect(lag.lagMs).toBe(300);
    now += 50;
    lag.tick();
    now += 50;
    lag.tick();
    expect(lag.lagMs).toBe(300);
    // the late tick leaves the window of three
    now += 50;
    lag.tick();
    expect(lag.lagMs).toBe(0);
  });

  it('counts an early tick as no lag', () => {
    let now = 0;
    const lag = new EventLoopLag(() => now, 50, 10);
    now += 40;
    lag.tick();
    expect(lag.lagMs).toBe(0);
  });

  it('ticks on the timer it is given until stopped', () => {
    let now = 0;
    let tick: (() => void) | undefined;
    let stopped = false;
    const every: Every = (periodMs, fn) => {
      expect(periodMs).toBe(50);
      tick = fn;
      return () => (stopped = true);
    };
    const lag = new EventLoopLag(() => now);
    const stop = lag.watch(every);
    now = 1050;
    tick!();
    expect(lag.lagMs).toBe(1000);
    stop();
    expect(stopped).toBe(true);
  });
});
