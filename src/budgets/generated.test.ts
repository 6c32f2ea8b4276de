import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packageRoot, shipped } from '../paths.js';
import { dashboardJson } from './generate.js';
import { DEFAULT_BUDGETS_FILE, loadBudgets, parseBudgets } from './load.js';
import { burnFactor, BURN_WINDOWS, renderSloRules, renderSloRuleTests } from './slo-rules.js';

const PROMTOOL = '/usr/bin/promtool';
const budgets = loadBudgets();
const tmp = mkdtempSync(join(tmpdir(), 'peakready-slo-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('one source of truth: the shipped alerts and dashboard come from scenarios/budgets.yaml', () => {
  it('alerts/budgets.rules.yml and budgets.test.yml are up to date (regenerate: peakready budgets alerts --out alerts/)', () => {
    expect(readFileSync(shipped('alerts/budgets.rules.yml'), 'utf8')).toBe(renderSloRules(budgets, DEFAULT_BUDGETS_FILE));
    expect(readFileSync(shipped('alerts/budgets.test.yml'), 'utf8')).toBe(renderSloRuleTests(budgets, DEFAULT_BUDGETS_FILE));
  });

  it('dashboards/budgets.json is up to date (regenerate: peakready budgets dashboard --out dashboards/budgets.json)', () => {
    expect(readFileSync(shipped('dashboards/budgets.json'), 'utf8')).toBe(dashboardJson(budgets, DEFAULT_BUDGETS_FILE).text);
  });

  it('promtool accepts the rules and their unit tests pass', () => {
    const check = spawnSync(PROMTOOL, ['check', 'rules', 'budgets.rules.yml'], { cwd: shipped('alerts'), encoding: 'utf8' });
    expect(check.stdout + check.stderr).toContain('SUCCESS: 18 rules found');
    expect(check.status).toBe(0);
    const test = spawnSync(PROMTOOL, ['test', 'rules', 'budgets.test.yml'], { cwd: shipped('alerts'), encoding: 'utf8' });
    expect(test.stdout + test.stderr).toMatch(/SUCCESS/);
    expect(test.status).toBe(0);
  });
});

describe('SLO rules', () => {
  it('uses the Sloth/Pyrra burn-rate factors for a 30-day window, and scales them for others', () => {
    expect(BURN_WINDOWS.map((w) => [w.severity, w.long, w.short, burnFactor(w, '30d')])).toEqual([
      ['page', '1h', '5m', 14.4],
      ['page', '6h', '30m', 6],
      ['ticket', '1d', '2h', 3],
      ['ticket', '3d', '6h', 1],
    ]);
    expect(burnFactor(BURN_WINDOWS[0]!, '28d')).toBe(13.44);
  });

  it('generated tests fail against rules that do not match them (the tests can fail)', () => {
    // a stricter objective makes the "slow burn: ticket only" case page as well
    const strict = parseBudgets('slo:\n  availability: 0.9999\n');
    writeFileSync(join(tmp, 'budgets.rules.yml'), renderSloRules(strict, 'strict.yaml'));
    writeFileSync(join(tmp, 'budgets.test.yml'), renderSloRuleTests(budgets, 'budgets.yaml'));
    const run = spawnSync(PROMTOOL, ['test', 'rules', 'budgets.test.yml'], { cwd: tmp, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('FAILED');
  });

  it('follows another budgets file: selector, objective, latency bucket', () => {
    const other = parseBudgets('slo:\n  service: shop\n  route: /pay\n  method: PUT\n  availability: 0.995\n  latency: { objective: 0.95, threshold: 1s }\n');
    const rules = renderSloRules(other, 'other.yaml');
    expect(rules).toContain('{service="shop", route="/pay", method="PUT", le="1"}');
    expect(rules).toContain('> (14.4 * 0.005)');
    expect(rules).toContain('> (6 * 0.05)');
    writeFileSync(join(tmp, 'budgets.rules.yml'), rules);
    writeFileSync(join(tmp, 'budgets.test.yml'), renderSloRuleTests(other, 'other.yaml'));
    execFileSync(PROMTOOL, ['test', 'rules', 'budgets.test.yml'], { cwd: tmp, encoding: 'utf8' });
  });
});

describe('budgets dashboard', () => {
  const { text, skipped } = dashboardJson(budgets, DEFAULT_BUDGETS_FILE);
  const dashboard = JSON.parse(text) as { schemaVersion: number; panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }>; fieldConfig?: { defaults: { thresholds?: { steps: Array<{ value: number | null }> }; custom?: { thresholdsStyle?: { mode: string } } } } }> };

  it('draws each budget with its limit as a threshold line on the route it maps to', () => {
    const p95 = dashboard.panels.find((p) => p.title === 'http_req_duration{name:checkout} p(95)<800')!;
    expect(p95.targets![0]!.expr).toBe('1000 * histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="gateway", route="/api/checkout", method="POST"}[$__rate_interval])))');
    expect(p95.fieldConfig!.defaults.thresholds!.steps.map((s) => s.value)).toEqual([null, 800]);
    expect(p95.fieldConfig!.defaults.custom!.thresholdsStyle!.mode).toBe('line+area');
    const windowed = dashboard.panels.find((p) => p.title === 'http_req_duration{name:checkout} p(95)<1500 over 30s')!;
    // 30 s holds only two 15 s scrapes: drawn over four
    expect(windowed.targets![0]!.expr).toContain('[60s]');
    expect(dashboardJson(budgets, DEFAULT_BUDGETS_FILE, { scrapeIntervalMs: 5000 }).text).toContain('[30s]');
    const failed = dashboard.panels.find((p) => p.title === 'http_req_failed rate<0.02')!;
    expect(failed.targets![0]!.expr).toContain('status_code!~"2..|3.."');
  });

  it('names what it cannot draw instead of drawing it wrong', () => {
    expect(skipped).toEqual(['http_req_duration{name:checkout} p(99)<2000 during outage: a phase ("during outage") exists only in a run\'s timeline']);
    const unmapped = dashboardJson(parseBudgets('thresholds:\n  http_req_duration{name:login}: ["p(95)<100", "max<900"]\n  http_reqs: ["count>10"]\n'), 'x.yaml');
    expect(unmapped.skipped).toEqual([
      'http_req_duration{name:login} p(95)<100: no route for name "login" under routes:',
      'http_req_duration{name:login} max<900: no route for name "login" under routes:',
      'http_reqs count>10: a whole-run count has no time series',
    ]);
  });

  it('is a current-schema dashboard whose queries name only stack metrics and SLO records', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    const names = dashboard.panels.flatMap((p) => p.targets ?? []).flatMap((t) => t.expr.match(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=\{)/g) ?? []);
    for (const n of names) expect(n).toMatch(/^(http_server_request_duration_seconds_(bucket|count|sum)|slo:sli_error:ratio_rate\d+[mhd])$/);
  });
});

