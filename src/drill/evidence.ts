import { EnvironmentError, UsageError } from '../errors.js';
import type { IntegritySnapshot, RequestRecord } from '../run/records.js';
import { readBack } from '../readback/read-back.js';
import { runSqlChecks } from '../readback/sql-checks.js';
import { prometheusScaleOutEvidence } from '../scaling/prometheus-evidence.js';
import type { RunDirectory } from '../run/run-dir.js';
import { fetchTraces, TraceBackendError } from '../telemetry/traces/backends/index.js';
import type { DrillPlan } from './plan.js';
import type { DrillRig } from './rig.js';
import { readIntegritySnapshot } from './snapshots.js';

type Log = (line: string) => void;

/** An OpenTelemetry SDK's batch span processor and a Collector's batch processor export every 5 s by default. */
const TRACES_QUIET_MS = 6_000;
const TRACES_SETTLE_MAX_MS = 20_000;

/**
 * What the checks need that the load itself did not record, gathered once the load is over: the
 * bundled shop's stored orders (integrity), scaling from Prometheus when no local autoscaler ran
 * (scale-out), and the traces from the user's trace backend when spans did not come to the
 * drill's receiver (tracing).
 */
export async function gatherEvidence(plan: DrillPlan, rig: DrillRig, run: RunDirectory, signal: AbortSignal, log: Log): Promise<void> {
  // the load's request records, read once for every step that needs them
  let records: RequestRecord[] | undefined;
  const requests = () => (records ??= run.readLines<RequestRecord>('requests'));
  await recordStoredData(rig, run, log);
  await checkSqlInvariants(plan, rig, run, signal, log);
  await readBackCreates(plan, rig, run, requests, signal, log);
  await readScalingFromPrometheus(plan, rig, run, log);
  // a target's spans come through its own exporters' batching: wait for the last ones
  if (!plan.withStack && !plan.traceBackend) await rig.tracesSettled(TRACES_QUIET_MS, TRACES_SETTLE_MAX_MS, signal);
  await fetchRunTraces(plan, run, requests, signal, log);
}

/**
 * Replicas, desired replicas and CPU over the run from Prometheus (kube-state-metrics and cAdvisor
 * names), as the timeline events and cpu samples the scale-out check reads from a local run.
 */
async function readScalingFromPrometheus(plan: DrillPlan, rig: DrillRig, run: RunDirectory, log: Log): Promise<void> {
  const from = plan.scalingFromPrometheus;
  if (!from) return;
  const prometheusUrl = from.url ?? rig.prometheusUrl;
  if (!prometheusUrl) return log('peakready: no scaling evidence: no Prometheus to read it from');
  const start = run.timeline().find((e) => e.type === 'run')?.t ?? Date.now();
  try {
    const evidence = await prometheusScaleOutEvidence({ prometheusUrl, namespace: from.namespace, workloads: from.workloads, from: start, to: Date.now(), scrapeIntervalMs: from.scrapeIntervalMs });
    for (const event of evidence.timeline) run.appendTimeline(event);
    run.appendMetrics(evidence.cpu);
    log(`peakready: scaling of ${from.workloads.length} workloads read from Prometheus at ${prometheusUrl} (step ${evidence.stepMs / 1000} s)${evidence.notes.length ? `; ${evidence.notes.join('; ')}` : ''}`);
  } catch (error) {
    if (!(error instanceof EnvironmentError) && !(error instanceof UsageError)) throw error;
    log(`peakready: no scaling evidence: ${error.message}`);
  }
}

/** Every acknowledged create of the read-back contract, read back through the system's own API (readback.json). */
async function readBackCreates(plan: DrillPlan, rig: DrillRig, run: RunDirectory, requests: () => RequestRecord[], signal: AbortSignal, log: Log): Promise<void> {
  const spec = plan.readBack;
  if (!spec) return;
  const { contract, ...bounds } = spec;
  log(`peakready: reading back every acknowledged "${contract.request}" through ${contract.readUrl} (at most ${bounds.concurrency} in flight) ...`);
  const snapshot = await readBack(contract, requests(), { baseUrl: rig.baseUrl, ...bounds, signal, allowRemote: plan.allowRemote });
  run.writeJson('readback', snapshot);
  const t = snapshot.totals;
  log(`peakready: read back ${t.ids} ids of ${t.acknowledged} acknowledged creates in ${(snapshot.durationMs / 1000).toFixed(1)} s: ${t.matched} matched, ${t.mismatched} mismatched, ${t.missing} missing, ${t.errors} errors`);
}

