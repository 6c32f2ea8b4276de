import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    expect(result.stdout).toContain('VERDICT: FAIL (2 of 6 checks failed, 6 items)');
    // every failed item under its check, not only the first
    expect(result.stdout).toContain('✗ Clean-up: 5 left (limit 0 left)\n    - processes: 1 left (limit 0); pid 4242 (catalog-2)\n    - ports: 1 left (limit 0); 7101 (catalog)');
    expect(result.stdout).toContain('- Kubernetes objects: 1 left (limit 0); TestRun load/black-friday-k3x9a');
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'))).toMatchObject({ verdict: 'fail' });
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  });

  it("judges a plain `peakready run` by its script's own thresholds, never by the bundled shop's budgets", () => {
    const summaryWith = (ok: boolean) => ({
      metrics: {
        http_req_duration: { type: 'trend', contains: 'time', values: { 'p(95)': 950 }, thresholds: { 'p(95)<900': { ok } } },
        http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0 }, thresholds: { 'rate<0.01': { ok: true } } },
      },
    });
    for (const [name, ok] of [['crossed', false], ['held', true]] as const) {
      const run = writeFixtureRun(join(home, 'runs', `plain-${name}`), ['leftovers']);
      writeFileSync(join(run.root, 'config.json'), JSON.stringify({ command: 'run', script: '/somewhere/my.js' }));
      writeFileSync(join(run.root, 'summary.json'), JSON.stringify(summaryWith(ok)));
      const result = peakready('report', run.root);
      expect(result.stdout).toMatch(ok ? /│ Script's thresholds\s+│ 2\/2 held/ : /│ Script's thresholds\s+│ 1\/2 held/);
      // the fixture's leftovers would fail the bundled shop's clean-up check: a plain run is not judged by it
      expect(result.stdout).not.toMatch(/Clean-up|Performance budgets|Data integrity/);
      expect(result.status).toBe(ok ? 0 : 1);
    }
  });

  it('exits 2 for a run that does not exist', () => {
    const result = peakready('report', 'no-such-run');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/run "no-such-run" not found/);
  });
});
