import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/support/cli.js';
import { loadHpaFile } from './hpa-manifest.js';
import { parseMetricSeries } from './metric-series.js';
import { simulate, type SimulationStep } from './simulate.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const catalogManifest = join(root, 'reference-stack/k8s/catalog.yaml');
const series = join(root, 'test/fixtures/scaling/simulate/black-friday-cpu.csv');
const dir = mkdtempSync(join(tmpdir(), 'peakready-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => runCli(args, { ...process.env, PEAKREADY_HOME: dir });

describe('peakready scale simulate', () => {
  it('replays a surge through the rendered catalog HPA: table, chart and summary', async () => {
    const r = await cli(['scale', 'simulate', '--hpa', catalogManifest, '--metrics', series, '--tail', '6m', '--pod-startup', '30s']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^2m\s+150%\/60%\s+3\s+8\s+7\s+policy:Pods/m);
    expect(r.stdout).toMatch(/policy:Percent\s+scale-up rate limited by Percent 100% per 15s to 14/);
    expect(r.stdout).toContain('replicas over time:');
    expect(r.stdout).toContain('max 50');
    expect(r.stdout).toMatch(/replicas 3 → peak 40 \(max 50\) → 3/);
  });

  it('prints every decision as JSON', async () => {
    const r = await cli(['scale', 'simulate', '--hpa', catalogManifest, '--metrics', series, '--json', '--sync-period', '30s']);
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.stdout) as { steps: SimulationStep[] };
    expect(parsed.steps).toHaveLength(25);
    expect(parsed.steps.every((s, i) => s.decision.t === i * 30_000)).toBe(true);
  });

  it('names the file, the line and the field of a bad HPA in a multi-document file', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Service',
        'metadata: { name: catalog }',
        '---',
        'apiVersion: autoscaling/v2',
        'kind: HorizontalPodAutoscaler',
        'metadata: { name: catalog }',
        'spec:',
        '  scaleTargetRef: { kind: Deployment, name: catalog }',
        '  maxReplicas: 5',
        '  behavior:',
        '    scaleUp:',
        '      policies:',
        '        - type: Pod',
        '          value: 4',
        '          periodSeconds: 15',
        '',
      ].join('\n'),
    );
    const r = await cli(['scale', 'simulate', '--hpa', file, '--metrics', series]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:14 spec\.behavior\.scaleUp\.policies\[0\]\.type: /);
  });

  it('replays a peakready run\'s CPU samples of the HPA\'s target through the manifest', async () => {
    const run = join(dir, 'runs', 'drill-1');
    mkdirSync(run, { recursive: true });
    const lines: string[] = [];
    // catalog: 1 replica at 300 % of 200m, then 5 replicas at 60 %; search samples are ignored
    for (let i = 0; i < 4; i++) {
      const t = 1_700_000_000_000 + i * 1000;
      const replicas = i < 2 ? 1 : 5;
      for (let r = 0; r < replicas; r++) {
        lines.push(JSON.stringify({ t, source: 'cpu', service: 'catalog', replica: `catalog-${r + 1}`, pid: 1, cpuSeconds: 0, utilization: i < 2 ? 300 : 60, requestMillicores: 200 }));
      }
      lines.push(JSON.stringify({ t, source: 'cpu', service: 'search', replica: 'search-1', pid: 2, cpuSeconds: 0, utilization: 5, requestMillicores: 200 }));
    }
    writeFileSync(join(run, 'metrics.ndjson'), lines.join('\n') + '\n');
    const r = await cli(['scale', 'simulate', '--hpa', catalogManifest, '--metrics', run, '--sync-period', '1s', '--json']);
    expect(r.stderr).toBe('');
    const parsed = JSON.parse(r.stdout) as { steps: SimulationStep[] };
    // 600m of work at a 60 % target of 200m → 5 replicas (min 3 in the manifest)
    expect(parsed.steps.map((x) => x.replicas)).toEqual([5, 5, 5, 5]);
    const wrong = await cli(['scale', 'simulate', '--hpa', catalogManifest, '--metrics', run, '--service', 'cart']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('no cpu samples of service "cart" (services with samples: catalog, search)');
  });

  it('rejects an unknown metric column with a suggestion', async () => {
    const file = join(dir, 'typo.csv');
    writeFileSync(file, 'time,cpu_totl\n0,100m\n');
    const r = await cli(['scale', 'simulate', '--hpa', catalogManifest, '--metrics', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('typo.csv:2 row 1.cpu_totl: unknown column for HPA catalog; did you mean "cpu_total"?');
  });
});

/** An HPA on CPU at 50 % of a 1000m request, with the given stabilization windows (seconds). */
function hpaFile(name: string, up: number, down: number): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      'apiVersion: autoscaling/v2',
      'kind: HorizontalPodAutoscaler',
      'metadata: { name: web }',
      'spec:',
      '  scaleTargetRef: { kind: Deployment, name: web }',
      '  minReplicas: 1',
      '  maxReplicas: 10',
      '  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } }]',
      `  behavior: { scaleUp: { stabilizationWindowSeconds: ${up} }, scaleDown: { stabilizationWindowSeconds: ${down} } }`,
      '',
    ].join('\n'),
  );
  return file;
}

