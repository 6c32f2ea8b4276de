import type { CaptureSpec } from '../readback/contract.js';
import type { RequestRecord } from '../run/records.js';
import type { AggregateSnapshot, MetricDefinition, Sample, SubmetricSelector } from './metrics/types.js';
import type { HttpDefaults } from './vu-context.js';
import type { ScenarioData } from './options.js';
import type { SecretSources } from './secret-sources.js';

/**
 * The messages between the main thread and load workers (all structured-cloneable). The script
 * runs only in workers — its init context, setup, the VUs, teardown, handleSummary — so the main
 * thread, which holds the metrics and writes the summary, always answers a signal or a deadline.
 */

/** What every load worker starts with (its workerData). */
export interface ScriptWorkerData {
  script: string;
  env: Record<string, string>;
  allowRemote: boolean;
  /** --secret-source: what k6/secrets reads (known before the init context, which creates the module) */
  secrets: SecretSources;
  /** `--verbose`: console.debug prints */
  verbose: boolean;
  /** epoch ms the run started (console lines count seconds from it) */
  startedAt: number;
  /** the main thread's stderr is a terminal (a worker's never is): console lines in k6's terminal format */
  stderrIsTTY: boolean;
}

/** The test's settings, resolved once on the main thread, that instances and hooks work with. */
export interface InstanceSettings {
  submetrics: SubmetricSelector[];
  trendStats?: string[];
  httpDefaults: HttpDefaults;
  globalTags: Record<string, string>;
  recordRequests: boolean;
  /** the read-back contract's creates to capture in request records, as plain data */
  captures: CaptureSpec[];
  /** forward every raw sample (for --out json) */
  forwardSamples: boolean;
  /** the script's options as written (k6/execution's test.options) */
  options: unknown;
  testStartedAt: number;
}

/** One instance's share of the test. */
export interface WorkerInit extends InstanceSettings {
  /** the scenarios, resolved once on the main thread: an instance runs its share of each, never re-reading the options */
  scenarios: ScenarioData[];
  segment: { index: number; count: number };
  setupData: unknown;
}

export type HookName = 'setup' | 'teardown' | 'handleSummary';

export type MainToWorker =
  /** run VU 0's init context and answer `loaded` (the script's options, its custom metrics) */
  | { type: 'load' }
  /** run setup/teardown/handleSummary on VU 0 (after `load`) and answer `hook-done` or `hook-failed` */
  | { type: 'hook'; name: HookName; args: unknown[]; timeoutMs: number; settings: InstanceSettings }
  /** host an instance: it answers `ready`, then ticks until `done` */
  | { type: 'instance'; init: WorkerInit }
  | { type: 'start'; startAtEpoch: number }
  | { type: 'abort'; reason: string };

/** Metrics gathered in a worker since its last post. */
export interface MetricsDelta {
  snapshot: AggregateSnapshot;
  requests: RequestRecord[];
  samples: Sample[];
}

export interface WorkerTick extends MetricsDelta {
  type: 'tick' | 'done';
  activeVus: number;
  initialisedVus: number;
  definitions: MetricDefinition[];
  /** scenarios of this instance that are running now */
  runningScenarios: string[];
}

export interface LoadedScript {
  /** `export const options`, as JSON (k6 options are plain data) */
  options: unknown;
  /** names of the exported functions (scenarios' `exec`, setup, teardown, handleSummary) */
  functions: string[];
  /** custom metrics the init context declared */
  definitions: MetricDefinition[];
}

export type WorkerToMain =
  | ({ type: 'loaded' } & LoadedScript)
  | { type: 'hook-done'; value: unknown; delta: MetricsDelta }
  | { type: 'hook-failed'; message: string; exitCode: number; delta: MetricsDelta }
  | { type: 'ready' }
  | WorkerTick
  | { type: 'abort-test'; reason: string }
  | { type: 'mark-failed'; reason: string }
  | { type: 'fatal'; message: string; exitCode: number };
