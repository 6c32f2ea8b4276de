import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shipped } from '../src/paths.js';
import type { ReportJson } from '../src/report/report-json.js';
import { runCli } from './support/cli.js';

/**
 * The bundled shop as someone else's system: started apart (`up --detach` with its own Prometheus,
 * HPA-like autoscaling, and traces exported to where the drill's receiver will listen), then
 * drilled by a game-day file that knows it only by URL — its gateway, its Toxiproxy, its
 * Prometheus with kube-state-metrics names, its own API for reading orders back. Every check must
 * judge (PASS or FAIL), none may skip; a read-back path that is wrong must FAIL integrity with
 * evidence, not crash. Whether the budgets hold depends on this machine's load, so the verdict is
 * not asserted.
 */

const home = mkdtempSync(join(tmpdir(), 'peakready-gameday-target-'));
const BASE = 24_500; // below 32768: the ephemeral ports other tests' port-0 listeners take
const RECEIVER = BASE + 301;
const env: NodeJS.ProcessEnv = { ...process.env, PEAKREADY_HOME: home, NO_COLOR: '1' };
delete env.DATABASE_URL;
delete env.GITHUB_STEP_SUMMARY;

function gameDay(readUrl: string, timeScale: number): string {
  const file = join(home, `gameday-${timeScale}.yaml`);
  writeFileSync(
    file,
    `name: a shop we know only by its URLs
system: { target: http://127.0.0.1:${BASE} }
load:
  script: ${shipped('scenarios/black-friday.js')}
  timeScale: ${timeScale}
  env: { PEAK_RPS: "120" }
faults:
  toxiproxy: http://127.0.0.1:${BASE + 300}
  experiments: [{ file: ${shipped('chaos/recommendations-outage.yaml')}, during: surge, at: 40% }]
observe:
  traces: { receiver: { port: ${RECEIVER} } }
  metrics: { prometheus: http://127.0.0.1:${BASE + 303} }
  scaling:
    prometheus: { namespace: peakready, workloads: [gateway, catalog, search, checkout], scrapeInterval: 5s }
checks:
  budgets: ${shipped('scenarios/budgets.yaml')}
  integrity:
    readBack: { request: checkout, id: $.orderId, readUrl: "${readUrl}", fields: [status, totalCents, items], idempotencyHeader: Idempotency-Key }
`,
  );
  return file;
}

async function drill(file: string): Promise<ReportJson> {
  const reportDir = join(home, `report-${Date.now()}`);
  const r = await runCli(['drill', file, '--quiet', '--report', reportDir], env, 240_000);
  expect([0, 1, 4], r.stderr.slice(-3000)).toContain(r.code);
  return JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as ReportJson;
}

beforeAll(async () => {
  const up = await runCli(['up', '--detach', '--prometheus', '--autoscale', '1.5s', '--base-port', String(BASE), '--otlp-endpoint', `http://127.0.0.1:${RECEIVER}`], env, 120_000);
  expect(up.code, up.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  await runCli(['down'], env, 60_000);
  rmSync(home, { recursive: true, force: true });
}, 90_000);

describe("drill FILE on a system that is not peakready's to start", () => {
  it('judges all six checks from the interfaces a real system has: none skips', { timeout: 300_000 }, async () => {
    const report = await drill(gameDay('/api/orders/{id}', 0.05));
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(report.checks.map((c) => c.id)).toEqual(['budgets', 'tracing', 'scale-out', 'isolation', 'integrity', 'cleanup', 'rig']);
    for (const c of report.checks) expect(c.status, JSON.stringify(c)).not.toBe('skip');
    // the shop lost nothing and its faults were undone through its own Toxiproxy
    expect(byId.integrity, JSON.stringify(byId.integrity)).toMatchObject({ status: 'pass' });
    expect(byId.cleanup, JSON.stringify(byId.cleanup)).toMatchObject({ status: 'pass' });
  });

  it('fails integrity, naming the ids, when the read-back path is wrong', { timeout: 300_000 }, async () => {
    const report = await drill(gameDay('/api/nowhere/{id}', 0.02));
    const integrity = report.checks.find((c) => c.id === 'integrity')!;
    expect(integrity.status, JSON.stringify(integrity)).toBe('fail');
    expect(integrity.reason).toMatch(/ord|missing|read back/i);
  });
});
