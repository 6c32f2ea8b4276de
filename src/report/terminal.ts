import { Chalk } from 'chalk';
import { describeInterruption } from '../run/timeline.js';
import type { CheckResult } from '../run/records.js';
import { renderTable, truncate, wrapText } from '../util/text-table.js';
import type { Judgement } from '../verify/index.js';

/** Colour only for a terminal that wants it: not with NO_COLOR set (any value), not when piped. */
export function useColor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

export interface VerdictTableOptions {
  color: boolean;
  /** the terminal's columns (default 100); the table and the lines under it fit them */
  width?: number;
}

/** A note under a failed item is evidence, not the report: a few lines at most. */
const NOTE_CHARS = 240;

/**
 * The verdict table: one row per check with its figure, limit and outcome; the judge's verdict;
 * then every item that failed (each failed budget and sub-check with its figure and limit), that
 * could not tell, or was skipped, each wrapped to the width.
 */
export function renderVerdictTable(judged: Pick<Judgement, 'checks' | 'verdict' | 'interrupted'>, options: VerdictTableOptions): string {
  const { checks } = judged;
  const width = options.width ?? 100;
  // the test rig's row is context for the checks, not a check of the system
  const judgedChecks = checks.filter((x) => x.id !== 'rig').length;
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const mark = {
    pass: { text: 'PASS', style: c.green },
    fail: { text: 'FAIL', style: c.red.bold },
    skip: { text: 'SKIP', style: c.yellow },
    inconclusive: { text: 'INCONCL', style: c.magenta.bold },
  } as const;
  const table = renderTable({
    head: ['check', 'figure', 'limit', 'result'],
    rows: checks.map((check) => [check.title, check.figure, check.limit, mark[check.status]]),
    width,
    headStyle: (s) => c.bold(s),
  });
  const failed = checks.filter((x) => x.status === 'fail');
  const verdict =
    judged.verdict === 'interrupted'
      ? c.yellow.bold(`VERDICT: INTERRUPTED (${judged.interrupted ? describeInterruption(judged.interrupted) : 'the run stopped before its end'}; the checks judge only what was measured until then)`)
      : judged.verdict === 'pass'
      ? c.green.bold('VERDICT: PASS')
      : judged.verdict === 'inconclusive'
        ? c.magenta.bold(`VERDICT: INCONCLUSIVE (${checks.filter((x) => x.status === 'inconclusive').length} of ${judgedChecks} checks could not tell: see the test rig)`)
        : failed.length
          ? c.red.bold(`VERDICT: FAIL (${failed.length} of ${judgedChecks} checks failed${failedItemCount(failed)})`)
          : c.red.bold('VERDICT: FAIL (nothing was judged: every check skipped)');
  const lines = [table, verdict];
  const item = (marker: string, text: string, indent: number) => hanging(marker, text, indent, width);
  for (const check of checks) {
    if (check.status === 'fail' || check.status === 'inconclusive') {
      const bad = check.details.filter((d) => d.status === check.status);
      const marker = check.status === 'fail' ? c.red('✗') : c.magenta('?');
      const headline = check.status === 'fail' ? `${check.title}: ${check.figure} (limit ${check.limit})` : `${check.title}: inconclusive`;
      if (bad.length === 0) {
        lines.push(...item(marker, `${headline}; ${check.reason ?? (check.status === 'fail' ? 'failed' : 'the rig was starved')}`, 2));
        continue;
      }
      lines.push(...item(marker, headline, 2));
      for (const d of bad) lines.push(...item('-', `${d.name}: ${d.figure} (limit ${d.limit})${d.note ? `; ${truncate(d.note, NOTE_CHARS)}` : ''}`, 4));
    } else if (check.status === 'skip') {
      lines.push(...item(c.yellow('-'), `${check.title}: skipped, ${check.reason ?? 'no inputs'}`, 2));
    }
  }
  return lines.join('\n') + '\n';
}

/** `; 5 items` when the failed checks name more failed items than checks. */
function failedItemCount(failed: readonly CheckResult[]): string {
  const items = failed.reduce((n, check) => n + Math.max(1, check.details.filter((d) => d.status === 'fail').length), 0);
  return items > failed.length ? `, ${items} items` : '';
}

/** `  ✗ text` wrapped to the width, continuation lines under the text. */
function hanging(marker: string, text: string, indent: number, width: number): string[] {
  const lead = ' '.repeat(indent);
  const body = wrapText(text, Math.max(20, width - indent - 2));
  return body.map((line, i) => (i === 0 ? `${lead}${marker} ${line}` : `${lead}  ${line}`));
}
