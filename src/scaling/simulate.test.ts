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
