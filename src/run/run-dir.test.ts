import { appendFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RunDirectory } from './run-dir.js';
import { tempDir } from '../../test/support/temp-dir.js';

describe('RunDirectory', () => {
  it('creates a run, appends events and finds it again as the newest run', () => {
    const base = tempDir('peakready-run-');
    const run = RunDirectory.create('drill', base);
    run.appendTimeline({ t: 1, type: 'phase', state: 'start', phase: 'baseline' });
    run.appendTimeline({ t: 2, type: 'phase', state: 'end', phase: 'baseline' });
    const again = RunDirectory.open(undefined, base);
    expect(again.root).toBe(run.root);
    expect(again.timeline().map((e) => e.t)).toEqual([1, 2]);
  });

  it('skips a line torn by a crash', () => {
    const base = tempDir('peakready-run-');
    const run = RunDirectory.create('run', base);
    run.appendRequests([{ t: 1, scenario: 's', name: 'n', method: 'GET', status: 200, duration: 3, failed: false }]);
    appendFileSync(run.path('requests'), '{"t": 2, "scen');
    expect(run.readLines('requests')).toHaveLength(1);
  });

  it('names the places it looked when a run is missing', () => {
    const base = tempDir('peakready-run-');
    expect(() => RunDirectory.open('nope', base)).toThrow(/run "nope" not found/);
    expect(() => RunDirectory.open(undefined, base)).toThrow(/no runs found/);
  });
});
