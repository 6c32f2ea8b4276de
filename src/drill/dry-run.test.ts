import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeStarter } from '../gameday/starter.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { describePlan } from './dry-run.js';
import { planDrill } from './plan.js';

describe('drill --dry-run', () => {
  it("prints the bundled shop's game day: phases from the script, when the fault is on and off, what each check reads", async () => {
    const plan = await planDrill({ profile: 'smoke' });
    const text = describePlan(plan).join('\n');
    expect(text).toContain('game day: Black Friday on the bundled shop (profile smoke)');
    expect(text).toMatch(/phases:\n {2}baseline\s+00:00 - 00:15\n {2}surge\s+00:15 - 00:39\n {2}cooldown\s+00:39 - 00:48/);
    // 40 % into the 24 s surge, the experiment's 60 s outage compressed 20 times
    expect(text).toMatch(/from 00:25 in the surge:\n {4}00:25 on {2}add-toxic recommendations\n {4}00:28 off add-toxic recommendations/);
    expect(text).toMatch(/scale-out\s+the local autoscaler \(Kubernetes' HPA algorithm, sync every 1.5 s\)/);
    expect(text).toMatch(/isolation\s+requests named "checkout" while recommendations is faulted, against the surge phase; "product" may degrade, not fail/);
    expect(plan.scriptEnv).toMatchObject({ TIME_SCALE: '0.05', PEAK_RPS: '120', BASE_URL: 'http://127.0.0.1:7100' });
  });

  it("a target: the file's toxiproxy, no local autoscaler, and the checks it cannot judge yet say so", async () => {
    const plan = await planDrill({ profile: 'smoke', target: 'http://127.0.0.1:8080', toxiproxyUrl: 'http://127.0.0.1:8474' });
    const text = describePlan(plan).join('\n');
    expect(plan.withStack).toBe(false);
    expect(plan.autoscaler).toBeUndefined();
    expect(text).toContain('faults:   through http://127.0.0.1:8474');
    expect(text).toMatch(/scale-out\s+not observed on this system \(skipped\): add observe.scaling/);
  });

  it('faults but nothing named to protect: the plan says what to add to the file', async () => {
    const dir = tempDir('peakready-dry-run-');
    writeStarter(dir);
    const file = join(dir, 'gameday.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {4}protect: \[home\]$/m, '    protect: []'));
    const text = describePlan(await planDrill({ gameDayFile: file })).join('\n');
    expect(text).toMatch(/isolation\s+no requests named to protect: add checks\.isolation\.protect: \[the requests that must keep working\] \(their k6 name tags\) \(skipped\)/);
  });
});
