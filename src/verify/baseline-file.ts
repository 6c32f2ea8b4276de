import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatFieldPath } from '../config/load-yaml.js';
import { UsageError } from '../errors.js';

const route = z.object({ name: z.string(), requests: z.number(), errorRate: z.number(), rps: z.number(), p95: z.number() });
const baselineSchema = z.object({ version: z.literal(1), figures: z.object({ total: route, routes: z.array(route) }) });

/** `--baseline FILE`: an earlier run's report.json, reduced to the figures the comparison reads. */
export interface Baseline {
  file: string;
  figures: z.infer<typeof baselineSchema>['figures'];
}

/**
 * Reads and validates `--baseline FILE` at the edge, before anything runs: a file that cannot be
 * read or is not a report.json is a usage error naming the field.
 */
export function loadBaseline(file: string): Baseline {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--baseline ${file}: ${(error as Error).message}; pass the report.json of an earlier run`);
  }
  return parseBaseline(json, file);
}

export function parseBaseline(reportJson: unknown, file = 'baseline'): Baseline {
  const parsed = baselineSchema.safeParse(reportJson);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--baseline ${file}: not a peakready report.json (${formatFieldPath(issue.path) || 'top level'}: ${issue.message}); pass the report.json of an earlier run`);
  }
  return { file, figures: parsed.data.figures };
}
