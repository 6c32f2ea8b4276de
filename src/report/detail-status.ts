import type { CheckDetail } from '../run/records.js';

/** How a report shows a detail: its status, or `warn` for a pass the check noted a warning on. */
export type ShownStatus = CheckDetail['status'] | 'warn';

/** A pass whose note starts with `warning:` shows as a warning, never as pass and warn at once. */
export function shownStatus(detail: Pick<CheckDetail, 'status' | 'note'>): ShownStatus {
  return detail.status === 'pass' && detail.note?.startsWith('warning:') ? 'warn' : detail.status;
}

/** The note without its `warning:` prefix (the status says it). */
export function shownNote(detail: Pick<CheckDetail, 'status' | 'note'>): string {
  const note = detail.note ?? '';
  return shownStatus(detail) === 'warn' ? note.replace(/^warning:\s*/, '') : note;
}

/** Failures first, then what could not tell, warnings, passes and skips: the reason a reader opens a check. */
export function worstFirst<T extends Pick<CheckDetail, 'status' | 'note'>>(details: readonly T[]): T[] {
  const rank: Record<ShownStatus, number> = { fail: 0, inconclusive: 1, warn: 2, pass: 3, skip: 4 };
  return details.map((d, i) => ({ d, i })).sort((a, b) => rank[shownStatus(a.d)] - rank[shownStatus(b.d)] || a.i - b.i).map((x) => x.d);
}

/** Details a report folds under one label (`group`): none failed or warned, so nothing in them needs reading. */
export interface FoldedGroup<T> {
  label: string;
  details: T[];
  /** the subjects the rows are about: each detail name's first word (a service) */
  subjects: string[];
}

/** A check's details split into the rows to show, worst first, and the groups to fold. */
export function foldGroups<T extends Pick<CheckDetail, 'status' | 'note' | 'group' | 'name'>>(details: readonly T[]): { shown: T[]; folded: Array<FoldedGroup<T>> } {
  const groups = new Map<string, T[]>();
  const shown: T[] = [];
  for (const d of details) {
    if (d.group && d.status !== 'fail' && shownStatus(d) !== 'warn') groups.set(d.group, [...(groups.get(d.group) ?? []), d]);
    else shown.push(d);
  }
  const folded = [...groups].map(([label, list]) => ({ label, details: list, subjects: [...new Set(list.map((d) => d.name.split(' ')[0]!))] }));
  return { shown: worstFirst(shown), folded };
}
