import { cpSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadBudgets } from './budgets/load.js';
import { type DrillProfile } from './drill/profiles.js';
import { formatDrillStatus, type DrillStatus } from './drill/progress.js';
import { readIntegritySnapshot, takeCleanupSnapshot } from './drill/snapshots.js';
import { ExitCode } from './exit-codes.js';
import { clearOwnedFaults, inspectFaults, loadExperiment, runExperiment } from './faults/experiments/index.js';
import { reapStaleChildren } from './lifecycle/children.js';
import { onShutdown } from './lifecycle/shutdown.js';
import { inspectScript, runLoadTest, type LoadProgress } from './load/run.js';
import { shipped } from './paths.js';
import { writeReports, renderVerdictTable } from './report/index.js';
import type { CleanupSnapshot, TimelineEvent } from './run/records.js';
import { RunDirectory } from './run/run-dir.js';
import { activeFaults } from './run/timeline.js';
import { createCpuLimiter } from './scaling/cpu-limits.js';
import { startLocalAutoscaler } from './scaling/local-autoscaler.js';
import { startStack, type RunningStack } from './supervisor/supervisor.js';
import { referenceStack, type ServiceName } from './stack/definition.js';
import { readyScrapeTargets } from './stack/scrape-targets.js';
import { startMetricsScraper } from './telemetry/metrics/scraper.js';
import { startPrometheusSampler } from './telemetry/metrics/prometheus-sampler.js';
import { startOtlpReceiver, type OtlpReceiver } from './telemetry/otlp/receiver.js';
import { loadBaseline } from './verify/baseline-file.js';
import { judgeRun } from './verify/judge-run.js';
import { assertLoopbackTarget } from './util/loopback.js';

/**
 * The game day. Data flows one way: stack definition -> supervisor -> load + faults + autoscaler
 * (each writes its timeline and samples into the run directory) -> checks read the run directory
 * -> reports read the checks. This file only wires the rooms in order and guarantees that
 * everything it started is stopped on every path.
 */

export interface DrillOptions {
  profile: DrillProfile;
  budgetsFile?: string;
  baselineFile?: string;
  /** also copy the reports here */
  reportDir?: string;
  /** overrides the profile's compression (TIME_SCALE) */
  timeScale?: number;
  /** drive the user's own system instead of the bundled stack */
  target?: string;
  allowRemote?: boolean;
  basePort?: number;
  /** an external Toxiproxy (else the embedded one) */
  toxiproxyUrl?: string;
  /** a real PostgreSQL for the stack (else embedded PGlite) */
  databaseUrl?: string;
  grafanaUrl?: string;
  /**
   * metrics from Prometheus (PromQL) instead of scraping every replica: a URL of the user's own,
   * or true: Debian's Prometheus started with the bundled stack
   */
  prometheus?: string | true;
  /** also forward every OTLP request the receiver takes to this endpoint (the user's collector, Tempo, Jaeger) */
  otlpForwardUrl?: string;
  /** extra env for the scenario (-e KEY=VALUE) */
  env?: Record<string, string>;
  quiet?: boolean;
  color?: boolean;
  log?: (line: string) => void;
  /** a live status line; called about once a second */
  onStatus?: (line: string) => void;
}

export interface DrillResult {
  exitCode: number;
  verdict: 'pass' | 'fail';
  run: RunDirectory;
  files: string[];
  /** the verdict table, for the terminal */
  table: string;
}

interface ScenarioWindow {
  name: string;
  startMs: number;
  durationMs: number;
}

