import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/temp-dir.js';
import { UsageError } from '../errors.js';
import { loadGameDay } from '../gameday/load.js';
import { planDrill } from './plan.js';

/** `--baseline FILE` is read and checked in the plan: before runDrill starts anything (exit 2). */
describe('a drill with --baseline', () => {
  const dir = tempDir('peakready-plan-baseline-');
  const gameDay = loadGameDay();
  const figures = { total: { name: 'all', requests: 0, errorRate: 0, rps: 0, p95: 0 }, routes: [] };
  const reportWith = (config: object) => {
    const file = join(dir, `${Object.values(config).join('-') || 'none'}.json`);
    writeFileSync(file, JSON.stringify({ version: 1, run: { config }, figures }));
    return file;
  };

  it('refuses a file that is not a report.json', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"version": 1}');
    await expect(planDrill({ baselineFile: file })).rejects.toThrow(UsageError);
    await expect(planDrill({ baselineFile: file })).rejects.toThrow(/not a peakready report\.json \(figures: /);
  });

  it('refuses a report of another profile or game day, and plans one of the same', async () => {
    const profile = gameDay.profile ?? null;
    await expect(planDrill({ baselineFile: reportWith({ command: 'drill', name: gameDay.name, profile: 'no-such-profile' }) })).rejects.toThrow(
      `made with profile "no-such-profile", this run plays profile ${profile === null ? '(none)' : `"${profile}"`}`,
    );
    await expect(planDrill({ baselineFile: reportWith({ command: 'drill', name: 'another shop' }) })).rejects.toThrow(/made with game day "another shop"/);
    const plan = await planDrill({ baselineFile: reportWith({ command: 'drill', name: gameDay.name, profile }) });
    expect(plan.baseline?.run).toEqual({ command: 'drill', name: gameDay.name, profile });
  });
});
