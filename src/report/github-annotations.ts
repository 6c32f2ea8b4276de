import type { CheckResult } from '../run/records.js';

/**
 * GitHub Actions workflow commands for a judged run: one `::error` per failed item (each failed
 * budget and sub-check, with its figure and limit; the check itself when no item says why) and one
 * `::warning` per item that could not tell. Printed on stdout when `GITHUB_ACTIONS=true`, they
 * become annotations on the job and the pull request.
 */
export function githubAnnotations(checks: readonly CheckResult[]): string[] {
  const out: string[] = [];
  for (const check of checks) {
    if (check.status !== 'fail' && check.status !== 'inconclusive') continue;
    const command = check.status === 'fail' ? 'error' : 'warning';
    const title = `peakready ${check.title}${check.status === 'inconclusive' ? ' (inconclusive)' : ''}`;
    const items = check.details.filter((d) => d.status === check.status);
    if (items.length === 0) {
      out.push(workflowCommand(command, title, `${check.title}: ${check.figure} (limit ${check.limit})${check.reason ? `; ${check.reason}` : ''}`));
      continue;
    }
    for (const d of items) out.push(workflowCommand(command, title, `${d.name}: ${d.figure} (limit ${d.limit})${d.note ? `; ${d.note}` : ''}`));
  }
  return out;
}

/** Whether this process runs in a GitHub Actions job. */
export function inGithubActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/** `::error title=…::message`, escaped as the runner reads workflow commands. */
function workflowCommand(command: 'error' | 'warning', title: string, message: string): string {
  return `::${command} title=${escapeProperty(title)}::${escapeData(message)}`;
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
