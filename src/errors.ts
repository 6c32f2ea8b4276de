import { ExitCode, type ExitCodeValue } from './exit-codes.js';

/**
 * Base of every error meant for a user: its message says what, where and the fix, and the CLI
 * prints it without a stack trace (the stack appears with --verbose).
 */
export class PeakreadyError extends Error {
  readonly exitCode: ExitCodeValue;
  constructor(message: string, exitCode: ExitCodeValue = ExitCode.internal, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A flag, argument or environment value the user must change. Exit code 2. */
export class UsageError extends PeakreadyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** One problem found in a user's file, located as precisely as the file allows. */
export interface ConfigIssue {
  file: string;
  line?: number;
  column?: number;
  /** dotted field path, e.g. `method[1].toxic.type` */
  field?: string;
  message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line !== undefined ? `${issue.file}:${issue.line}` : issue.file;
  return issue.field ? `${where} ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** A user-written file (scenario options, chaos experiment, budgets, manifest) is invalid. */
export class ConfigError extends PeakreadyError {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'), ExitCode.usage);
    this.issues = issues;
  }
}

/** Something the environment did not allow: a port in use, an unreachable database. */
export class EnvironmentError extends PeakreadyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
  }
}

/** "did you mean" for a misspelt name among known ones (Levenshtein distance ≤ 2). */
export function didYouMean(value: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length]!;
}
