import { describe, expect, it } from 'vitest';
import { FIXTURE_T0, fixtureRecords } from '../../test/support/fixture-run.js';
import { runDataOf } from './run-data.js';
import type { TimelineEvent } from './records.js';
import { describeInterruption, interruptionOf } from './timeline.js';

const at = (s: number) => FIXTURE_T0 + s * 1000;

/** The fixture drill (80 s: baseline 0-20, surge 20-60, cool-down 60-80) stopped at `s` by `cause`, then torn down. */
function interruptedAt(s: number, cause = 'SIGINT') {
  const records = fixtureRecords();
  const timeline: TimelineEvent[] = records.timeline.filter((e) => e.t <= at(s) && !(e.type === 'run' && e.state === 'end'));
  timeline.push(
    { t: at(s), type: 'interrupted', cause, step: 'load', phases: ['surge'], loadElapsedMs: s * 1000 },
    // what the teardown after the signal did: replicas stopping, the run's end
    { t: at(s + 3), type: 'replica', service: 'catalog', replica: 'catalog-1', pid: 10, state: 'stopped' },
    { t: at(s + 5), type: 'run', state: 'end', command: 'drill' },
  );
  // refused connections while the stack was torn down: after the signal, never judged
  const torn = Array.from({ length: 50 }, (_, i) => ({ t: at(s) + i * 20, scenario: 'surge', name: 'checkout', method: 'POST', status: 0, duration: 3000, failed: true, error: 'ECONNREFUSED' }));
  return runDataOf({ ...records, timeline, requests: [...records.requests!.filter((r) => r.t < at(s)), ...torn] });
}

describe('an interrupted run', () => {
  it('keeps only what was measured until the interruption: requests ended by then, events and samples up to it', () => {
    const data = interruptedAt(40);
    expect(data.interrupted).toMatchObject({ t: at(40), cause: 'SIGINT', step: 'load', phases: ['surge'] });
    expect(data.requests.every((r) => r.t + r.duration <= at(40))).toBe(true);
    expect(data.requests.some((r) => r.error === 'ECONNREFUSED')).toBe(false);
    expect(data.timeline.at(-1)!.type).toBe('interrupted');
    expect((data.metrics ?? []).every((m) => m.t <= at(40))).toBe(true);
    expect(data.span).toEqual({ start: at(0), end: at(40) });
    // the surge, under way at the signal, ends there
    expect(data.intervals.get('surge')).toEqual([{ start: at(20), end: at(40) }]);
  });

  it('a drill that recorded a start and no end (SIGKILLed) is interrupted at the last moment it recorded', () => {
    const records = fixtureRecords();
    const timeline = records.timeline.filter((e) => e.t <= at(50) && !(e.type === 'run' && e.state === 'end'));
    const requests = records.requests!.filter((r) => r.t < at(50));
    const data = runDataOf({ ...records, timeline, requests, metrics: [] });
    const last = Math.max(...requests.map((r) => r.t + r.duration), ...timeline.map((e) => e.t));
    expect(data.interrupted).toMatchObject({ t: last, cause: 'killed', step: 'unknown', phases: ['surge'] });
    expect(data.requests).toHaveLength(requests.length);
    expect(describeInterruption(data.interrupted!)).toMatch(/^stopped by the run being killed \(phase surge\) at .*: the run recorded no end/);
  });

  it('a run that ended, or a plain `peakready run` without an end, is not interrupted', () => {
    expect(runDataOf(fixtureRecords()).interrupted).toBeUndefined();
    const started: TimelineEvent[] = [{ t: at(0), type: 'run', state: 'start', command: 'run' }];
    expect(interruptionOf(started, at(10), false)).toBeUndefined();
  });

  it('is described with its cause, step, phase and time', () => {
    const i = interruptedAt(40).interrupted!;
    expect(describeInterruption(i)).toBe(`stopped by SIGINT during the load (phase surge, 40 s into it) at ${new Date(at(40)).toISOString()}`);
    expect(describeInterruption({ ...i, cause: 'error', step: 'starting the stack', phases: [], detail: 'catalog-1 exited with code 1' })).toMatch(
      /^stopped by an error while starting the stack \(40 s into it\) at .*: catalog-1 exited with code 1$/,
    );
  });
});
