import type { CheckResult } from '../run/records.js';
import type { RunData } from '../run/run-data.js';

type Detail = CheckResult['details'][number];

/** A check that could not run on this run directory, and why. */
export function skipped(id: string, title: string, reason: string, limit = '-'): CheckResult {
  return { id, title, status: 'skip', figure: '-', limit, details: [], reason };
}

/**
 * fail if any detail failed, else inconclusive if one could not tell, pass if any passed, else
 * skip; `reason` = the first failure (or the first detail that could not tell).
 */
export function fromDetails(id: string, title: string, figure: string, limit: string, details: Detail[], skipReason = 'nothing to judge'): CheckResult {
  const failed = details.find((d) => d.status === 'fail') ?? details.find((d) => d.status === 'inconclusive');
  const status = failed ? failed.status : details.some((d) => d.status === 'pass') ? 'pass' : 'skip';
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

/**
 * Why a record of the load is missing when the drill ran it on the k6-operator (config.json
 * `engine`): the runners in the cluster give no request records, captures or summary back.
 * Undefined for any other run, whose own reason stands.
 */
export function operatorWithout(data: Pick<RunData, 'config'>, what: string): string | undefined {
  return data.config?.engine === 'k6-operator' ? `the load ran on k6-operator runners in the cluster, which give no ${what} back` : undefined;
}
