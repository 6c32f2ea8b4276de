import type { CaptureSpec } from '../readback/contract.js';
import type { RunDirectory } from '../run/run-dir.js';
import type { K6SummaryData } from './metrics/summary.js';
import type { ThresholdResult } from './metrics/thresholds.js';
import type { Overrides } from './options.js';
import type { LoadProgress } from './progress.js';

/**
 * What runs a k6 script: the built-in engine (engine-builtin.ts) or a real k6 (engine-k6.ts),
 * chosen by name in engines.ts. Both take the same options and give the same k6-shaped result.
 */

export type EngineName = 'builtin' | 'k6';

export interface RunLoadOptions {
  script: string;
  env?: Record<string, string>;
  overrides?: Overrides;
  runDir?: RunDirectory;
  quiet?: boolean;
  /** called after every merged tick (about twice a second); when given, nothing is printed: the caller shows progress */
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  summaryExport?: string;
  out?: string[];
  /** `auto` (the default) is the built-in engine */
  engine?: 'auto' | EngineName;
  allowRemote?: boolean;
  /** `--verbose`: the script's console.debug prints (k6's -v) */
  verbose?: boolean;
  /**
   * Creates to capture for the read-back (src/readback/): for a 2xx response to a request whose
   * `name` tag matches, its record in requests.ndjson gets the id, the fields' digests and the
   * idempotency key. Needs a run directory; the built-in engine only.
   */
  captures?: CaptureSpec[];
  /** `--secret-source` values as k6 takes them (`file=PATH`, `mock=k=v`, with `name=` and `default`) */
  secretSources?: string[];
  /** where the end-of-test text goes; default process.stdout (nothing when handleSummary returns no stdout) */
  stdout?: (text: string) => void;
  /** the end-of-test text as k6 1.x prints it: `compact` (the default), `full`, or k6's pre-1.0 `legacy` layout */
  summaryMode?: SummaryMode;
  /** `--no-summary`: no end-of-test text, no handleSummary, no --summary-export (as k6) */
  noSummary?: boolean;
  /** k6's `--config FILE`: a real k6 gets the path (the built-in engine gets its options in `overrides.config`) */
  configFile?: string;
  /** options of `--out` outputs from k6's config file (`collectors.<name>`) */
  collectors?: Record<string, Record<string, unknown>>;
}

export type SummaryMode = 'compact' | 'full' | 'legacy';
export const SUMMARY_MODES: readonly SummaryMode[] = ['compact', 'full', 'legacy'];

export interface LoadRunResult {
  exitCode: number;
  thresholdsPassed: boolean;
  summary: K6SummaryData;
  engine: EngineName;
  thresholds: ThresholdResult[];
  /** why the run stopped early, when it did */
  aborted?: string;
}

/** A script's options and its scenarios as phase windows (ms from the test start), without running it. */
export interface ScriptInspection {
  options: Record<string, unknown> | undefined;
  /** `peakRatePerSecond`: an arrival-rate scenario's highest iterations per second */
  scenarios: Array<{ name: string; startMs: number; durationMs: number; executor: string; peakRatePerSecond?: number }>;
}

export interface LoadEngine {
  readonly name: EngineName;
  /** reads the script's options without running it; an engine that cannot leaves it out */
  inspect?(script: string, env: Record<string, string>, overrides: Overrides): Promise<ScriptInspection>;
  run(options: RunLoadOptions): Promise<LoadRunResult>;
}
