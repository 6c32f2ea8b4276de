import { basename } from 'node:path';
import { z } from 'zod';
import { formatFieldPath } from '../config/load-yaml.js';
import { readUserText } from '../config/user-file.js';
import { ConfigError, UsageError } from '../errors.js';

const MAX_BASELINE_BYTES = 64 * 1024 * 1024;

const route = z.object({ name: z.string(), requests: z.number(), errorRate: z.number(), rps: z.number(), p95: z.number() });
const latencySamples = z.object({ size: z.number().int().positive(), routes: z.record(z.string(), z.array(z.number().nonnegative())) });
/** what config.json recorded of the run: enough to tell whether two runs played the same thing */
const recordedRun = z.object({
  command: z.string().optional(),
  name: z.string().optional(),
  gameday: z.string().optional(),
  profile: z.string().nullable().optional(),
  script: z.string().optional(),
});
const baselineSchema = z.object({
  version: z.literal(1),
  verdict: z.string().optional(),
  run: z.object({ config: z.unknown() }).optional(),
  figures: z.object({ total: route, routes: z.array(route) }),
  latencySamples: latencySamples.optional(),
});

/** `--baseline FILE`: an earlier run's report.json, reduced to what the comparison reads. */
export interface Baseline {
  file: string;
  figures: z.infer<typeof baselineSchema>['figures'];
  /** per route, the latencies (ms) the rank test compares with; absent in a report.json written before them */
  latencies?: Record<string, number[]>;
  /** what the earlier run played (its config.json), when its report.json recorded it */
  run?: RecordedRun;
}

export type RecordedRun = z.infer<typeof recordedRun>;

/**
 * Reads and validates `--baseline FILE` at the edge, before anything runs: a file that cannot be
 * read or is not a report.json is a usage error naming the field.
 */
export function loadBaseline(file: string): Baseline {
  let json: unknown;
  try {
    // bounded: a report.json with its latency samples is well under a megabyte per route
    json = JSON.parse(readUserText(file, MAX_BASELINE_BYTES).text);
  } catch (error) {
    // one line: JSON.parse quotes the start of the text, newlines and all
    const why = (error instanceof ConfigError ? error.issues[0]!.message : (error as Error).message).replace(/\s+/g, ' ');
    throw new UsageError(`--baseline ${file}: ${why}; pass the report.json of an earlier run`);
  }
  return parseBaseline(json, file);
}

export function parseBaseline(reportJson: unknown, file = 'baseline'): Baseline {
  const parsed = baselineSchema.safeParse(reportJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--baseline ${file}: not a peakready report.json (${formatFieldPath(issue.path) || 'top level'}: ${issue.message}); pass the report.json of an earlier run`);
  }
  const { figures, latencySamples: samples, run, verdict } = parsed.data;
  if (verdict === 'interrupted') {
    throw new UsageError(`--baseline ${file}: the report of an interrupted run, which measured only part of its game day; pass the report.json of a run that ended`);
  }
  const recorded = recordedRunOf(run?.config);
  return { file, figures, ...(samples ? { latencies: samples.routes } : {}), ...(recorded ? { run: recorded } : {}) };
}

/** The fields of a run's config.json that say what it played, if it recorded any. */
export function recordedRunOf(config: unknown): RecordedRun | undefined {
  const parsed = recordedRun.safeParse(config);
  return parsed.success && Object.keys(parsed.data).length ? parsed.data : undefined;
}

/** Which fields of two runs' config.json must agree for their latencies to be compared. */
const SAME: ReadonlyArray<[keyof RecordedRun, string]> = [
  ['command', 'command'],
  ['name', 'game day'],
  ['profile', 'profile'],
  ['script', 'load script'],
];

/**
 * Whether a baseline played what this run plays: the same command, game day (by its name: the
 * file's path differs between checkouts), profile and load script (by file name). A field only
 * one of the two runs recorded is not compared. The message says why, either way.
 */
export function comparability(baseline: Baseline, current: RecordedRun | undefined): { comparable: boolean; message: string } {
  const earlier = baseline.run;
  if (!earlier || !current) return { comparable: true, message: `${earlier ? 'this run' : 'the baseline'} records no game day or profile: comparability not checked` };
  const alike: string[] = [];
  for (const [key, label] of SAME) {
    const [was, is] = [earlier[key], current[key]];
    if (was === undefined || is === undefined) continue;
    const [a, b] = key === 'script' && was && is ? [basename(was), basename(is)] : [was, is];
    if (a !== b) {
      const message = `made with ${label} ${show(a)}, this run plays ${label} ${show(b)}; latencies compare only between runs of the same game day, profile and script`;
      return { comparable: false, message };
    }
    alike.push(`${label} ${show(a)}`);
  }
  return { comparable: true, message: alike.length ? `same ${alike.join(', ')}` : 'the two runs record nothing to compare them by: comparability not checked' };
}

/** At the edge, before anything runs: a baseline of another game day, profile or script is a usage error. */
export function assertComparable(baseline: Baseline, current: RecordedRun | undefined): void {
  const { comparable, message } = comparability(baseline, current);
  if (!comparable) throw new UsageError(`--baseline ${baseline.file}: ${message}; pass the report.json of a run of the same`);
}

function show(value: string | null | undefined): string {
  return value === null || value === undefined ? '(none)' : `"${value}"`;
}
