import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { RunLoadOptions } from './engine.js';
import { summaryExport, textSummary, type K6SummaryData } from './metrics/summary.js';
import { textSummaryV1 } from './metrics/text-summary-v1.js';
import type { ThresholdResult } from './metrics/thresholds.js';
import { ScriptError } from './script/errors.js';

/** What every engine writes when the test ends: --summary-export, k6's text summary, handleSummary's files. */

/** Where the end-of-test text goes: the caller's `stdout`, else the process's. */
export function summaryOutput(options: RunLoadOptions): (text: string) => void {
  return options.stdout ?? ((text) => void process.stdout.write(text));
}

/** `--summary-export FILE`: k6's export format, relative to the working directory. */
export function writeSummaryExport(path: string | undefined, summary: K6SummaryData): void {
  if (path) writeFileSync(resolve(path), JSON.stringify(summaryExport(summary), null, 2) + '\n');
}

/** k6's end-of-test text summary in the run's `summaryMode` (k6 1.x's compact by default), in colour on a terminal. */
export function printTextSummary(out: (text: string) => void, summary: K6SummaryData, options: Pick<RunLoadOptions, 'summaryMode'>, thresholds?: readonly ThresholdResult[]): void {
  const enableColors = Boolean(process.stdout.isTTY) && !summary.options.noColor;
  const mode = options.summaryMode ?? 'compact';
  if (mode === 'legacy') out('\n' + textSummary(summary, { indent: ' ', enableColors }) + '\n');
  else out(textSummaryV1(summary, { mode, enableColors, ...(thresholds ? { thresholds } : {}) }));
}

/** handleSummary when the script has one (run by the engine; its returned files written here), else k6's text summary. */
export async function writeSummaries(script: string, summary: K6SummaryData, options: RunLoadOptions, handleSummary?: (summary: K6SummaryData) => Promise<unknown>, thresholds?: readonly ThresholdResult[]): Promise<void> {
  // as k6: --no-summary skips the text, handleSummary and --summary-export alike
  if (options.noSummary) return;
  const out = summaryOutput(options);
  writeSummaryExport(options.summaryExport, summary);
  if (!handleSummary) return printTextSummary(out, summary, options, thresholds);
  const files = await handleSummary(summary);
  if (files === null || typeof files !== 'object') {
    throw new ScriptError(`${script}: handleSummary must return an object of { stdout | stderr | file path: content }`);
  }
  writeSummaryResult(files as Record<string, unknown>, out);
}

type WriteFile = (path: string, data: string | Buffer) => void;

/**
 * handleSummary's result as k6 handles it: `stdout`, `stderr`, else a file relative to the working
 * directory (its folder is not created). A file that cannot be written does not stop the others and
 * does not change the exit code: as k6, the failure is logged. Returns the failures.
 */
export function writeSummaryResult(
  files: Record<string, unknown>,
  out: (text: string) => void,
  err: (text: string) => void = (text) => void process.stderr.write(text),
  write: WriteFile = (path, data) => writeFileSync(resolve(path), data),
): string[] {
  const failures: string[] = [];
  for (const [target, content] of Object.entries(files)) {
    const text = typeof content === 'string' ? content : content instanceof ArrayBuffer ? Buffer.from(content) : JSON.stringify(content);
    if (target === 'stdout') out(String(text));
    else if (target === 'stderr') err(String(text));
    else {
      try {
        write(target, text);
      } catch (error) {
        failures.push(`could not open '${target}': ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  if (failures.length) err(`peakready: failed to handle the end-of-test summary: could not save some summary information: ${failures.join('; ')}\n`);
  return failures;
}
