import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { RunDirectory } from '../run/run-dir.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { judgementFor } from './run-budgets.js';

function runWith(config: unknown): RunDirectory {
  const root = tempDir('peakready-run-budgets-');
  writeFileSync(join(root, 'config.json'), JSON.stringify(config));
  writeFileSync(join(root, 'timeline.ndjson'), '');
  return RunDirectory.open(root);
}

describe('what `peakready report` judges a stored run with', () => {
  it("a drill: its own game-day file and profile, with the file's check limits", () => {
    const dir = tempDir('peakready-gameday-');
    const file = join(dir, 'shop.yaml');
    writeFileSync(file, 'name: shop\nsystem: { target: http://127.0.0.1:8080 }\nload: { script: a.js }\nchecks: { isolation: { protect: [buy] } }\n');
    const { budgets, scriptThresholds } = judgementFor(runWith({ command: 'drill', gameday: file, profile: null }));
    expect(budgets.isolation.protect).toEqual(['buy']);
    // no budgets file in the game day: no thresholds, never the bundled shop's
    expect(budgets.thresholds).toEqual([]);
    // ... but the script's own thresholds
    expect(scriptThresholds).toBe(true);
  });

  it("a plain run: only the script's own thresholds (and a budgets file when one is asked for)", () => {
    expect(judgementFor(runWith({ command: 'run', script: 'my.js' }))).toMatchObject({ scriptThresholds: true, only: ['thresholds', 'baseline'] });
  });

  it('says what to do when the game-day file the run was made with is gone', () => {
    expect(() => judgementFor(runWith({ command: 'drill', gameday: '/nowhere/gameday.yaml' }))).toThrow(UsageError);
  });
});
