import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusInstalled, startPrometheus, type RunningPrometheus } from '../telemetry/metrics/prometheus-server.js';
import { runCli } from '../../test/support/cli.js';
import type { SimulationStep } from './simulate.js';

/**
 * `scale import` against Debian's Prometheus holding a made-up morning of a cluster: cAdvisor and
 * kube-state-metrics series for a Deployment's pods, written as OpenMetrics and backfilled with
 * `promtool tsdb create-blocks-from`, so the history is there at once and exactly. The per-pod
 * file it writes is then replayed through an HPA by `scale simulate`.
 */

const PORT = 21_790; // fixed ports stay below 32768, where the ephemeral ones begin
const PROMTOOL = '/usr/bin/promtool';
const STEP_S = 15;
const NS = 'shop';
const A = 'catalog-7d9f8-aaaaa';
const B = 'catalog-7d9f8-bbbbb';
const C = 'catalog-7d9f8-ccccc';

/**
 * Seconds from t0: a and b run all along (100m each, 300m from 300 s, 50m from 600 s); c is
 * created at 360 s (Pending), starts at 390 s, is Ready from 420 s (200m, 50m from 600 s), is
 * being deleted from 1080 s and gone at 1110 s. Every pod requests 200m.
 */
function story(t0: number): string {
  const lines: string[] = [];
  const ts = (s: number) => (t0 + s).toFixed(3);
  const times = Array.from({ length: 1200 / STEP_S + 1 }, (_, i) => i * STEP_S);
  const alive = (pod: string, s: number) => pod !== C || (s >= 360 && s < 1110);
  const started = (pod: string, s: number) => pod !== C || s >= 390;
  const ready = (pod: string, s: number) => pod !== C || s >= 420;
  const rate = (pod: string, s: number) => (s >= 600 ? 0.05 : pod === C ? 0.2 : s >= 300 ? 0.3 : 0.1);
  const series = (name: string, labels: string, points: Array<[number, number]>) => {
    for (const [s, v] of points) lines.push(`${name}{${labels}} ${v} ${ts(s)}`);
  };
  const pods = [A, B, C];
  for (const pod of pods) {
    let total = 0;
    const points: Array<[number, number]> = [];
    for (const s of times.filter((s) => alive(pod, s) && started(pod, s))) {
      if (points.length) total += rate(pod, s - STEP_S) * STEP_S;
      points.push([s, Number(total.toFixed(6))]);
    }
    series('container_cpu_usage_seconds_total', `namespace="${NS}",pod="${pod}",container="catalog",cpu="total"`, points);
    // the sandbox: never a container's usage
    series('container_cpu_usage_seconds_total', `namespace="${NS}",pod="${pod}",container="POD",cpu="total"`, points.map(([s, v]) => [s, v * 50]));
  }
  // another workload and another namespace: not imported
  series('container_cpu_usage_seconds_total', `namespace="${NS}",pod="search-5c4b-zzzzz",container="search",cpu="total"`, times.map((s) => [s, s]));
  series('container_cpu_usage_seconds_total', `namespace="other",pod="catalog-1111-yyyyy",container="catalog",cpu="total"`, times.map((s) => [s, s]));
  for (const phase of ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']) {
    for (const pod of pods) {
      const is = (s: number) => (started(pod, s) ? 'Running' : 'Pending') === phase;
      series('kube_pod_status_phase', `namespace="${NS}",pod="${pod}",phase="${phase}"`, times.filter((s) => alive(pod, s)).map((s) => [s, is(s) ? 1 : 0]));
    }
  }
  // OpenMetrics keeps a family's samples together: one family at a time
  const when = (pod: string) => times.filter((s) => alive(pod, s));
  for (const condition of ['true', 'false']) {
    for (const pod of pods) series('kube_pod_status_ready', `namespace="${NS}",pod="${pod}",condition="${condition}"`, when(pod).map((s) => [s, ready(pod, s) === (condition === 'true') ? 1 : 0]));
  }
  for (const pod of pods) series('kube_pod_start_time', `namespace="${NS}",pod="${pod}"`, when(pod).filter((s) => started(pod, s)).map((s) => [s, pod === C ? t0 + 390 : t0 - 3600]));
  for (const pod of pods) series('kube_pod_container_resource_requests', `namespace="${NS}",pod="${pod}",container="catalog",resource="cpu",unit="core"`, when(pod).map((s) => [s, 0.2]));
  series('kube_pod_deletion_timestamp', `namespace="${NS}",pod="${C}"`, times.filter((s) => s >= 1080 && alive(C, s)).map((s) => [s, t0 + 1080]));
  return lines.join('\n') + '\n# EOF\n';
}

