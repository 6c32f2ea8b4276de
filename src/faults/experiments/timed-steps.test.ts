import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../test/support/virtual-clock.js';
import { methodSteps } from './schedule.js';
import { experimentSchema, type ChaosAction } from './schema.js';
import { probeWhileFaulted, runSteps, type FaultState, type FaultSwitch } from './timed-steps.js';

function method(actions: Array<Record<string, unknown>>): ChaosAction[] {
  return experimentSchema.parse({ title: 't', method: actions }).method;
}

/** A fault API whose every change takes `changeMs` of virtual time; logs `[t, "on|off proxy"]` when a change is done. */
function fakeFaults(clock: VirtualClock, changeMs = 0): FaultSwitch & FaultState & { log: Array<[number, string]> } {
  const log: Array<[number, string]> = [];
  let active = 0;
  let version = 0;
  let changing = 0;
  const change = async (what: string, delta: number) => {
    changing++;
    version++;
    await clock.sleep(changeMs);
    active += delta;
    changing--;
    version++;
    log.push([clock.now(), what]);
  };
  return {
    log,
    get activeCount() {
      return active;
    },
    stamp: () => (changing === 0 ? version : undefined),
    apply: async (action) => {
      await change(`on ${action.proxy}`, 1);
      return () => change(`off ${action.proxy}`, -1);
    },
  };
}

describe('runSteps on a virtual clock', () => {
  it('puts each fault in at its offset and takes it out when its duration is over', async () => {
    const clock = new VirtualClock();
    const actions = method([
      { action: 'disable-proxy', proxy: 'db', at: '1m', duration: '2m' },
      { action: 'disable-proxy', proxy: 'shop', duration: '30s' },
    ]);
    const faults = fakeFaults(clock);
    await clock.run(runSteps(methodSteps(actions, 1), actions, faults, clock));
    expect(faults.log).toEqual([
      [0, 'on shop'],
      [30_000, 'off shop'],
      [60_000, 'on db'],
      [180_000, 'off db'],
    ]);
  });

  it('keeps a fault that went in late for its whole duration, and later steps wait for it', async () => {
    const clock = new VirtualClock();
    const actions = method([
      { action: 'disable-proxy', proxy: 'shop', duration: '1s' },
      { action: 'disable-proxy', proxy: 'db', at: '1s', duration: '1s' },
    ]);
    const faults = fakeFaults(clock, 300);
    await clock.run(runSteps(methodSteps(actions, 1), actions, faults, clock));
    // (logged when each change is done) shop is in place at 300 ms, so its removal starts at
    // 1300 ms, not at the planned 1000 ms; db, due at 1000 ms, goes in after it
    expect(faults.log).toEqual([
      [300, 'on shop'],
      [1600, 'off shop'],
      [1900, 'on db'],
      [3200, 'off db'],
    ]);
  });

  it('takes nothing further in or out once aborted', async () => {
    const clock = new VirtualClock();
    const actions = method([
      { action: 'disable-proxy', proxy: 'shop', duration: '1h' },
      { action: 'disable-proxy', proxy: 'db', at: '10s', duration: '1h' },
    ]);
    const faults = fakeFaults(clock);
    const abort = new AbortController();
    void clock.sleep(5000).then(() => abort.abort());
    await clock.run(runSteps(methodSteps(actions, 1), actions, faults, clock, abort.signal));
    expect(faults.log).toEqual([[0, 'on shop']]);
    expect(clock.now()).toBe(5000);
  });
});

describe('probeWhileFaulted on a virtual clock', () => {
  it('checks every interval while a fault is on, and only then', async () => {
    const clock = new VirtualClock();
    const actions = method([{ action: 'disable-proxy', proxy: 'shop', at: '1s', duration: '1s' }]);
    const faults = fakeFaults(clock);
    const checkedAt: number[] = [];
    const stop = new AbortController();
    const during = probeWhileFaulted(faults, async () => (checkedAt.push(clock.now()), true), 300, clock, stop.signal);
    await clock.run(runSteps(methodSteps(actions, 1), actions, faults, clock));
    stop.abort();
    expect(await clock.run(during)).toBe(true);
    expect(checkedAt).toEqual([1200, 1500, 1800]);
  });

  it('fails when a counted check fails, and tells the check that a pass across a change does not count', async () => {
    const clock = new VirtualClock();
    const actions = method([{ action: 'disable-proxy', proxy: 'shop', duration: '1s' }]);
    const faults = fakeFaults(clock, 100);
    const seen: Array<[number, boolean]> = [];
    // each check takes 200 ms; shop is in place from 100 ms and its removal runs from 1100 to
    // 1200 ms, in the middle of the check started at 1150 ms
    const check = async (counts: () => boolean) => {
      await clock.sleep(200);
      seen.push([clock.now(), counts()]);
      return clock.now() < 800;
    };
    const stop = new AbortController();
    const during = probeWhileFaulted(faults, check, 250, clock, stop.signal);
    await clock.run(runSteps(methodSteps(actions, 1), actions, faults, clock));
    stop.abort();
    expect(await clock.run(during)).toBe(false);
    expect(seen).toEqual([
      [450, true],
      [900, true],
      [1350, false],
    ]);
  });
});
