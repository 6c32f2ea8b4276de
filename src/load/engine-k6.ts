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
  if (!options.noSummary) writeSummaryExport(options.summaryExport, summary);
  options.runDir?.writeJson('summary', summary);
  if (!options.noSummary) printTextSummary(summaryOutput(options), summary, options);
  const thresholds = Object.entries(summary.metrics).flatMap(([key, m]) =>
    Object.entries(m.thresholds ?? {}).map(([source, t]) => ({ key, source, ok: t.ok, abortOnFail: false })),
  );
  return { exitCode, thresholdsPassed: exitCode !== 99, summary, engine: 'k6', thresholds };
}

/** The run's overrides, environment and outputs as `k6 run` flags. */
export function k6Arguments(options: RunLoadOptions): string[] {
  const args: string[] = [];
  const o = options.overrides ?? {};
  if (o.vus !== undefined) args.push('--vus', String(o.vus));
  if (o.duration !== undefined) args.push('--duration', o.duration);
  if (o.iterations !== undefined) args.push('--iterations', String(o.iterations));
  for (const [k, v] of Object.entries(options.env ?? {})) args.push('-e', `${k}=${v}`);
  for (const stage of o.stages ?? []) args.push('--stage', `${stage.duration}:${stage.target}`);
  if (o.noThresholds) args.push('--no-thresholds');
  for (const [key, value] of Object.entries(o.options ?? {})) args.push(...k6FlagOf(key, value));
  if (options.configFile) args.push('--config', options.configFile);
  for (const spec of options.out ?? []) args.push('--out', spec);
  for (const source of options.secretSources ?? []) args.push('--secret-source', source);
  if (options.quiet) args.push('--quiet');
  return args;
}

/** A plain option override back as the k6 flag it came from. */
function k6FlagOf(key: string, value: unknown): string[] {
  if (key === 'httpDebug') return value ? [value === 'full' ? '--http-debug=full' : '--http-debug'] : [];
  if (key === 'tags') return Object.entries(value as Record<string, string>).flatMap(([k, v]) => ['--tag', `${k}=${v}`]);
  const flag = `--${key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`).replace('insecure-skip-t-l-s-verify', 'insecure-skip-tls-verify')}`;
  if (value === true) return [flag];
  return [flag, Array.isArray(value) ? value.join(',') : String(value)];
}