describe('peakready scale simulate: Kubernetes rules a user sees', () => {
  it('stabilization holds the count between both windows (the two examples of issue 18)', async () => {
    const series = (name: string, percents: number[]) => {
      const file = join(dir, name);
      writeFileSync(file, ['time,cpu', ...percents.map((p, i) => `${i * 15},${p}`)].join('\n') + '\n');
      return file;
    };
    const decisions = async (hpa: string, metrics: string) => {
      const r = await cli(['scale', 'simulate', '--hpa', hpa, '--metrics', metrics, '--initial-replicas', '2', '--json']);
      expect(r.stderr).toBe('');
      return (JSON.parse(r.stdout) as { steps: SimulationStep[] }).steps.map((x) => [x.decision.proposal, x.decision.desired]);
    };
    // up 300 s, down 60 s, 50 → 20 → 75 %: the proposal of 3 lies below the highest of 60 s (3) and
    // above the lowest of 300 s (1): Kubernetes stays at 2 (a single window scaled down to 1)
    expect(await decisions(hpaFile('up300.yaml', 300, 60), series('a.csv', [50, 20, 75]))).toEqual([
      [2, 2],
      [1, 2],
      [3, 2],
    ]);
    // windows swapped, 50 → 75 → 20 %: stays at 2 again (a single window scaled up to 3)
    expect(await decisions(hpaFile('up60.yaml', 60, 300), series('b.csv', [50, 75, 20]))).toEqual([
      [2, 2],
      [3, 2],
      [1, 2],
    ]);
  });

  it('replays a per-pod file as the cluster saw it: a pod without a metric holds back a scale-down', async () => {
    const file = join(dir, 'pods.csv');
    writeFileSync(file, 'time,pod,metric,value,ready,phase,request\n0,web-a,cpu,100m,true,Running,1\n0,web-b,cpu,100m,true,Running,1\n0,web-c,cpu,100m,true,Running,1\n0,web-d,cpu,,false,Running,1\n');
    const hpa = hpaFile('now.yaml', 0, 0);
    const r = await cli(['scale', 'simulate', '--hpa', hpa, '--metrics', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // (300 + 1000) / 4000 = 32 % → ceil(0.64 × 4) = 3: the silent pod counts at its request
    expect(r.stdout).toMatch(/^0s\s+10%\/50%\s+4\s+3\s+3\s+none/m);
    expect(r.stdout).toContain('replicas the HPA asks for:');
    expect(r.stdout).toMatch(/1 syncs over 0s of the file's pods \(4 → peak 4 → 4\); it asks for 3 → peak 3 → 3/);
    const json = JSON.parse((await cli(['scale', 'simulate', '--hpa', hpa, '--metrics', file, '--json'])).stdout) as { steps: SimulationStep[] };
    expect(json.steps.map((x) => [x.observed, x.decision.desired])).toEqual([[4, 3]]);
    const refused = await cli(['scale', 'simulate', '--hpa', hpa, '--metrics', file, '--initial-replicas', '3']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--initial-replicas: a per-pod file starts with the pods of its first time');
  });

  it("takes the controller's CPU initialization period and readiness delay as flags", async () => {
    // web-a..c busy at 100 % since long ago; web-d started 20 s before the file, Ready from 15 s
    const file = join(dir, 'starting.csv');
    const busy = [0, 15, 30].flatMap((t) => ['a', 'b', 'c'].map((p) => `${t},web-${p},cpu,1,true,,1`));
    writeFileSync(file, ['time,pod,metric,value,ready,start,request', ...busy, '0,web-d,cpu,1,false,-20,1', '15,web-d,cpu,1,true,-20,1', '30,web-d,cpu,1,true,-20,1'].join('\n') + '\n');
    const desired = async (...flags: string[]) => {
      const r = await cli(['scale', 'simulate', '--hpa', hpaFile('init.yaml', 0, 0), '--metrics', file, '--json', ...flags]);
      expect(r.stderr).toBe('');
      return (JSON.parse(r.stdout) as { steps: SimulationStep[] }).steps.map((x) => x.decision.desired);
    };
    // unready → (300 + 0) / 4 = 75 % → 6; counted → 200 % → 8. Within the 5 min period its CPU counts
    // once a whole 15 s sample follows its readiness (30 s); without the period, as soon as it is Ready
    expect(await desired()).toEqual([6, 6, 8]);
    expect(await desired('--cpu-initialization-period', '0s')).toEqual([6, 8, 8]);
    expect(await desired('--metric-window', '30s')).toEqual([6, 6, 6]);
  });

  it('a bad per-pod file is one line per problem naming line and field, exit 2, no stack', async () => {
    const file = join(dir, 'bad-pods.csv');
    writeFileSync(file, 'time,pod,metric,value,ready,phase\n0,web-a,cpu,150m,true,Runing\n0,web-b,cpu,lots,true,Running\n');
    const r = await cli(['scale', 'simulate', '--hpa', hpaFile('bad.yaml', 0, 300), '--metrics', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('bad-pods.csv:2 row 1.phase: "Runing" is not a pod phase; did you mean "Running"?');
    expect(r.stderr).toContain('bad-pods.csv:3 row 2.value: "lots" is not a quantity');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('simulation (pure)', () => {
  const hpa = loadHpaFile(catalogManifest).spec;

  it('reads JSON series with ISO timestamps, durations and quantities, and reports every bad cell at once', () => {
    const json = JSON.stringify({ samples: [{ time: '2026-11-27T08:00:30Z', cpu_total: '1.5' }, { time: '2026-11-27T08:00:00Z', cpu: 40 }] });
    const parsed = parseMetricSeries(json, 'bf.json', hpa);
    expect(parsed.points).toEqual([
      { t: 0, values: { cpu: { kind: 'average', value: 40 } } },
      { t: 30_000, values: { cpu: { kind: 'total', value: 1500 } } },
    ]);
    expect(parseMetricSeries('time,cpu\n1m30s,50\n', 'x.csv', hpa).points[0]!.t).toBe(0);
    expect(() => parseMetricSeries('time,cpu\nsoon,50\n2,lots\n', 'bad.csv', hpa)).toThrow(
      /bad\.csv:2 row 1\.time: needs a time[\s\S]*bad\.csv:3 row 2\.cpu: "lots" is not a percent/,
    );
  });

  it('turns averages measured on a known replica count into load shared by the simulated replicas', () => {
    // 2 pods at 120 % of 200m = 480m of work; at a 60 % target that is 4 pods, and then it holds
    const s = parseMetricSeries('time,cpu,replicas\n0,120,2\n', 'r.csv', hpa);
    const steps = simulate(hpa, s, { syncPeriodMs: 15_000, initialReplicas: 3, requestMilli: { cpu: 200 }, podStartupMs: 0, tailMs: 60_000 });
    expect(steps.map((x) => x.replicas)).toEqual([4, 4, 4, 4, 4]);
    // the same averages replayed as-is keep asking for more
    const asIs = simulate(hpa, parseMetricSeries('time,cpu\n0,120\n', 'a.csv', hpa), { syncPeriodMs: 15_000, initialReplicas: 3, requestMilli: { cpu: 200 }, podStartupMs: 0, tailMs: 30_000 });
    expect(asIs.map((x) => x.replicas)).toEqual([6, 12, 24]);
  });

  it('picks an HPA by name in a file holding several, and refuses to guess', () => {
    const two = ['apiVersion: autoscaling/v2', 'kind: HorizontalPodAutoscaler', 'metadata: { name: a }', 'spec: { scaleTargetRef: { kind: Deployment, name: a }, maxReplicas: 3 }'].join('\n');
    const text = `${two}\n---\n${two.replace(/\ba\b/g, 'b')}\n`;
    const file = join(dir, 'two.yaml');
    writeFileSync(file, text);
    expect(loadHpaFile(file, 'b').spec).toMatchObject({ name: 'b', minReplicas: 1, maxReplicas: 3, metrics: [{ name: 'cpu', type: 'Utilization', averageUtilization: 80 }] });
    expect(() => loadHpaFile(file)).toThrow(/2 HorizontalPodAutoscalers \(a, b\); pick one with --name/);
    expect(() => loadHpaFile(file, 'c')).toThrow(/no HorizontalPodAutoscaler named "c" \(found: a, b\)/);
  });
  it('takes the pod request from the Deployment in the same file', () => {
    expect(loadHpaFile(catalogManifest).podCpuRequestMilli).toBe(200);
  });

  it('keeps the scale-down behind the 300 s stabilization window after the load drops', () => {
    const s = parseMetricSeries('time,cpu\n0,200\n1m,200\n2m,10\n', 'inline.csv', hpa);
    const steps = simulate(hpa, s, { syncPeriodMs: 15_000, initialReplicas: 3, requestMilli: { cpu: 200 }, podStartupMs: 0, tailMs: 600_000 });
    const afterDrop = steps.filter((x) => x.decision.t >= 120_000);
    const firstDown = afterDrop.find((x) => x.decision.desired < x.decision.current)!;
    // the last high recommendation was at 1m45s: it leaves the window 300 s later
    expect(firstDown.decision.t).toBe(105_000 + 300_000);
  });
});
