import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { LoadEngine, LoadRunResult, RunLoadOptions } from './engine.js';
import { printTextSummary, summaryOutput, writeSummaryExport } from './end-of-test.js';
import { runK6Binary } from './k6-binary.js';

/**
 * `--engine k6`: the same script under a real k6 from PATH; its JSON output becomes the same
 * summary, summary export and exit code the built-in engine gives.
 */
export const k6Engine: LoadEngine = {
  name: 'k6',
  run: runWithK6,
};

async function runWithK6(options: RunLoadOptions): Promise<LoadRunResult> {
  if (options.captures?.length) {
    // a real k6 writes no requests.ndjson, so there would be no create to read back
    throw new ConfigError([{ file: options.script, field: 'captures', message: 'the read-back contract needs the built-in engine; leave out --engine k6' }]);
  }
  const { exitCode, summary } = await runK6Binary({
    script: resolve(options.script),
    args: k6Arguments(options),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  writeSummaryExport(options.summaryExport, summary);
  options.runDir?.writeJson('summary', summary);
  printTextSummary(summaryOutput(options), summary);
  const thresholds = Object.entries(summary.metrics).flatMap(([key, m]) =>
    Object.entries(m.thresholds ?? {}).map(([source, t]) => ({ key, source, ok: t.ok, abortOnFail: false })),
  );
  return { exitCode, thresholdsPassed: exitCode !== 99, summary, engine: 'k6', thresholds };
}

/** The run's overrides, environment and outputs as `k6 run` flags. */
function k6Arguments(options: RunLoadOptions): string[] {
  const args: string[] = [];
  const o = options.overrides ?? {};
  if (o.vus !== undefined) args.push('--vus', String(o.vus));
  if (o.duration !== undefined) args.push('--duration', o.duration);
  if (o.iterations !== undefined) args.push('--iterations', String(o.iterations));
  for (const [k, v] of Object.entries(options.env ?? {})) args.push('-e', `${k}=${v}`);
  for (const spec of options.out ?? []) args.push('--out', spec);
  for (const source of options.secretSources ?? []) args.push('--secret-source', source);
  if (options.quiet) args.push('--quiet');
  return args;
}
