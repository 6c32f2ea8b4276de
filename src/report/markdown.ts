import { describeInterruption } from '../run/timeline.js';
import { foldGroups, shownNote, shownStatus } from './detail-status.js';
import type { ReportJson } from './report-json.js';

const ICON = { pass: '✅', fail: '❌', skip: '⏭️', inconclusive: '❔', warn: '⚠️' } as const;

/** summary.md: the verdict, the checks, each failure's evidence and the per-route figures (GitHub-flavoured). */
export function renderMarkdown(report: ReportJson): string {
  const lines: string[] = [];
  const failed = report.checks.filter((c) => c.status === 'fail');
  // the test rig's row is context for the checks, not a check of the system
  const judgedChecks = report.checks.filter((c) => c.id !== 'rig').length;
  const inconclusive = report.checks.filter((c) => c.status === 'inconclusive').length;
  const headline =
    report.verdict === 'interrupted'
      ? `⏹️ INTERRUPTED (${report.interrupted ? describeInterruption(report.interrupted) : 'the run stopped before its end'}; judged only up to then)`
      : report.verdict === 'pass'
      ? '✅ PASS'
      : report.verdict === 'inconclusive'
        ? `❔ INCONCLUSIVE (${inconclusive} of ${judgedChecks} checks could not tell: see the test rig)`
        : failed.length ? `❌ FAIL (${failed.length} of ${judgedChecks} checks)` : '❌ FAIL (nothing was judged: every check skipped)';
  lines.push(`## peakready: ${headline}`, '');
  lines.push(`Run \`${cell(report.run.id)}\`, ${Math.round(report.run.durationMs / 1000)} s, ${report.figures.total.requests} requests.`, '');
  const defects = seededDefects(report.run.config);
  if (defects.length) lines.push(`Seeded defects on (the bundled shop broken on purpose): ${defects.map((d) => `\`${cell(d)}\``).join(', ')}.`, '');
  lines.push('| check | figure | limit | result |', '|---|---|---|---|');
  for (const c of report.checks) lines.push(`| ${cell(c.title)} | ${cell(c.figure)} | ${cell(c.limit)} | ${ICON[c.status]} ${c.status} |`);
  lines.push('');
  // every check that did not pass, and any that passed with a warning (the rig's saturation, a failed probe)
  for (const c of report.checks.filter((x) => x.status !== 'pass' || x.details.some((d) => shownStatus(d) === 'warn'))) {
    lines.push(`<details${c.status === 'fail' ? ' open' : ''}><summary>${ICON[c.status]} ${markdownText(c.title)}: ${markdownText(c.reason ?? c.status)}</summary>`, '');
    if (c.details.length) {
      lines.push('| | figure | limit | note |', '|---|---|---|---|');
      const { shown, folded } = foldGroups(c.details);
      for (const d of shown) lines.push(`| ${ICON[shownStatus(d)]} ${cell(d.name)} | ${cell(d.figure)} | ${cell(d.limit)} | ${cell(shownNote(d))} |`);
      // rows in which nothing happened are one line (report.html opens them)
      for (const g of folded) lines.push(`| ${ICON.skip} ${g.subjects.length} ${cell(g.label)}: ${cell(g.subjects.join(', '))} | | | ${g.details.length} rows folded |`);
      lines.push('');
    }
    lines.push('</details>', '');
  }
  lines.push('| route | requests | errors | req/s | p50 | p95 | p99 |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const r of [...report.figures.routes, report.figures.total]) {
    lines.push(`| ${cell(r.name)} | ${r.requests} | ${(r.errorRate * 100).toFixed(2)}% | ${r.rps.toFixed(1)} | ${r.p50.toFixed(0)} ms | ${r.p95.toFixed(0)} ms | ${r.p99.toFixed(0)} ms |`);
  }
  return lines.join('\n') + '\n';
}

/** config.json's `defects`: the seeded defects the drill switched on, if any. */
function seededDefects(config: unknown): string[] {
  const defects = (config as { defects?: unknown } | null)?.defects;
  return Array.isArray(defects) ? defects.filter((d): d is string => typeof d === 'string') : [];
}

/** Table cells: pipes and newlines would break the row. */
function cell(text: string): string {
  return markdownText(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * Text that reads the same raw and rendered: only what Markdown or HTML would take as markup is
 * escaped (a `<` that could open a tag, a `&` that could start an entity), so `>=`, `<= 6s` and
 * `p(95)<800` stay as written in the file.
 */
function markdownText(text: string): string {
  return text.replace(/&(?=#?\w+;)/g, '&amp;').replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

