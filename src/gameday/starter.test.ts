import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planDrill } from '../drill/plan.js';
import { describePlan } from '../drill/dry-run.js';
import { UsageError } from '../errors.js';
import { shipped } from '../paths.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { writeStarter } from './starter.js';

describe('peakready init: a starter game day for your own system', () => {
  it('writes files that validate and plan as they are: phases from the script, the fault in the surge, the target', async () => {
    const dir = tempDir('peakready-init-');
    const written = writeStarter(dir, 'http://127.0.0.1:3000');
    expect(written.map((f) => f.slice(f.indexOf('peakready-init-')).split('/').slice(1).join('/'))).toEqual(['gameday.yaml', 'load.js', 'budgets.yaml', 'chaos/dependency-outage.yaml']);
    expect(readFileSync(join(dir, 'gameday.yaml'), 'utf8')).toContain(`$schema=${shipped('scenarios/gameday.schema.json')}`);

    const plan = await planDrill({ gameDayFile: join(dir, 'gameday.yaml') });
    expect(plan.withStack).toBe(false);
    expect(plan.scriptEnv.BASE_URL).toBe('http://127.0.0.1:3000');
    expect(plan.phases.map((p) => p.name)).toEqual(['baseline', 'surge', 'cooldown']);
    expect(plan.budgets.thresholds.length).toBe(4);
    expect(describePlan(plan).join('\n')).toMatch(/"A dependency stops answering" .* from 01:0[78] in the surge/);
    // the starter protects its own request, by the name its script gives it, marked for editing
    expect(plan.budgets.isolation).toMatchObject({ protect: ['home'], degraded: [], failing: 'dependency' });
    expect(readFileSync(join(dir, 'gameday.yaml'), 'utf8')).toMatch(/# EDIT: the k6 name tags of YOUR requests that must keep working[^\n]*\n(?:\s+#[^\n]*\n)*\s+protect: \[home\]/);
  });

  it('never overwrites: a second init in the same place names the files and changes nothing', () => {
    const dir = tempDir('peakready-init-');
    writeStarter(dir);
    expect(() => writeStarter(dir)).toThrow(UsageError);
    expect(() => writeStarter(dir)).toThrow(/gameday.yaml.*already exist/);
  });
});