describe.runIf(prometheusInstalled() && existsSync(PROMTOOL))('scale import from a real Prometheus, replayed by scale simulate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peakready-import-'));
  // three hours ago, on the step grid: inside the server's retention, clear of its live head
  const t0 = Math.floor((Date.now() / 1000 - 3 * 3600) / STEP_S) * STEP_S;
  const iso = (s: number) => new Date((t0 + s) * 1000).toISOString();
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    writeFileSync(join(dir, 'story.om'), story(t0));
    execFileSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'story.om'), join(dir, 'blocks')], { stdio: 'pipe' });
    prometheus = await startPrometheus({ targets: [], port: PORT, seedBlocks: join(dir, 'blocks'), scrapeIntervalMs: 15_000 });
  });
  afterAll(async () => {
    await prometheus?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const importArgs = (namespace: string, out: string) => [
    'scale', 'import', '--prometheus', prometheus.url, '--namespace', namespace, '--workload', 'catalog',
    '--from', iso(0), '--to', iso(1200), '--step', '15s', '--scrape-interval', '15s', '--out', out,
  ];

  it('writes each pod as kube-state-metrics and cAdvisor saw it, and the HPA replay reads it', async () => {
    const file = join(dir, 'pods.csv');
    const r = await runCli(importArgs(NS, file));
    expect(r.stderr).toContain(`wrote ${file}: `);
    expect(r.code).toBe(0);
    const rows = readFileSync(file, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('time,pod,metric,value,ready,phase,start,request,window');
    const at = (s: number, pod: string) => rows.find((l) => l.startsWith(`${iso(s)},${pod},`));
    // c while Pending: no metric, not ready, not started yet
    expect(at(360, C)).toBe(`${iso(360)},${C},cpu,,false,Pending,,200m,60s`);
    // running but not ready: no CPU rate yet at its first scrape, then one
    expect(at(390, C)).toBe(`${iso(390)},${C},cpu,,false,Running,${iso(390)},200m,60s`);
    // the surge: 300m on a (its sandbox's usage left out), 200m on c, now Ready
    expect(at(540, A)).toBe(`${iso(540)},${A},cpu,300m,true,Running,${iso(-3600)},200m,60s`);
    expect(at(540, C)).toBe(`${iso(540)},${C},cpu,200m,true,Running,${iso(390)},200m,60s`);
    expect(at(1080, C)).toMatch(new RegExp(`^${iso(1080)},${C},cpu,50m,true,Terminating,`));
    expect(at(345, C)).toBeUndefined();
    expect(rows.some((l) => l.includes('search-') || l.includes('yyyyy'))).toBe(false);

    const hpa = join(dir, 'hpa.yaml');
    writeFileSync(
      hpa,
      'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: catalog }\nspec:\n  scaleTargetRef: { kind: Deployment, name: catalog }\n  minReplicas: 1\n  maxReplicas: 10\n  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 60 } } }]\n',
    );
    const sim = await runCli(['scale', 'simulate', '--hpa', hpa, '--metrics', file, '--json']);
    expect(sim.stderr).toBe('');
    const steps = (JSON.parse(sim.stdout) as { steps: SimulationStep[] }).steps;
    const step = (s: number) => steps.find((x) => x.decision.t === s * 1000)!;
    // 360 s: c is Pending (unready): a and b at 150 % of request, c at 0 → (600 + 0) / 600 = 100 %
    // → ratio 1.67 → ceil(5) = 5
    expect(step(360).decision).toMatchObject({ current: 3, utilization: 150, proposal: 5 });
    // 540 s: all three counted (c Ready since 420 s, a whole 60 s sample since): (300 + 300 + 200)
    // / 600 = 133 % → ratio 2.22 → ceil(6.65) = 7, within Pods 4 per 15 s of the 3 pods
    expect(step(540)).toMatchObject({ observed: 3, decision: { current: 3, utilization: 133, proposal: 7, desired: 7 } });
    // 420 s: Ready, but its sample began before → still unready for CPU → 5
    expect(step(420).decision).toMatchObject({ proposal: 5 });
  });

  it('a workload Prometheus has no series for is one line naming the query and the fix, exit 2', async () => {
    const out = join(dir, 'none.csv');
    const r = await runCli(importArgs('nope', out));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^peakready: Prometheus at http:\/\/127\.0\.0\.1:21790 has no series for pods catalog-… in namespace nope .*\(query: .*\); is kube-state-metrics scraped/);
    expect(existsSync(out)).toBe(false);
  });
});
