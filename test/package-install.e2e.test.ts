import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../src/paths.js';
import type { ReportJson } from '../src/report/report-json.js';
import { tempDir } from './support/temp-dir.js';

/**
 * peakready as a user gets it: `npm pack` in this checkout, the tarball installed into an empty
 * project from the local npm cache (`--prefer-offline`: the registry is asked only for what the cache
 * lacks, such as package metadata `npm ci` never fetched), and the installed CLI run from
 * that project: `--version`, `doctor`, a short `run`, and the smoke drill exactly as the GitHub
 * Actions example runs it, with failures turned into `::error` annotations.
 */

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(file: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (error as { code?: unknown }).code : 0;
      resolve({ code: typeof code === 'number' ? code : -1, stdout, stderr });
    });
  });
}

const NPM = 'npm';
const BASE = 32_100; // fixed bases stay below 32768; 26_100 is stack-telemetry's
const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
const project = tempDir('peakready-installed-');
const home = join(project, '.peakready');
// no colour, no inherited CI summary; the state of the runs under the project
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', PEAKREADY_HOME: home, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
delete env.GITHUB_STEP_SUMMARY;
delete env.GITHUB_ACTIONS;
delete env.DATABASE_URL;
const bin = join(project, 'node_modules', '.bin', 'peakready');

let tarball: string;
let packed: string[] = [];
let target: Server;
let targetUrl: string;

beforeAll(async () => {
  // pack runs the build itself (`prepare` runs on `npm pack`), and `files` puts dist/ in the tarball although git ignores it
  const pack = await exec(NPM, ['pack', '--json', '--pack-destination', project], { cwd: packageRoot, env });
  expect(pack.code, pack.stderr).toBe(0);
  const [info] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(project, info!.filename);
  packed = info!.files.map((f) => f.path);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'shop-ci', version: '1.0.0', private: true }, null, 2));
  const install = await exec(NPM, ['install', '--prefer-offline', '--save-dev', '--no-audit', '--no-fund', tarball], { cwd: project, env, timeoutMs: 240_000 });
  expect(install.code, install.stderr.slice(-3000)).toBe(0);

  target = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
}, 300_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));
});

describe('the packed and installed peakready', () => {
  it('ships the built CLI, the reference stack, scenarios, chaos files, dashboards and alerts, and nothing of the development', () => {
    for (const file of [
      'bin/peakready.js',
      'dist/src/cli/main.js',
      'dist/reference-stack/services/gateway/main.js',
      'reference-stack/k8s/kustomization.yaml',
      'scenarios/gameday.yaml',
      'scenarios/black-friday.js',
      'scenarios/budgets.yaml',
      'chaos/recommendations-outage.yaml',
      'dashboards/overview.json',
      'alerts/peakready.rules.yml',
      'examples/github-workflow.yml',
      'README.md',
    ]) {
      expect(packed, file).toContain(file);
    }
    const unwanted = packed.filter((f) => /^(bench|test|src|dist-test|scripts)\//.test(f) || /\.test\.(ts|js)$/.test(f) || /^(eslint\.config\.js|tsconfig\.json|vitest\.config\.ts|\.dependency-cruiser\.cjs)$/.test(f));
    expect(unwanted).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(project, 'node_modules', 'peakready', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    // runtime dependencies only: the test and lint tools stay in this checkout
    for (const dev of ['vitest', 'eslint', 'typescript', 'playwright-core', 'tsx']) expect(Object.keys(pkg.dependencies)).not.toContain(dev);
    expect(existsSync(join(project, 'node_modules', 'vitest'))).toBe(false);
  });

  it('--version and doctor', async () => {
    const v = await exec(bin, ['--version'], { cwd: project, env });
    expect(v).toMatchObject({ code: 0, stdout: `${version}\n` });
    const doctor = await exec(bin, ['doctor'], { cwd: project, env: { ...env, COLUMNS: '80' } });
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(doctor.stdout).toMatch(/\d of \d+ real components available/);
    expect(doctor.stdout).not.toContain('not built');
    for (const line of doctor.stdout.split('\n')) expect([...line].length, line).toBeLessThanOrEqual(80);
  });

  it('runs a k6 script of the project against a local server', async () => {
    writeFileSync(
      join(project, 'load.js'),
      `import http from 'k6/http';
import { check } from 'k6';
export const options = { vus: 2, iterations: 20, thresholds: { http_req_failed: ['rate<0.01'] } };
export default function () {
  const res = http.get(__ENV.BASE_URL + '/');
  check(res, { 'status 200': (r) => r.status === 200 });
}
`,
    );
    const run = await exec(bin, ['run', 'load.js', '-e', `BASE_URL=${targetUrl}`], { cwd: project, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/http_reqs\D+20\b/);
  });

  it('plays the smoke drill as the GitHub Actions example does, with failures as annotations', { timeout: 300_000 }, async () => {
    const workflow = parse(readFileSync(join(packageRoot, 'examples', 'github-workflow.yml'), 'utf8')) as { jobs: Record<string, { steps: Array<{ run?: string }> }> };
    const line = Object.values(workflow.jobs)
      .flatMap((j) => j.steps.map((s) => s.run ?? ''))
      .find((r) => r.includes('peakready drill'))!;
    const [npx, ...args] = line.trim().split(/\s+/);
    expect(npx).toBe('npx');
    const stepSummary = join(project, 'step-summary.md');
    writeFileSync(stepSummary, '');
    const ci = { ...env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: stepSummary };
    // the example's own command, on this test's ports
    const drill = await exec('npx', [...args, '--quiet', '--base-port', String(BASE)], { cwd: project, env: ci, timeoutMs: 240_000 });
    // 4: inconclusive, when this shared machine starved the rig while a check judged
    expect([0, 1, 4], drill.stderr.slice(-3000)).toContain(drill.code);
    for (const file of ['report.html', 'report.json', 'junit.xml', 'summary.md']) expect(existsSync(join(project, 'report', file)), file).toBe(true);
    const report = JSON.parse(readFileSync(join(project, 'report', 'report.json'), 'utf8')) as ReportJson;
    expect(report.checks.map((c) => c.id)).toEqual(['budgets', 'tracing', 'scale-out', 'isolation', 'integrity', 'cleanup', 'rig']);
    expect(readFileSync(stepSummary, 'utf8')).toMatch(/^## peakready: /);
    const failedItems = report.checks.filter((c) => c.status === 'fail').reduce((n, c) => n + Math.max(1, c.details.filter((d) => d.status === 'fail').length), 0);
    expect(drill.stdout.split('\n').filter((l) => l.startsWith('::error ')).length).toBe(failedItems);

    // the same run judged against a budget nothing can meet: exit 1, an annotation naming the budget, its figure and limit
    writeFileSync(join(project, 'strict.yaml'), 'thresholds:\n  http_req_duration:\n    - p(95)<1\n');
    const runs = readdirSync(join(home, 'runs'));
    const judged = await exec(bin, ['report', join(home, 'runs', runs.at(-1)!), '--budget', 'strict.yaml'], { cwd: project, env: ci });
    expect(judged.code, judged.stderr).toBe(1);
    expect(judged.stdout).toMatch(/^::error title=peakready Performance budgets::http_req_duration p\(95\)<1: p\(95\)=[\d.]+m?s \(limit p\(95\)<1\)/m);
  });
});
