import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { EnvironmentError } from '../errors.js';
import { spawnManaged, stopChild } from '../lifecycle/children.js';
import { MetricsAggregator } from './metrics/aggregator.js';
import { K6JsonLinesParser } from './metrics/k6-json-lines.js';
import { buildSummaryData } from './metrics/summary.js';
import type { K6SummaryData } from './metrics/summary-data.js';
import type { ThresholdResult } from './metrics/thresholds.js';
import type { Sample } from './metrics/types.js';

export { parseK6JsonLines, type K6JsonLinesHandlers } from './metrics/k6-json-lines.js';

export interface RunK6BinaryOptions {
  script: string;
  /** extra `k6 run` arguments (e.g. --vus 10 --duration 30s), placed before the script */
  args: string[];
  /** the environment k6 runs with (and whose PATH is searched); default process.env */
  env?: NodeJS.ProcessEnv;
  onSample?: (sample: Sample) => void;
  signal?: AbortSignal;
  /** summaryTrendStats for the summary built from k6's samples */
  summaryTrendStats?: string[];
  /** where k6's own stdout and stderr go (its progress and text summary); default a temp file */
  logFile?: string;
  /** how often k6's JSON output is read while it runs (default 250 ms) */
  pollMs?: number;
}

/** The `k6` executable on PATH, or undefined. */
export function findK6(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'k6');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/**
 * Runs a real k6 on the script with `--out json` and `--summary-export` into a temp folder, reads
 * its samples while it runs into a MetricsAggregator, and builds the same handleSummary data the
 * built-in engine produces. Threshold verdicts are k6's own (from its summary export); the exit
 * code is k6's (99 when thresholds failed).
 */
export async function runK6Binary(options: RunK6BinaryOptions): Promise<{ exitCode: number; summary: K6SummaryData }> {
  const env = options.env ?? process.env;
  const k6 = findK6(env);
  if (!k6) {
    throw new EnvironmentError('--engine k6: no k6 executable on PATH; install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or run with --engine builtin');
  }
  const dir = await mkdtemp(join(tmpdir(), 'peakready-k6-'));
  try {
    const out = join(dir, 'samples.json');
    const exportFile = join(dir, 'summary-export.json');
    const aggregator = new MetricsAggregator({ trendStats: options.summaryTrendStats });
    const parser = new K6JsonLinesParser({
      onMetric: (definition, submetrics) => {
        aggregator.define(definition);
        for (const selector of submetrics) aggregator.track(selector);
      },
      onSample: (sample) => {
        aggregator.add(sample);
        options.onSample?.(sample);
      },
    });
    const started = performance.now();
    const child = spawnManaged({
      name: 'k6',
      command: k6,
      args: ['run', '--out', `json=${out}`, `--summary-export=${exportFile}`, ...options.args, options.script],
      env,
      logFile: options.logFile ?? join(dir, 'k6.log'),
    });
    const exited = new Promise<number>((resolve, reject) => {
      child.once('error', (error) => reject(new EnvironmentError(`--engine k6: could not start ${k6}: ${error.message}`, { cause: error })));
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
    });
    const onAbort = (): void => void stopChild(child, 10_000);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const tail = new FileTail(out, (line) => parser.line(line));
    const poller = setInterval(() => void tail.poll(), options.pollMs ?? 250);
    let exitCode: number;
    try {
      exitCode = await exited;
    } finally {
      clearInterval(poller);
      options.signal?.removeEventListener('abort', onAbort);
    }
    await tail.finish();
    const summary = buildSummaryData({
      aggregator,
      thresholds: thresholdsFromExport(exportFile),
      options: { ...(options.summaryTrendStats ? { summaryTrendStats: options.summaryTrendStats } : {}) },
      state: {
        isStdOutTTY: Boolean(process.stdout.isTTY),
        isStdErrTTY: Boolean(process.stderr.isTTY),
        testRunDurationMs: performance.now() - started,
      },
    });
    return { exitCode, summary };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** k6's own threshold verdicts: its summary export maps expression → true when it FAILED. */
function thresholdsFromExport(file: string): ThresholdResult[] {
  let exported: { metrics?: Record<string, { thresholds?: Record<string, boolean> }> };
  try {
    exported = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
  const results: ThresholdResult[] = [];
  for (const [key, metric] of Object.entries(exported.metrics ?? {})) {
    for (const [source, failed] of Object.entries(metric.thresholds ?? {})) {
      results.push({ key, source, ok: failed !== true, abortOnFail: false });
    }
  }
  return results;
}

/** Reads lines appended to a file that another process is still writing. */
class FileTail {
  private handle: FileHandle | undefined;
  private position = 0;
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');
  private readonly buffer = Buffer.alloc(256 * 1024);
  private running: Promise<void> | undefined;
  /** the first bad line stops reading; finish() reports it */
  private failure: unknown;

  constructor(
    private readonly file: string,
    private readonly onLine: (line: string) => void,
  ) {}

  /** Reads what was appended since the last poll; one poll at a time. */
  poll(): Promise<void> {
    this.running ??= this.read()
      .catch((error: unknown) => void (this.failure ??= error))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** The writer has exited: read the rest, including a last line without a newline. */
  async finish(): Promise<void> {
    await this.running;
    try {
      if (this.failure) throw this.failure;
      await this.read();
      const rest = this.partial + this.decoder.end();
      this.partial = '';
      if (rest.trim()) this.onLine(rest);
    } finally {
      await this.handle?.close();
      this.handle = undefined;
    }
  }

  private async read(): Promise<void> {
    if (this.failure) return;
    if (!this.handle) {
      try {
        this.handle = await open(this.file, 'r');
      } catch {
        return; // k6 has not created it yet
      }
    }
    for (;;) {
      const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      const lines = (this.partial + this.decoder.write(this.buffer.subarray(0, bytesRead))).split('\n');
      this.partial = lines.pop()!;
      for (const line of lines) this.onLine(line);
    }
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
}
