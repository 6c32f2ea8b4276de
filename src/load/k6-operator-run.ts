import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onShutdown } from '../lifecycle/shutdown.js';
import type { RunDirectory } from '../run/run-dir.js';
import type { K6OperatorApi} from './k6-operator-api.js';
import { type TestRunStatus } from './k6-operator-api.js';
import { renderTestRun, resourceName, type RenderedTestRun } from './k8s-testrun.js';

/**
 * A load run by the k6-operator in a cluster, from start to clean-up: check that the API answers
 * and serves TestRuns (before anything is created), create the script's ConfigMap and the TestRun,
 * follow `status.stage` (initialization, initialized, created, started, stopped, finished, error)
 * until `finished`, `error` or a deadline, then delete both — on every path, Ctrl-C and SIGTERM
 * included (a shutdown hook). Each creation and deletion is a `k8s-object` event in the run's
 * timeline, so the clean-up check sees what was left.
 *
 * What it cannot give: the operator hands no summary, thresholds or request records back from its
 * runners, so none of those exist for a load run this way.
 */

/** The game-day file's `load.k6Operator`. */
export interface K6OperatorSettings {
  parallelism: number;
  namespace?: string | undefined;
  kubeconfig?: string | undefined;
  context?: string | undefined;
  runnerImage?: string | undefined;
  separate?: boolean | undefined;
}

/** The ConfigMap and TestRun for one run: named after the script plus 5 random characters, so two runs never collide. */
export async function renderForOperator(script: string, env: Record<string, string>, settings: K6OperatorSettings, namespace: string): Promise<RenderedTestRun> {
  const name = `${resourceName(basename(script)).slice(0, 40)}-${randomBytes(4).readUInt32BE(0).toString(36).padStart(5, '0').slice(-5)}`;
  return renderTestRun({
    script,
    parallelism: settings.parallelism,
    namespace,
    name,
    env,
    separate: settings.separate ?? false,
    ...(settings.runnerImage ? { runnerImage: settings.runnerImage } : {}),
  });
}

export interface OperatorRunOptions {
  api: K6OperatorApi;
  rendered: RenderedTestRun;
  /** how long the script runs; the deadline is this plus `marginMs` after the TestRun is created */
  durationMs: number;
  /** default 5 min: scheduling the pods and pulling the images come before the script's time */
  marginMs?: number;
  /** how often the TestRun's status is read (default 2 s) */
  pollMs?: number;
  runDir?: RunDirectory;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** after each read: the stage, and ms since the runners were seen started (0 before) */
  onTick?: (tick: { stage: string; elapsedMs: number }) => void;
}

export type OperatorOutcome = 'finished' | 'error' | 'deadline' | 'aborted' | 'vanished';

export interface OperatorRunResult {
  name: string;
  namespace: string;
  server: string;
  outcome: OperatorOutcome;
  /** why it did not finish */
  reason?: string;
  /** each stage as first seen, epoch ms */
  stages: Array<{ stage: string; t: number }>;
  /** objects that could not be deleted (none, normally) */
  leftovers: ClusterObject[];
}

export interface ClusterObject {
  kind: 'ConfigMap' | 'TestRun';
  name: string;
  namespace: string;
}

export const DEFAULT_MARGIN_MS = 5 * 60_000;

export async function runOnOperator(o: OperatorRunOptions): Promise<OperatorRunResult> {
  const { api, rendered } = o;
  const log = o.log ?? (() => undefined);
  await api.check();
  const ledger = new ObjectLedger(api, o.runDir, log);
  let cleaning: Promise<ClusterObject[]> | undefined;
  const cleanup = () => (cleaning ??= ledger.deleteAll());
  // Ctrl-C / SIGTERM: stop following, delete what was created
  const interrupted = new AbortController();
  const unregister = onShutdown(`k6-operator TestRun ${api.namespace}/${rendered.name}`, async () => {
    interrupted.abort();
    await cleanup();
  });
  const signal = o.signal ? AbortSignal.any([o.signal, interrupted.signal]) : interrupted.signal;
  const base = { name: rendered.name, namespace: api.namespace, server: api.server };
  try {
    const configMapName = (rendered.configMap.metadata as { name: string }).name;
    await ledger.create({ kind: 'ConfigMap', name: configMapName, namespace: api.namespace }, () => api.createConfigMap(rendered.configMap));
    await ledger.create({ kind: 'TestRun', name: rendered.name, namespace: api.namespace }, () => api.createTestRun(rendered.testRun));
    log(`peakready: created TestRun ${api.namespace}/${rendered.name} (parallelism ${(rendered.testRun.spec as { parallelism: number }).parallelism}) and its ConfigMap on ${api.server}`);
    const followed = await new StageFollower({ ...o, signal }, log).follow();
    return { ...base, ...followed, leftovers: await cleanup() };
  } finally {
    await cleanup();
    unregister();
  }
}

/** What this run created, so that exactly that is deleted, newest first, and the timeline says so. */
class ObjectLedger {
  private readonly created: ClusterObject[] = [];

