import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runK6Binary } from './k6-binary.js';
import { summaryExport, textSummary } from './metrics/summary.js';
import type { LoadRunResult, RunLoadOptions } from './run.js';

/**
 * `--engine k6`: the same script under a real k6 from PATH; its JSON output becomes the same
 * summary, summary export and exit code the built-in engine gives.
 */
export async function runWithK6(options: RunLoadOptions): Promise<LoadRunResult> {
  const args: string[] = [];
  const o = options.overrides ?? {};
  if (o.vus !== undefined) args.push('--vus', String(o.vus));
  if (o.duration !== undefined) args.push('--duration', o.duration);
  if (o.iterations !== undefined) args.push('--iterations', String(o.iterations));
  for (const [k, v] of Object.entries(options.env ?? {})) args.push('-e', `${k}=${v}`);
  for (const spec of options.out ?? []) args.push('--out', spec);
  if (options.quiet) args.push('--quiet');
  const { exitCode, summary } = await runK6Binary({
    script: resolve(options.script),
    args,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (options.summaryExport) writeFileSync(resolve(options.summaryExport), JSON.stringify(summaryExport(summary), null, 2) + '\n');
  options.runDir?.writeJson('summary', summary);
  const out = options.stdout ?? ((t: string) => void process.stdout.write(t));
  out('\n' + textSummary(summary, { indent: ' ', enableColors: Boolean(process.stdout.isTTY) }) + '\n');
  const thresholds = Object.entries(summary.metrics).flatMap(([key, m]) =>
    Object.entries(m.thresholds ?? {}).map(([source, t]) => ({ key, source, ok: t.ok, abortOnFail: false })),
  );
  return { exitCode, thresholdsPassed: exitCode !== 99, summary, engine: 'k6', thresholds };
}
