import pg from 'pg';
import type { SqlCheckOutcome, SqlChecksSnapshot } from '../run/records.js';
import { redactUrl } from '../stack/environment.js';
import { SQL_ROWS_SHOWN, type SqlInvariant } from './sql-invariant.js';

export interface SqlCheckOptions {
  /** embedded PGlite or a PostgreSQL server, recorded with the evidence */
  engine?: 'pglite' | 'postgres';
  connectTimeoutMs?: number;
  /** the client stops waiting this long after statement_timeout (PGlite does not enforce it) */
  clientGraceMs?: number;
}

const CONNECT_TIMEOUT_MS = 5_000;
const CLIENT_GRACE_MS = 2_000;
/** a cell's text longer than this is cut, so a row stays readable evidence */
const CELL_CHARS = 200;

/**
 * Runs each SQL invariant against the database at `url`, one at a time, each on its own
 * connection in its own `BEGIN READ ONLY` transaction with `SET LOCAL statement_timeout`, then
 * ROLLBACK. The query goes through the extended protocol, so it is exactly one statement (no
 * `COMMIT; DELETE ...` can leave the read-only transaction). A query that returns rows breaks
 * its invariant (the first rows are the evidence); one that fails (syntax, permission, a write
 * refused, timeout) is recorded with the database's message, never thrown. An unreachable
 * database is recorded on every query.
 */
export async function runSqlChecks(url: string, invariants: readonly SqlInvariant[], options: SqlCheckOptions = {}): Promise<SqlChecksSnapshot> {
  const t = Date.now();
  const checks: SqlCheckOutcome[] = [];
  let unreachable: string | undefined;
  for (const invariant of invariants) {
    if (unreachable) {
      checks.push(failed(invariant, { error: `not run: ${unreachable}` }, 0));
      continue;
    }
    const outcome = await runOne(url, invariant, options);
    if ('unreachable' in outcome) {
      unreachable = outcome.unreachable;
      checks.push(failed(invariant, { error: unreachable, ...(outcome.code ? { code: outcome.code } : {}) }, 0));
    } else {
      checks.push(outcome);
    }
  }
  return { t, durationMs: Date.now() - t, database: redactUrl(url), ...(options.engine ? { engine: options.engine } : {}), checks };
}

/** The database answers `SELECT 1` (for the dry run): ok, or the reason in one line. */
export async function pingDatabase(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<{ ok: boolean; detail: string }> {
  const client = clientFor(url, timeoutMs, timeoutMs);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true, detail: 'answers SELECT 1' };
  } catch (error) {
    return { ok: false, detail: reasonOf(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function runOne(url: string, invariant: SqlInvariant, options: SqlCheckOptions): Promise<SqlCheckOutcome | { unreachable: string; code?: string }> {
  const client = clientFor(url, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, invariant.timeoutMs + (options.clientGraceMs ?? CLIENT_GRACE_MS));
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    return { unreachable: `cannot reach the database at ${redactUrl(url)} (${reasonOf(error)})`, ...codeOf(error) };
  }
  const started = Date.now();
  try {
    await client.query('BEGIN READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.round(invariant.timeoutMs)}`);
    // extended protocol: one statement, never a batch that could COMMIT and go on writing
    const result = await client.query({ text: invariant.query, queryMode: 'extended' } as pg.QueryConfig);
    return rowsOutcome(invariant, result.rows as Array<Record<string, unknown>>, Date.now() - started);
  } catch (error) {
    return failed(invariant, { error: messageOf(error, invariant), ...codeOf(error) }, Date.now() - started);
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}

function clientFor(url: string, connectTimeoutMs: number, queryTimeoutMs: number): pg.Client {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs, query_timeout: queryTimeoutMs, application_name: 'peakready-sql-checks' });
  client.on('error', () => undefined);
  return client;
}

function rowsOutcome(invariant: SqlInvariant, rows: Array<Record<string, unknown>>, durationMs: number): SqlCheckOutcome {
  const shown = rows.slice(0, SQL_ROWS_SHOWN).map(jsonSafeRow);
  return { name: invariant.name, query: invariant.query, outcome: rows.length ? 'rows' : 'clean', rowCount: rows.length, rows: shown, durationMs };
}

function failed(invariant: SqlInvariant, why: { error: string; code?: string }, durationMs: number): SqlCheckOutcome {
  return { name: invariant.name, query: invariant.query, outcome: 'error', rowCount: 0, rows: [], ...why, durationMs };
}

/** The database's own words, with its hint; a client-side timeout says how long it waited. */
function messageOf(error: unknown, invariant: SqlInvariant): string {
  const e = error as Error & { hint?: string; code?: string };
  if (/Query read timeout/i.test(e.message ?? '')) {
    return `no answer within ${invariant.timeoutMs / 1000} s (+ grace); the database did not enforce statement_timeout (embedded PGlite cannot), so the client stopped waiting`;
  }
  return `${e.message ?? String(error)}${e.hint ? ` (hint: ${e.hint})` : ''}`;
}

function reasonOf(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code && !e.message?.includes(e.code) ? `${e.code}: ${e.message}` : (e.message ?? String(error));
}

function codeOf(error: unknown): { code?: string } {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { code } : {};
}

/** A row as JSON keeps it: dates as ISO text, bytes as hex, long text cut. */
function jsonSafeRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonSafe(v)]));
}

function jsonSafe(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`.slice(0, CELL_CHARS);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' && value.length > CELL_CHARS) return `${value.slice(0, CELL_CHARS - 1)}…`;
  if (value !== null && typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length > CELL_CHARS ? `${text.slice(0, CELL_CHARS - 1)}…` : value;
  }
  return value;
}