describe('peakready budgets (CLI)', () => {
  const cli = join(packageRoot, 'bin', 'peakready.js');
  it('writes the rules and their tests into --out (the files promtool passes above)', () => {
    const out = join(tmp, 'cli');
    const run = spawnSync(process.execPath, [cli, 'budgets', 'alerts', '--out', out], { cwd: packageRoot, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`wrote ${join(out, 'budgets.rules.yml')}\nwrote ${join(out, 'budgets.test.yml')}\n`);
    // and how to load them
    expect(run.stdout).toContain(`rule_files:\n    - ${join(out, 'budgets.rules.yml')}`);
    expect(readFileSync(join(out, 'budgets.rules.yml'), 'utf8')).toBe(readFileSync(shipped('alerts/budgets.rules.yml'), 'utf8'));
    expect(readFileSync(join(out, 'budgets.test.yml'), 'utf8')).toBe(readFileSync(shipped('alerts/budgets.test.yml'), 'utf8'));
  });
  it('--format prometheus-rule writes a PrometheusRule that holds the shipped rules, and says how to apply it', () => {
    const out = join(tmp, 'operator');
    const run = spawnSync(process.execPath, [cli, 'budgets', 'alerts', '--format', 'prometheus-rule', '--namespace', 'monitoring', '--rule-label', 'release=kps', '--out', out], { cwd: packageRoot, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`kubectl apply -f ${join(out, 'budgets.prometheusrule.yaml')}`);
    const manifest = parse(readFileSync(join(out, 'budgets.prometheusrule.yaml'), 'utf8')) as { kind: string; metadata: { labels: Record<string, string> }; spec: unknown };
    expect(manifest.kind).toBe('PrometheusRule');
    expect(manifest.metadata.labels.release).toBe('kps');
    expect(manifest.spec).toEqual({ groups: (parse(readFileSync(shipped('alerts/budgets.rules.yml'), 'utf8')) as { groups: unknown }).groups });
  });

  it('exits 2 with file:line:field on a bad budgets file', () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, 'slo:\n  availability: 2\n');
    const run = spawnSync(process.execPath, [cli, 'budgets', 'dashboard', bad], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/bad\.yaml:2 slo\.availability: /);
  });
});
