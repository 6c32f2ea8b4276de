import type { CheckResult } from '../run/records.js';

type Detail = CheckResult['details'][number];

/** A check that could not run on this run directory, and why. */
export function skipped(id: string, title: string, reason: string, limit = '-'): CheckResult {
  return { id, title, status: 'skip', figure: '-', limit, details: [], reason };
}

/** fail if any detail failed, pass if any passed, else skip; `reason` = the first failure. */
export function fromDetails(id: string, title: string, figure: string, limit: string, details: Detail[], skipReason = 'nothing to judge'): CheckResult {
  const failed = details.find((d) => d.status === 'fail');
  const status = failed ? 'fail' : details.some((d) => d.status === 'pass') ? 'pass' : 'skip';
  const result: CheckResult = { id, title, status, figure, limit, details };
  if (failed) result.reason = `${failed.name}: ${failed.figure} (limit ${failed.limit})${failed.note ? `; ${failed.note}` : ''}`;
  else if (status === 'skip') result.reason = details.find((d) => d.note)?.note ?? skipReason;
  return result;
}

export function pct(ratio: number): string {
  return `${Number((ratio * 100).toFixed(2))}%`;
}

export function ms(value: number): string {
  return value >= 100 ? `${Math.round(value)}ms` : `${Number(value.toFixed(1))}ms`;
}
