import type { CaptureSpec } from '../readback/contract.js';
import type { RequestRecord } from '../run/records.js';
import type { AggregateSnapshot, MetricDefinition, Sample, SubmetricSelector } from './metrics/types.js';
import type { HttpDefaults } from './vu-context.js';
import type { ScenarioData } from './options.js';
import type { SecretSources } from './secret-sources.js';

/** The messages between the main thread and load workers (all structured-cloneable). */

export interface WorkerInit {
  script: string;
  env: Record<string, string>;
  /** the scenarios, resolved once on the main thread: an instance runs its share of each, never re-reading the options */
  scenarios: ScenarioData[];
  segment: { index: number; count: number };
  setupData: unknown;
  submetrics: SubmetricSelector[];
  trendStats?: string[];
  allowRemote: boolean;
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
  secrets: SecretSources;
}

export type MainToWorker = { type: 'start'; startAtEpoch: number } | { type: 'abort'; reason: string };

export interface WorkerTick {
  type: 'tick' | 'done';
  /** metrics since the previous tick; null from an instance on the main thread, which adds to the test's aggregator directly */
  snapshot: AggregateSnapshot | null;
  activeVus: number;
  initialisedVus: number;
  requests: RequestRecord[];
  samples: Sample[];
  definitions: MetricDefinition[];
  /** scenarios of this instance that are running now */
  runningScenarios: string[];
}

export type WorkerToMain =
  | { type: 'ready' }
  | WorkerTick
  | { type: 'abort-test'; reason: string }
  | { type: 'mark-failed'; reason: string }
  | { type: 'fatal'; message: string; exitCode: number };
