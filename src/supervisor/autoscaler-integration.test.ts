import { PassThrough } from 'node:stream';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestRecord, TimelineEvent } from '../run/records.js';
import { RunDirectory } from '../run/run-dir.js';
import { servicePort, type StackDefinition } from '../stack/definition.js';
import { fixtureStack } from '../../test/support/fixture-stack.js';
import { fixtureEntry } from '../../test/support/fixtures.js';
import { startStack, type RunningStack } from './supervisor.js';
import { privateStateDir, TEST_DATABASE_URL } from '../../test/support/stack.js';
import { createCpuLimiter } from '../scaling/cpu-limits.js';
import { startLocalAutoscaler, type LocalScaleDecision } from '../scaling/local-autoscaler.js';
import { watchReplicas } from '../scaling/replica-watch.js';
import { analyzeRunScaleOut } from '../scaling/scale-out-analysis.js';

const BASE = 23_900;
const SYNC_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fixture stack with catalog played by a CPU-bound service, 1..4 replicas. */
function cpuStack(): StackDefinition {
  const def = fixtureStack(BASE);
  return {
    ...def,
    services: def.services.map((s) =>
      s.name === 'catalog' ? { ...s, entry: fixtureEntry('scaling/cpu-service'), local: { replicas: 1, minReplicas: 1, maxReplicas: 4 } } : s,
    ),
  };
}

/** Bounded open-loop load: `rps` requests per second of `ms` CPU each, for `durationMs`. */
async function drive(pool: Pool, rps: number, ms: number, durationMs: number, out: RequestRecord[]): Promise<void> {
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; Date.now() - started < durationMs; i++) {
    const due = started + (i * 1000) / rps;
    if (due > Date.now()) await sleep(due - Date.now());
    if (inFlight.size >= 32) continue; // bounded: drop what cannot be sent (it shows as lower throughput)
    const t = Date.now();
    const p = pool
      .request({ path: `/work?ms=${ms}`, method: 'GET' })
      .then(async (res) => {
        await res.body.dump();
        out.push({ t, scenario: 'surge', name: 'GET /work', method: 'GET', status: res.statusCode, duration: Date.now() - t, failed: res.statusCode >= 400 });
      })
      .catch(() => void out.push({ t, scenario: 'surge', name: 'GET /work', method: 'GET', status: 0, duration: Date.now() - t, failed: true }))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}

describe('local autoscaler with the real supervisor', () => {
  let stack: RunningStack;
  let run: RunDirectory;
  const limiter = createCpuLimiter(cpuStack());

  beforeAll(async () => {
    const home = privateStateDir();
    run = RunDirectory.create('scaling-integration', home);
    stack = await startStack({ definition: cpuStack(), basePort: BASE, databaseUrl: TEST_DATABASE_URL, faultProxy: false, runDir: run, onReplicaSpawned: limiter.onReplicaSpawned });
  });
  afterAll(async () => {
    await stack?.stop();
    limiter.release();
  });

  it('scales a CPU-bound service out under load and back in, through the supervisor, with a verdict', async () => {
    const decisions: LocalScaleDecision[] = [];
    const autoscaler = startLocalAutoscaler({
      controller: stack,
      definition: stack.definition,
      runDir: run,
      services: ['catalog'],
      syncPeriodMs: SYNC_MS,
      timeScale: 0.01,
      onDecision: (d) => decisions.push(d),
      setStatus: (service, status) => stack.setAutoscalerStatus(service, status),
    });
    const requests: RequestRecord[] = [];
    const pool = new Pool(`http://127.0.0.1:${servicePort(stack.definition, 'catalog')}`, { connections: 32 });
    const surgeAt = Date.now();
    try {
      await drive(pool, 100, 6, 7000, requests);
      const peak = Math.max(...decisions.map((d) => d.desired));
      expect(peak).toBeGreaterThanOrEqual(2);
      // `scale watch` sees the same through the supervisor's stack.json and the run's timeline
      const out = new PassThrough();
      let watched = '';
      out.on('data', (c: Buffer) => (watched += c.toString()));
      await watchReplicas({ intervalMs: 100, maxRefreshes: 1, out });
      const line = /catalog current=(\d+) ready=\d+ desired=(\d+) cpu=\d+% limitedBy=\S+/.exec(watched);
      expect(line).not.toBeNull();
      expect(Number(line![1])).toBeGreaterThanOrEqual(2);
      // back in once the 3 s (scaled) stabilization window has passed with no load
      const until = Date.now() + 10_000;
      while (stack.replicas('catalog').filter((r) => r.state === 'ready' || r.state === 'starting').length > 1 && Date.now() < until) await sleep(100);
      expect(stack.replicas('catalog').filter((r) => r.state === 'ready')).toHaveLength(1);
    } finally {
      await autoscaler.stop();
      await pool.close();
    }
    run.appendRequests(requests);
    const firstUp = decisions.find((d) => d.t >= surgeAt && d.desired > d.current)!;
    // by the fourth sync; a sync's timer may fire a few ms late on a busy machine (2,005 ms was seen)
    expect(Math.round((firstUp.t - surgeAt) / SYNC_MS)).toBeLessThanOrEqual(4);
    const timeline = run.timeline();
    // the supervisor recorded the replicas it started and stopped for the autoscaler
    expect(timeline.some((e: TimelineEvent) => e.type === 'replica' && e.service === 'catalog' && e.replica === 'catalog-2' && e.state === 'ready')).toBe(true);
    expect(limiter.failures).toEqual([]);

    const verdict = analyzeRunScaleOut(run, {
      limits: { maxReactionMs: 4 * SYNC_MS, flapWindowMs: 2 * SYNC_MS },
      syncPeriodMs: SYNC_MS,
      scaleDownStabilizationMs: 3000,
      capacityShowable: limiter.support,
    });
    const reaction = verdict.items.find((i) => i.id === 'reaction' && i.service === 'catalog')!;
    expect(reaction.status).toBe('pass');
    expect(verdict.items.find((i) => i.id === 'stabilization')!.status).toBe('pass');
    const capacity = verdict.items.find((i) => i.id === 'capacity')!;
    expect(capacity.evidence.join('\n')).toMatch(/catalog CPU: \d+(\.\d)?m before → \d+(\.\d)?m after/);
    console.log(`scale-out verdict: controller ${verdict.controllerDecidedRight.status}, capacity ${verdict.capacityGrew.status}\n  ${capacity.evidence.join('\n  ')}`);
  });
});