/**
 * The SQL invariants (sql-checks.json), each in its own read-only transaction: on the bundled shop
 * against its own database while it still runs (embedded PGlite through its PostgreSQL wire
 * protocol, or the --database-url PostgreSQL), on a target against the URL the drill was given.
 */
async function checkSqlInvariants(plan: DrillPlan, rig: DrillRig, run: RunDirectory, signal: AbortSignal, log: Log): Promise<void> {
  const spec = plan.sqlChecks;
  if (!spec || signal.aborted) return;
  const { invariants, database } = spec;
  const url = database.kind === 'stack' ? rig.runningStack?.databaseUrl : database.kind === 'url' ? database.url : undefined;
  if (!url) {
    const skipped = `${invariants.length} SQL checks declared (${invariants.map((i) => i.name).join(', ')}) but no database URL to run them on: give drill --database-url or checks.integrity.databaseUrl`;
    run.writeJson('sqlChecks', { t: Date.now(), durationMs: 0, skipped, checks: [] });
    return log(`peakready: ${skipped}`);
  }
  const engine = database.kind === 'stack' && !database.url ? 'pglite' : 'postgres';
  log(`peakready: running ${invariants.length} SQL checks read-only on ${engine === 'pglite' ? "the bundled shop's embedded PGlite" : 'PostgreSQL'} ...`);
  const snapshot = await runSqlChecks(url, invariants, { engine });
  run.writeJson('sqlChecks', snapshot);
  const count = (o: string) => snapshot.checks.filter((c) => c.outcome === o).length;
  log(`peakready: SQL checks on ${snapshot.database}: ${count('clean')} hold, ${count('rows')} returned rows, ${count('error')} failed to run (${snapshot.durationMs} ms)`);
}

/** The stored truth for the integrity check, read once the autoscaler has stopped (bundled stack only). */
async function recordStoredData(rig: DrillRig, run: RunDirectory, log: Log): Promise<void> {
  const stack = rig.runningStack;
  if (!stack) return;
  await rig.settle();
  try {
    run.writeJson('integrity', await readIntegritySnapshot(stack.definition));
  } catch (error) {
    // recorded, so the check says why it could not read them instead of guessing
    const unreadable = error instanceof Error ? error.message : String(error);
    run.writeJson('integrity', { t: Date.now(), orders: [], charges: [], stock: [], unreadable } satisfies IntegritySnapshot);
    log(`peakready: could not read the stored orders for the integrity check: ${unreadable}`);
  }
}

/** Every trace the load engine started, fetched by id from Tempo or Jaeger into traces.ndjson. */
async function fetchRunTraces(plan: DrillPlan, run: RunDirectory, requests: () => RequestRecord[], signal: AbortSignal, log: Log): Promise<void> {
  const backend = plan.traceBackend;
  if (!backend) return;
  const ids = new Set<string>();
  let first = Number.POSITIVE_INFINITY;
  for (const r of requests()) {
    if (r.traceId) ids.add(r.traceId);
    first = Math.min(first, r.t);
  }
  if (ids.size === 0) return;
  log(`peakready: fetching ${ids.size} traces by id from ${backend.kind} at ${backend.url} ...`);
  try {
    const window = { startMs: first - 60_000, endMs: Date.now() + 60_000 };
    const result = await fetchTraces(backend, ids, { window, signal });
    run.appendSpans(result.spans);
    log(`peakready: ${result.found} traces found, ${result.missing.length} missing, ${result.errors.length} lookups failed (${result.api})`);
  } catch (error) {
    if (!(error instanceof TraceBackendError)) throw error;
    log(`peakready: no traces for the tracing check: ${error.message}`);
  }
}
