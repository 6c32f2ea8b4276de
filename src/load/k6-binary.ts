import type { K6SummaryData } from './metrics/summary-data.js';
import type { Sample } from './metrics/types.js';

export { parseK6JsonLines, type K6JsonLinesHandlers } from './metrics/k6-json-lines.js';

export interface RunK6BinaryOptions {
  script: string;
  /** extra `k6 run` arguments (e.g. --vus 10 --duration 30s) */
  args: string[];
  env?: NodeJS.ProcessEnv;
  onSample?: (sample: Sample) => void;
  signal?: AbortSignal;
  /** summaryTrendStats etc. for the summary built from k6's samples */
  summaryTrendStats?: string[];
}

/** The `k6` executable on PATH, or undefined. */
export function findK6(): string | undefined {
  return undefined;
}

/** Runs a real k6 on the script and builds the same summary from its JSON output. */
export async function runK6Binary(_options: RunK6BinaryOptions): Promise<{ exitCode: number; summary: K6SummaryData }> {
  throw new Error('not implemented yet');
}
