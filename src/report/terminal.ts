import { Chalk } from 'chalk';
import Table from 'cli-table3';
import { describeInterruption } from '../run/timeline.js';
import type { Judgement } from '../verify/index.js';

/** Colour only for a terminal that wants it: not with NO_COLOR set (any value), not when piped. */
export function useColor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

/** The verdict table: one row per check with its figure, limit and outcome, the judge's verdict, then the failures' reasons. */
export function renderVerdictTable(judged: Pick<Judgement, 'checks' | 'verdict' | 'interrupted'>, options: { color: boolean }): string {
  const { checks } = judged;
  // the test rig's row is context for the checks, not a check of the system
  const judgedChecks = checks.filter((x) => x.id !== 'rig').length;
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const mark = { pass: c.green('PASS'), fail: c.red.bold('FAIL'), skip: c.yellow('SKIP'), inconclusive: c.magenta.bold('INCONCL') } as const;
  const table = new Table({
    head: ['check', 'figure', 'limit', 'result'].map((h) => c.bold(h)),
    // cli-table3 colours head and borders itself unless told not to
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [24, 34, 30, 8],
  });
  for (const check of checks) table.push([check.title, check.figure, check.limit, mark[check.status]]);
  const failed = checks.filter((x) => x.status === 'fail');
  const verdict =
    judged.verdict === 'interrupted'
      ? c.yellow.bold(`VERDICT: INTERRUPTED (${judged.interrupted ? describeInterruption(judged.interrupted) : 'the run stopped before its end'}; the checks judge only what was measured until then)`)
      : judged.verdict === 'pass'
      ? c.green.bold('VERDICT: PASS')
      : judged.verdict === 'inconclusive'
        ? c.magenta.bold(`VERDICT: INCONCLUSIVE (${checks.filter((x) => x.status === 'inconclusive').length} of ${judgedChecks} checks could not tell: see the test rig)`)
        : failed.length
        ? c.red.bold(`VERDICT: FAIL (${failed.length} of ${judgedChecks} checks failed)`)
        : c.red.bold('VERDICT: FAIL (nothing was judged: every check skipped)');
  const lines = [table.toString(), verdict];
  for (const check of checks) {
    if (check.status === 'fail') lines.push(`  ${c.red('✗')} ${check.title}: ${check.reason ?? 'failed'}`);
    else if (check.status === 'inconclusive') lines.push(`  ${c.magenta('?')} ${check.title}: inconclusive, ${check.reason ?? 'the rig was starved'}`);
    else if (check.status === 'skip') lines.push(`  ${c.yellow('-')} ${check.title}: skipped, ${check.reason ?? 'no inputs'}`);
  }
  return lines.join('\n') + '\n';
}
