import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFixtureRun } from '../../test/support/fixture-run.js';
import { packageRoot } from '../paths.js';

const cli = join(packageRoot, 'bin', 'peakready.js');
const home = mkdtempSync(join(tmpdir(), 'peakready-report-cli-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const env: NodeJS.ProcessEnv = { ...process.env, PEAKREADY_HOME: home, NO_COLOR: '1' };
delete env.GITHUB_STEP_SUMMARY;
const peakready = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', cwd: home });
const stepSummary = join(home, 'step-summary.md');

describe('peakready report RUN', () => {
  it('judges the newest run again from its files, writes every report and exits 0 on a pass', () => {
    const run = writeFixtureRun(join(home, 'runs', '20261127T090000Z-drill'));
    const result = spawnSync(process.execPath, [cli, 'report'], { env: { ...env, GITHUB_STEP_SUMMARY: stepSummary }, encoding: 'utf8', cwd: home });
    expect(result.stderr).toBe('');
    expect(readFileSync(stepSummary, 'utf8')).toMatch(/^## peakready: ✅ PASS\n/);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('VERDICT: PASS');
    expect(result.stdout).toMatch(/│ Data integrity\s+│ 0 violations, 400 orders/);
    for (const file of ['checks.json', 'report.json', 'junit.xml', 'summary.md', 'report.html']) expect(existsSync(join(run.root, file))).toBe(true);
  });

  it('exits 1 when a check fails, and copies the reports to --report', () => {
    const run = writeFixtureRun(join(home, 'runs', 'broken'), ['double-charge', 'leftovers']);
    const out = join(home, 'ci-report');
    const result = peakready('report', run.root, '--report', out);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('VERDICT: FAIL (2 of 6 checks failed)');
    expect(result.stdout).toContain('✗ Clean-up: processes: 1 left (limit 0); pid 4242 (catalog-2)');
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toMatchObject({ verdict: 'fail' });
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it('exits 2 for a run that does not exist', () => {
    const result = peakready('report', 'no-such-run');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/run "no-such-run" not found/);
  });
});
