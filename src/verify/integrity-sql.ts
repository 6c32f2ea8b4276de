import type { CheckResult, SqlCheckOutcome, SqlChecksSnapshot } from '../run/records.js';
import type { Evidence } from './integrity-readback.js';

type Detail = CheckResult['details'][number];

/** rows named in a failing detail's note (all kept rows are in sql-checks.json) */
const ROWS_NOTED = 3;
const NOTE_CHARS = 400;

/**
 * The SQL invariants (sql-checks.json) judged: one detail per query. No rows: pass. Rows: FAIL
 * naming the query and its first rows. The query could not run (syntax, permission, a write the
 * read-only transaction refused, timeout, database unreachable): FAIL with the database's message,
 * because an invariant nobody could check is not a held one. No database URL at all: one skip
 * saying which queries did not run and how to give the URL.
 */
export function sqlEvidence(snapshot: SqlChecksSnapshot): Evidence {
  if (snapshot.skipped !== undefined) {
    return { details: [{ name: 'SQL invariants', status: 'skip', figure: 'not run', limit: '0 rows each', note: snapshot.skipped }], problems: 0 };
  }
  const details = snapshot.checks.map(sqlDetail);
  return { details, problems: details.filter((d) => d.status === 'fail').length };
}

function sqlDetail(check: SqlCheckOutcome): Detail {
  const name = `SQL ${check.name}`;
  if (check.outcome === 'error') {
    return { name, status: 'fail', figure: 'could not run', limit: '0 rows', note: cut(`${check.error ?? 'no message'}${check.code ? ` [SQLSTATE ${check.code}]` : ''}`) };
  }
  if (check.outcome === 'clean') return { name, status: 'pass', figure: '0 rows', limit: '0 rows' };
  const shown = check.rows.slice(0, ROWS_NOTED).map((r) => JSON.stringify(r));
  const more = check.rowCount > shown.length ? `, … (${check.rowCount - shown.length} more in sql-checks.json)` : '';
  return { name, status: 'fail', figure: `${check.rowCount}${check.more ? '+' : ''} rows`, limit: '0 rows', note: cut(`returned ${shown.join(', ')}${more}`) };
}

function cut(text: string): string {
  return text.length > NOTE_CHARS ? `${text.slice(0, NOTE_CHARS - 1)}…` : text;
}
