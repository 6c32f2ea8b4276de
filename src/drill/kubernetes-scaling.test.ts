import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError, UsageError } from '../errors.js';
import { shipped } from '../paths.js';
import { readRunData } from '../run/run-data.js';
import { RunDirectory } from '../run/run-dir.js';
import { checkScaleOut } from '../verify/scale-out.js';
import { startFakeKubeApi, type FakeKubeApi } from '../../test/support/fake-kube-api.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { describePlan, formatReach, reachEndpoints } from './dry-run.js';
import { scaleOutPeriods } from './game-day.js';
import { planDrill, type DrillPlan } from './plan.js';
import { DrillRig } from './rig.js';

/**
 * observe.scaling.kubernetes end to end against recorded Kubernetes API responses
 * (test/fixtures/scaling/k8s/, served by test/support/fake-kube-api.ts): the dry run knocks on
 * the API, the rig watches it into the run's timeline before the load, and the scale-out check
 * judges what it recorded.
 */

let api: FakeKubeApi;
let dir: string;

beforeAll(async () => {
  dir = tempDir('peakready-drill-k8s-');
  api = await startFakeKubeApi(dir);
});
afterAll(() => api.close());

function gameDay(kubernetes: string): string {
  const file = join(dir, `gameday-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    `name: a cluster we watch through its API
system: { target: http://127.0.0.1:9 }
load: { script: ${shipped('scenarios/black-friday.js')}, timeScale: 0.05 }
observe:
  scaling:
    kubernetes: ${kubernetes}
`,
  );
  return file;
}

async function plan(kubernetes: string): Promise<DrillPlan> {
  const planned = await planDrill({ gameDayFile: gameDay(kubernetes) });
  return { ...planned, receiverPort: 0 };
}

/**
 * Starts the rig on `story`, waits until the timeline holds `decisions` scale decisions and
 * `replicas` replica counts (the HPA and Deployment watches are separate streams, so one may
 * still be replaying when the other is done), tears down; the run and the log.
 */
async function watched(p: DrillPlan, story: string, decisions: number, replicas = 0): Promise<{ run: RunDirectory; log: string[] }> {
  api.reset(story);
  const run = RunDirectory.create('drill', dir);
  run.appendTimeline({ t: Date.now(), type: 'run', state: 'start', command: 'drill' });
  const log: string[] = [];
  const rig = new DrillRig(p, run, (line) => log.push(line));
  try {
    await rig.start(new AbortController().signal);
    const until = Date.now() + 5000;
    const count = (type: string) => run.timeline().filter((e) => e.type === type).length;
    while ((count('scale-decision') < decisions || count('replicas') < replicas) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await rig.tearDown();
  }
  return { run, log };
}

describe('scale-out evidence from the Kubernetes API (observe.scaling.kubernetes)', () => {
  it('dry run: says what the scale-out check will read, and lists the HPAs through the API', async () => {
    api.reset();
    const p = await plan(`{ kubeconfig: ${api.kubeconfig}, context: recorded, workloads: [catalog, checkout] }`);
    expect(p.scalingFromKubernetes).toEqual({ kubeconfig: api.kubeconfig, context: 'recorded', server: api.url, namespace: 'shop', workloads: ['catalog', 'checkout'] });
    expect(describePlan(p).join('\n')).toMatch(
      new RegExp(`scale-out\\s+HPA decisions and Deployment replicas of catalog, checkout in namespace shop, watched through the Kubernetes API of context "recorded" \\(${api.url}\\) during the load`),
    );
    const k8s = (await reachEndpoints(p)).find((r) => r.what === 'Kubernetes API')!;
    expect(formatReach(k8s)).toBe(`  ok   Kubernetes API ${api.url} — 1 HPAs read in namespace shop (catalog → Deployment catalog, 3-50 replicas, cpu 60%); no HPA scales checkout`);
  });

  it('dry run: an unreachable API is one line naming the context, the server and the fix; a missing context fails the plan', async () => {
    const p = await plan(`{ kubeconfig: ${api.kubeconfig}, namespace: shop }`);
    expect(p.scalingFromKubernetes).toMatchObject({ context: 'other', server: 'http://127.0.0.1:1' });
    const line = formatReach((await reachEndpoints(p)).find((r) => r.what === 'Kubernetes API')!);
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^ {2}FAIL Kubernetes API http:\/\/127\.0\.0\.1:1 — context "other": cannot list HorizontalPodAutoscalers in namespace shop: .*ECONNREFUSED.*; check that `kubectl --kubeconfig \S+ --context other -n shop get hpa,deployments` works from this machine, or correct observe.scaling.kubernetes$/);
    const missing = plan(`{ kubeconfig: ${api.kubeconfig}, context: prod }`);
    await expect(missing).rejects.toThrow(UsageError);
    await expect(missing).rejects.toThrow(/gameday-\w+\.yaml observe\.scaling\.kubernetes\.context: no context "prod" in the kubeconfig \(contexts: other, recorded\)/);
  });

  it('a scale-out that happened: the watcher writes it into the run before the load, and the scale-out check passes it', async () => {
    const p = await plan(`{ kubeconfig: ${api.kubeconfig}, context: recorded, workloads: [catalog] }`);
    const { run, log } = await watched(p, '', 4, 5);
    const timeline = run.timeline();
    expect(timeline.filter((e) => e.type === 'scale-decision').map((e) => (e.type === 'scale-decision' ? [e.current, e.desired] : []))).toEqual([
      [3, 3],
      [3, 6],
      [6, 9],
      [9, 9],
    ]);
    expect(timeline.filter((e) => e.type === 'replicas').length).toBeGreaterThanOrEqual(5);
    expect(log).toContain(`peakready: watching HPAs and Deployments of catalog in namespace shop through the Kubernetes API at ${api.url} (context recorded)`);
    // torn down: no watch left open on the API server
    await new Promise((r) => setTimeout(r, 50));
    expect(api.openWatches()).toBe(0);

    // what the drill writes into config.json for the check: Kubernetes' own periods
    expect(scaleOutPeriods(p)).toEqual({ syncPeriodMs: 15_000, scaleDownStabilizationMs: 300_000 });
    run.writeJson('config', { command: 'drill', ...scaleOutPeriods(p) });
    const result = checkScaleOut(readRunData(run), p.budgets);
    expect(result.status, JSON.stringify(result)).toBe('pass');
    expect(result.figure).toBe('scaled out at the first sync above target; peak catalog 9');
    expect(result.details.find((d) => d.name === 'catalog reaction')).toMatchObject({ status: 'pass' });
  });

  it('a scale-out that did not happen (the HPA cannot update the scale): the check fails its reaction; unnamed workloads are left out', async () => {
    const p = await plan(`{ kubeconfig: ${api.kubeconfig}, context: recorded, workloads: [checkout] }`);
    const { run } = await watched(p, 'stuck', 3);
    const services = new Set(run.timeline().flatMap((e) => (e.type === 'scale-decision' || e.type === 'replicas' ? [e.service] : [])));
    expect(services).toEqual(new Set(['checkout']));

    run.writeJson('config', { command: 'drill', ...scaleOutPeriods(p) });
    const result = checkScaleOut(readRunData(run), p.budgets);
    expect(result.status, JSON.stringify(result)).toBe('fail');
    const reaction = result.details.find((d) => d.name === 'checkout reaction')!;
    expect(reaction).toMatchObject({ status: 'fail', figure: 'never', limit: '<= 60.0s' });
    expect(reaction.note).toMatch(/utilisation 150% above target 60%.*no decision to add replicas afterwards/);
  });

  it('a watcher that cannot start fails the drill before anything else starts, in one line naming the context, the server and the fix', async () => {
    const p = await plan(`{ kubeconfig: ${api.kubeconfig}, context: other, namespace: shop }`);
    const run = RunDirectory.create('drill', dir);
    const rig = new DrillRig(p, run, () => undefined);
    const failure = (await rig.start(new AbortController().signal).then(
      () => new Error('started'),
      (e: unknown) => e,
    )) as Error;
    await rig.tearDown();
    expect(failure).toBeInstanceOf(EnvironmentError);
    expect(failure.message).not.toContain('\n');
    expect(failure.message).toMatch(
      /^observe\.scaling\.kubernetes, context "other": Kubernetes API http:\/\/127\.0\.0\.1:1: cannot list \w+ in namespace shop: .*ECONNREFUSED.*; check that `kubectl --kubeconfig \S+ --context other -n shop get hpa,deployments` works/,
    );
    // nothing else was started: no OTLP receiver wrote into the run
    expect(run.timeline()).toEqual([]);
  });
});
