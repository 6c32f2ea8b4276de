import type { CheckResult, CheckStatus } from '../run/records.js';

/**
 * JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters): one testsuite per
 * check, a testcase per detail (each budget threshold is a detail of the budgets check), or one
 * for the check itself when it has none; so each failed item is counted once. `failure` for a fail, `skipped` for a skip, `error` (type `inconclusive`)
 * for a check that could not tell because the test rig was starved: not the system's failure, not a pass.
 */
export function renderJunit(checks: readonly CheckResult[], runId: string, timestamp = new Date(), interrupted?: string): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const count = (status: string) => checks.reduce((n, c) => n + cases(c).filter((x) => x.status === status).length, 0);
  const total = checks.reduce((n, c) => n + cases(c).length, 0) + (interrupted ? 1 : 0);
  out.push(`<testsuites name="peakready ${attr(runId)}" tests="${total}" failures="${count('fail')}" skipped="${count('skip')}" errors="${count('inconclusive') + (interrupted ? 1 : 0)}" time="0">`);
  if (interrupted) {
    // a run cut short must not read as green in CI, whatever its checks judged until then
    out.push(
      `  <testsuite name="run" tests="1" failures="0" skipped="0" errors="1" time="0" timestamp="${timestamp.toISOString().slice(0, 19)}">`,
      `    <testcase classname="peakready.run" name="run completed" time="0">`,
      `      <error message="${attr(interrupted)}" type="interrupted">${body(interrupted)}</error>`,
      '    </testcase>',
      '  </testsuite>',
    );
  }
  for (const check of checks) {
    const list = cases(check);
    out.push(
      `  <testsuite name="${attr(check.id)}" tests="${list.length}" failures="${list.filter((x) => x.status === 'fail').length}" skipped="${list.filter((x) => x.status === 'skip').length}" errors="${list.filter((x) => x.status === 'inconclusive').length}" time="0" timestamp="${timestamp.toISOString().slice(0, 19)}">`,
    );
    for (const tc of list) {
      const open = `    <testcase classname="peakready.${attr(check.id)}" name="${attr(tc.name)}" time="0"`;
      const text = `${tc.figure} (limit ${tc.limit})${tc.note ? `: ${tc.note}` : ''}`;
      if (tc.status === 'pass') out.push(`${open}>`, `      <system-out>${body(text)}</system-out>`, '    </testcase>');
      else if (tc.status === 'skip') out.push(`${open}>`, `      <skipped message="${attr(tc.note ?? 'skipped')}"/>`, '    </testcase>');
      else if (tc.status === 'inconclusive') out.push(`${open}>`, `      <error message="${attr(text)}" type="inconclusive">${body(text)}</error>`, '    </testcase>');
      else out.push(`${open}>`, `      <failure message="${attr(text)}" type="${attr(check.id)}">${body(text)}</failure>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

interface Case {
  name: string;
  status: CheckStatus;
  figure: string;
  limit: string;
  note?: string;
}

/**
 * The check's details as testcases; the check itself only when it has no details, or when its
 * outcome (a failure, a could-not-tell) is not carried by any of them: a CI counts each failure once.
 */
function cases(check: CheckResult): Case[] {
  const own: Case = { name: check.title, status: check.status, figure: check.figure, limit: check.limit, ...(check.reason ? { note: check.reason } : {}) };
  // a check that passed passes in CI too: an item it judged below its own bar (a service's reaction
  // the scale-out check weighs, not fails on) is written as a passing case that says so
  const demoted = (d: CheckResult['details'][number]) => check.status === 'pass' && d.status === 'fail';
  const details: Case[] = check.details.map((d) => {
    const note = demoted(d) ? `missed, not failing the check${d.note ? `: ${d.note}` : ''}` : d.note;
    return { name: `${check.title}: ${d.name}`, status: demoted(d) ? 'pass' : d.status, figure: d.figure, limit: d.limit, ...(note ? { note } : {}) };
  });
  const carried = check.status === 'pass' || check.status === 'skip' || details.some((d) => d.status === check.status);
  return details.length && carried ? details : [own, ...details];
}

// characters XML 1.0 does not allow at all (control characters other than tab, LF, CR)
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function body(text: string): string {
  return text.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(text: string): string {
  return body(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}