export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const profile = options.profile;
  const timeScale = options.timeScale ?? profile.timeScale;
  if (options.target) assertLoopbackTarget(options.target, options.allowRemote ?? false);

  // Validate every user file before anything starts: a typo must not cost a stack start-up.
  const budgets = loadBudgets(options.budgetsFile);
  const baseline = options.baselineFile ? loadBaseline(options.baselineFile) : undefined;
  const script = shipped(profile.script);
  const scriptEnv: Record<string, string> = {
    TIME_SCALE: String(timeScale),
    PEAK_RPS: String(profile.peakRps),
    ...options.env,
  };
  const withStack = !options.target;
  const faultsUrl = options.toxiproxyUrl;
  const experiment = withStack || faultsUrl ? loadExperiment(shipped(profile.chaos)) : undefined;

  const reaped = reapStaleChildren();
  if (reaped.length) log(`peakready: cleaned up after an earlier run that was killed: ${reaped.join(', ')}`);

  // Per-replica CPU limits where this machine allows them, so that scaling out adds capacity.
  const limiter = withStack ? createCpuLimiter(referenceStack(options.basePort)) : undefined;
  const autoscalerTimeScale = profile.syncPeriodMs / 15_000;
  // metrics twice per autoscaler sync, so every decision has a sample on each side
  const scrapeIntervalMs = Math.max(1000, Math.round(profile.syncPeriodMs / 2));

  const run = RunDirectory.create('drill');
  run.writeJson('config', {
    command: 'drill',
    profile: profile.name,
    timeScale,
    script: profile.script,
    chaos: profile.chaos,
    target: options.target ?? null,
    budgets: options.budgetsFile ?? 'scenarios/budgets.yaml',
    baseline: options.baselineFile ?? null,
    grafanaUrl: options.grafanaUrl ?? null,
    startedAt: new Date().toISOString(),
    // read by the scale-out check: the autoscaler's compressed Kubernetes periods
    syncPeriodMs: profile.syncPeriodMs,
    scaleDownStabilizationMs: 300_000 * autoscalerTimeScale,
    ...(limiter ? { capacityShowable: { supported: limiter.support.supported, reason: limiter.support.reason } } : {}),
  });
  const event = (e: TimelineEvent) => run.appendTimeline(e);
  event({ t: Date.now(), type: 'run', state: 'start', command: `drill --profile ${profile.name}` });
  log(`peakready: drill "${profile.name}" — run directory ${run.root}`);

  const definition = referenceStack(options.basePort);
  let receiver: OtlpReceiver | undefined;
  let stack: RunningStack | undefined;
  let stopScraper: (() => Promise<void>) | undefined;
  let stopAutoscaler: (() => Promise<void>) | undefined;
  const startedPids: Array<{ pid: number; name: string }> = [];
  let faultsAfter: Pick<CleanupSnapshot, 'toxics' | 'disabledProxies'> = { toxics: [], disabledProxies: [] };
  const abort = new AbortController();
  const unregister = onShutdown('drill', () => abort.abort());

  try {
    if (faultsUrl) await clearOwnedFaults(faultsUrl);
    receiver = await startOtlpReceiver({
      port: definition.basePort + definition.admin.otlpOffset,
      runDir: run,
      ...(options.otlpForwardUrl ? { forwardUrl: options.otlpForwardUrl } : {}),
    });
    if (options.otlpForwardUrl) log(`peakready: forwarding every trace to ${options.otlpForwardUrl}`);
    let baseUrl = options.target;
    if (withStack) {
      log('peakready: starting the reference stack ...');
      const started = Date.now();
      stack = await startStack({
        basePort: definition.basePort,
        runDir: run,
        otlpEndpoint: receiver.url,
        ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
        ...(faultsUrl ? { toxiproxyUrl: faultsUrl } : {}),
        ...(limiter ? { onReplicaSpawned: (info) => limiter.onReplicaSpawned(info) } : {}),
        ...(options.prometheus === true ? { prometheus: true, prometheusScrapeIntervalMs: scrapeIntervalMs } : {}),
      });
      baseUrl = stack.gatewayUrl;
      log(`peakready: stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${stack.gatewayUrl}`);
      const running = stack;
      const autoscaler = startLocalAutoscaler({
        controller: running,
        definition: running.definition,
        runDir: run,
        syncPeriodMs: profile.syncPeriodMs,
        timeScale: autoscalerTimeScale,
        setStatus: (service: ServiceName, status) => running.setAutoscalerStatus(service, status),
      });
      stopAutoscaler = () => autoscaler.stop();
    }
    scriptEnv.BASE_URL = baseUrl!;
    const prometheusUrl = options.prometheus === true ? stack?.state().prometheusUrl : options.prometheus;
    if (prometheusUrl) {
      log(`peakready: metrics from Prometheus at ${prometheusUrl} (PromQL)`);
      const sampler = startPrometheusSampler({ url: prometheusUrl, intervalMs: scrapeIntervalMs, runDir: run });
      stopScraper = () => sampler.stop();
    } else if (stack) {
      const running = stack;
      const scraper = startMetricsScraper({ targets: () => readyScrapeTargets(running.state()), intervalMs: scrapeIntervalMs, runDir: run });
      stopScraper = () => scraper.stop();
    }

    const inspected = await inspectScript(script, scriptEnv);
    const windows: ScenarioWindow[] = inspected.scenarios.map((s) => ({ name: s.name, startMs: s.startMs, durationMs: s.durationMs }));
    const totalMs = Math.max(...windows.map((w) => w.startMs + w.durationMs));
    const surge = windows.find((w) => w.name === 'surge') ?? windows[Math.floor(windows.length / 2)]!;
    const outageAtMs = surge.startMs + surge.durationMs * profile.outageStartFraction;

    // The engine records `phase` events itself: the scenario names of black-friday.js ARE the phases.
    let chaos: Promise<unknown> | undefined;
    let latest: LoadProgress | undefined;
    const loadMetrics = (): Record<string, number> =>
      latest
        ? { 'http_req_failed.rate': latest.errorRate, 'http_req_duration.p95': latest.p95Ms, 'http_reqs.rate': latest.requestsPerSecond }
        : {};
    const toxiproxyUrl = stack?.toxiproxyUrl ?? faultsUrl;
    const startChaos = () => {
      if (!experiment || !toxiproxyUrl || chaos) return;
      log(`peakready: injecting "${experiment.title}" during the surge`);
      chaos = runExperiment(experiment, { toxiproxyUrl, runDir: run, signal: abort.signal, timeScale, log, loadMetrics, gateOnHypothesis: false }).catch((error: unknown) => {
        log(`peakready: chaos experiment failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    };

    let lastStatus = 0;
    const onProgress = (p: LoadProgress) => {
      latest = p;
      if (p.elapsedMs >= outageAtMs) startChaos();
      const now = Date.now();
      if (now - lastStatus < 1000) return;
      lastStatus = now;
      const status: DrillStatus = {
        phase: p.phases.at(-1) ?? 'ending',
        elapsedMs: p.elapsedMs,
        totalMs,
        requestsPerSecond: p.requestsPerSecond,
        p95Ms: p.p95Ms,
        errorRate: p.errorRate,
        replicas: replicaCounts(stack),
        activeFaults: activeFaults(run.timeline(), now),
      };
      options.onStatus?.(formatDrillStatus(status));
    };

    const load = await runLoadTest({
      script,
      env: scriptEnv,
      runDir: run,
      quiet: true,
      onProgress,
      signal: abort.signal,
      allowRemote: options.allowRemote ?? false,
      // the k6-style end-of-test summary goes to summary.md and the reports, not over the verdict
      stdout: () => undefined,
    });
    await chaos;
    log(`peakready: load finished (${load.engine} engine, exit ${load.exitCode})`);

    if (stack) {
      await stopAutoscaler?.();
      stopAutoscaler = undefined;
      try {
        run.writeJson('integrity', await readIntegritySnapshot(stack.definition));
      } catch (error) {
        log(`peakready: could not read the stored orders for the integrity check: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    unregister();
    // Clean-up, in reverse order of start; every step runs even if an earlier one failed.
    await stopAutoscaler?.().catch(() => undefined);
    await stopScraper?.().catch(() => undefined);
    const toxiproxyUrl = stack?.toxiproxyUrl ?? faultsUrl;
    if (toxiproxyUrl) {
      await clearOwnedFaults(toxiproxyUrl).catch(() => undefined);
      faultsAfter = await inspectFaults(toxiproxyUrl).catch(() => ({ toxics: [], disabledProxies: [] }));
    }
    if (stack) {
      for (const s of stack.state().services) for (const r of s.replicas) startedPids.push({ pid: r.pid, name: r.id });
      await stack.stop();
    }
    limiter?.release();
    await receiver?.close();
    const forwarded = receiver?.stats().forward;
    if (forwarded) log(`peakready: forwarded ${forwarded.forwarded} OTLP requests to ${options.otlpForwardUrl} (${forwarded.failed} failed, ${forwarded.dropped} dropped)${forwarded.lastError ? `; last error: ${forwarded.lastError}` : ''}`);
    event({ t: Date.now(), type: 'run', state: 'end', command: `drill --profile ${profile.name}` });
  }

  if (withStack) run.writeJson('cleanup', await takeCleanupSnapshot({ stack: definition, pids: startedPids, faults: faultsAfter }));

  const { data, judged } = judgeRun(run, budgets, baseline ? { baseline } : {});
  const report = writeReports(run, data, judged, { ...(options.grafanaUrl ? { grafanaUrl: options.grafanaUrl } : {}), budgets });
  if (options.reportDir) {
    const dir = resolve(options.reportDir);
    mkdirSync(dir, { recursive: true });
    for (const file of report.files) cpSync(file, resolve(dir, file.split(/[\\/]/).pop()!));
  }
  const table = renderVerdictTable(judged, { color: options.color ?? false });
  return { exitCode: judged.verdict === 'pass' ? ExitCode.ok : ExitCode.checkFailed, verdict: judged.verdict, run, files: report.files, table };
}

function replicaCounts(stack: RunningStack | undefined): Record<string, number> {
  if (!stack) return {};
  return Object.fromEntries(stack.state().services.map((s) => [s.name, s.replicas.filter((r) => r.state !== 'stopped').length]));
}
