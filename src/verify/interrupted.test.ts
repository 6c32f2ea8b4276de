import { describe, expect, it } from 'vitest';
import { FIXTURE_T0, fixtureRecords } from '../../test/support/fixture-run.js';
import { loadBudgets } from '../budgets/load.js';
import { ExitCode, exitCodeOf } from '../exit-codes.js';
import { runDataOf } from '../run/run-data.js';
import { judge, verdictOf } from './index.js';

const budgets = loadBudgets();
const at = (s: number) => FIXTURE_T0 + s * 1000;

/** The fixture drill stopped by a signal at `s`, before the stored data was read back. */
function interrupted(s: number) {
  const records = fixtureRecords();
  const timeline = records.timeline.filter((e) => e.t <= at(s) && !(e.type === 'run' && e.state === 'end'));
  timeline.push({ t: at(s), type: 'interrupted', cause: 'SIGTERM', step: 'load', phases: ['surge'] }, { t: at(s + 4), type: 'run', state: 'end', command: 'drill' });
  const kept = { ...records, timeline, requests: records.requests!.filter((r) => r.t < at(s)) };
  delete kept.integrity; // the stored data is read after the load, which never ended
  return runDataOf(kept);
}

describe('the judge on an interrupted run', () => {
  it('says INTERRUPTED (exit 5), whatever the checks found until then, and why', () => {
    const judged = judge(interrupted(50), budgets);
    expect(judged.verdict).toBe('interrupted');
    expect(exitCodeOf(judged.verdict)).toBe(ExitCode.interrupted);
    expect(ExitCode.interrupted).toBe(5);
    expect(judged.interrupted).toMatchObject({ cause: 'SIGTERM', step: 'load', t: at(50) });
    // the checks still judge what was measured: the budgets held until the signal
    expect(judged.checks.find((c) => c.id === 'budgets')?.status).toBe('pass');
  });

  it('integrity names the interruption as why it has no evidence, not a --target run', () => {
    const integrity = judge(interrupted(50), budgets).checks.find((c) => c.id === 'integrity')!;
    expect(integrity).toMatchObject({ status: 'skip', reason: 'the run was interrupted before the stored data was read back' });
  });

  it('isolation names the interruption when the run stopped before its fault, not the file', () => {
    const isolation = judge(interrupted(20), budgets).checks.find((c) => c.id === 'isolation')!;
    expect(isolation).toMatchObject({ status: 'skip', reason: 'the run was interrupted before any fault was injected' });
  });

  it('a run that ended is never INTERRUPTED', () => {
    const judged = judge(runDataOf(fixtureRecords()), budgets);
    expect(judged.verdict).toBe(verdictOf(judged.checks));
    expect(judged.interrupted).toBeUndefined();
  });
});