  constructor(
    private readonly api: K6OperatorApi,
    private readonly runDir: RunDirectory | undefined,
    private readonly log: (line: string) => void,
  ) {}

  async create(object: ClusterObject, call: () => Promise<void>): Promise<void> {
    await call();
    this.created.push(object);
    this.record(object, 'created');
  }

  /** Deletes everything created (the TestRun before its ConfigMap); returns what could not be deleted. */
  async deleteAll(): Promise<ClusterObject[]> {
    const left: ClusterObject[] = [];
    for (const object of [...this.created].reverse()) {
      try {
        const result = object.kind === 'TestRun' ? await this.api.deleteTestRun(object.name) : await this.api.deleteConfigMap(object.name);
        this.record(object, 'deleted', result === 'absent' ? 'already gone' : undefined);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        left.push(object);
        this.record(object, 'delete-failed', message);
        this.log(`peakready: could not delete ${object.kind} ${object.namespace}/${object.name}: ${message}; delete it with: kubectl -n ${object.namespace} delete ${object.kind.toLowerCase()} ${object.name}`);
      }
    }
    if (this.created.length && !left.length) this.log(`peakready: deleted ${this.created.map((o) => `${o.kind} ${o.name}`).join(' and ')}`);
    this.created.length = 0;
    return left;
  }

  private record(object: ClusterObject, action: 'created' | 'deleted' | 'delete-failed', detail?: string): void {
    this.runDir?.appendTimeline({ t: Date.now(), type: 'k8s-object', action, ...object, server: this.api.server, ...(detail ? { detail } : {}) });
  }
}

/** Reads the TestRun's stage until it ends, fails, vanishes, the deadline passes or the run is aborted. */
class StageFollower {
  private readonly stages: Array<{ stage: string; t: number }> = [];
  private startedAt: number | undefined;
  private lastLine = Date.now();

  constructor(
    private readonly o: OperatorRunOptions,
    private readonly log: (line: string) => void,
  ) {}

  async follow(): Promise<{ outcome: OperatorOutcome; reason?: string; stages: Array<{ stage: string; t: number }> }> {
    const { o } = this;
    const deadline = Date.now() + o.durationMs + (o.marginMs ?? DEFAULT_MARGIN_MS);
    let failures = 0;
    while (!o.signal?.aborted) {
      if (Date.now() > deadline) return this.end('deadline', `the TestRun did not finish within the script's ${secs(o.durationMs)} + ${secs(o.marginMs ?? DEFAULT_MARGIN_MS)} margin (last stage: ${this.stages.at(-1)?.stage ?? 'none'})`);
      let status: TestRunStatus | undefined;
      try {
        status = await o.api.status(o.rendered.name);
        failures = 0;
      } catch (error) {
        // a dropped connection now and then is not the end of the load; five in a row is
        if (++failures >= 5) throw error;
        await this.pause();
        continue;
      }
      if (!status) return this.end('vanished', 'the TestRun was deleted while it ran (not by this run)');
      const stage = this.observe(status);
      if (stage === 'finished') return this.end('finished');
      if (stage === 'error') return this.end('error', errorReason(status, this.o));
      await this.pause();
    }
    return this.end('aborted', 'interrupted');
  }

  private observe(status: TestRunStatus): string {
    const stage = status.stage ?? 'pending';
    const now = Date.now();
    const first = this.stages[0]?.t ?? now;
    if (stage !== this.stages.at(-1)?.stage) {
      this.stages.push({ stage, t: now });
      if (stage === 'started') this.startedAt = now;
      this.log(`peakready: TestRun ${this.o.rendered.name}: ${stage} (${secs(now - first)} after creation)`);
      this.lastLine = now;
    } else if (now - this.lastLine >= 30_000) {
      this.log(`peakready: TestRun ${this.o.rendered.name}: still ${stage}${this.startedAt ? `, ${secs(now - this.startedAt)} of the script's ${secs(this.o.durationMs)}` : ''}`);
      this.lastLine = now;
    }
    this.o.onTick?.({ stage, elapsedMs: this.startedAt ? now - this.startedAt : 0 });
    return stage;
  }

  private async pause(): Promise<void> {
    await sleep(this.o.pollMs ?? 2000, undefined, this.o.signal ? { signal: this.o.signal } : {}).catch(() => undefined);
  }

  private end(outcome: OperatorOutcome, reason?: string) {
    return { outcome, ...(reason ? { reason } : {}), stages: this.stages };
  }
}

/** The operator writes no reason with `error`; its conditions are the only words it gives, and the runners' logs the rest. */
function errorReason(status: TestRunStatus, o: OperatorRunOptions): string {
  const said = (status.conditions ?? []).filter((c) => c.message).map((c) => `${c.type}: ${c.message}`);
  const logs = `its runners' logs go with it; to read them, apply the same TestRun by hand (peakready k8s load) and run kubectl -n ${o.api.namespace} logs -l k6_cr=NAME`;
  return `the k6-operator put TestRun ${o.api.namespace}/${o.rendered.name} in stage error${said.length ? ` (${said.join('; ')})` : ''}; ${logs}`;
}

function secs(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 120 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}
