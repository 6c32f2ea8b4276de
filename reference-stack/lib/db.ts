import { createRequire } from 'node:module';
import type * as PgModule from 'pg';
import type { Pool as PgPool, PoolClient, QueryResultRow } from 'pg';
import { envNumber, envString, identity } from './env.js';
import { errorMessage, log } from './log.js';
import { dbDuration } from './metrics.js';
import { failSpan, NO_TRACE, SpanKind, startSpan, tracingEnabled, type TraceContext } from './telemetry.js';

/**
 * The database a service owns: its own schema (`DB_SCHEMA`) in the PostgreSQL at `DATABASE_URL`
 * (embedded PGlite over the wire protocol by default, or a real server). SQL always names the
 * schema (`${db.schema}.table`) instead of relying on search_path, because PGlite funnels every
 * connection into ONE backend whose session settings all services would share.
 *
 * Rules for callers (PGlite runs one transaction at a time for everybody): keep transactions
 * short, and never wait on another service or connection inside one.
 *
 * Tracing: `db.within(ctx.trace)` is the database as seen by one request; each statement it runs
 * (BEGIN and COMMIT included) is a database CLIENT span, child of that request's span, with the
 * current semantic conventions (db.system.name, db.namespace, db.operation.name, db.query.text
 * as written, with $n placeholders, server.address/port). Work outside a request is not traced.
 */

// pg is CommonJS; loaded with require so its default export needs no interop
const require = createRequire(import.meta.url);
const pg = require('pg') as typeof PgModule;

export interface Queryable {
  query<R extends QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
}

/** the database as one piece of work sees it */
export interface DatabaseScope extends Queryable {
  /** the quoted schema identifier, e.g. "cart" */
  schema: string;
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
}

export interface Database extends DatabaseScope {
  /** the same database, its statements traced as children of `trace` (a request's context) */
  within(trace: TraceContext): DatabaseScope;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** idempotent DDL (`CREATE ... IF NOT EXISTS`), given the quoted schema; run under an advisory lock */
  migrations: (schema: string) => string[];
  /** idempotent data set-up run in the same migration transaction (e.g. seeding stock) */
  seed?: (tx: Queryable, schema: string) => Promise<void>;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const url = envString('DATABASE_URL');
  const rawSchema = envString('DB_SCHEMA', identity.service);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(rawSchema)) {
    throw new Error(`DB_SCHEMA="${rawSchema}" is not a plain lower-case identifier; use letters, digits and _`);
  }
  const schema = `"${rawSchema}"`;
  const pool: PgPool = new pg.Pool({
    connectionString: url,
    max: envNumber('DB_POOL_MAX', 5, { min: 1, max: 100, integer: true }),
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: identity.replica,
  });
  pool.on('error', (error) => log('warn', 'idle database connection failed', { error: errorMessage(error) }));

  const timed = async <T>(operation: 'query' | 'transaction', work: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    try {
      return await work();
    } finally {
      dbDuration.observe({ service: identity.service, operation }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  const inline = await usesInlineParameters(pool);
  const spanAttributes = databaseAttributes(url);
  const clientQuery = (client: PgPool | PoolClient, trace: TraceContext): Queryable => ({
    query: async <R extends QueryResultRow>(sql: string, params: unknown[] = []) => {
      const text = inline ? inlineParameters(sql, params) : sql;
      if (trace === NO_TRACE || !tracingEnabled()) return (await (inline ? client.query<R>(text) : client.query<R>(text, params))).rows;
      const operation = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? 'QUERY';
      const span = startSpan(`${operation} ${spanAttributes['db.namespace']}`, SpanKind.CLIENT, { ...spanAttributes, 'db.operation.name': operation, 'db.query.text': sql }, trace);
      try {
        return (await (inline ? client.query<R>(text) : client.query<R>(text, params))).rows;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (span) {
          if (typeof code === 'string') span.setAttribute('db.response.status_code', code);
          failSpan(span, typeof code === 'string' ? code : error instanceof Error ? error.constructor.name : 'Error', errorMessage(error));
        }
        throw error;
      } finally {
        span?.end();
      }
    },
  });

  const transaction = async <T>(work: (tx: Queryable) => Promise<T>, trace: TraceContext): Promise<T> => {
    const client = await pool.connect();
    const tx = clientQuery(client, trace);
    try {
      await tx.query('BEGIN');
      const result = await work(tx);
      await tx.query('COMMIT');
      return result;
    } catch (error) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  const scope = (trace: TraceContext): DatabaseScope => ({
    schema,
    query: (sql, params) => timed('query', () => clientQuery(pool, trace).query(sql, params)),
    transaction: (work) => timed('transaction', () => transaction(work, trace)),
  });
  const db: Database = { ...scope(NO_TRACE), within: scope, close: () => pool.end() };
  await migrate(db, rawSchema, options);
  return db;
}

/** What every database span of this replica says of the server (semconv). */
function databaseAttributes(url: string): { 'db.system.name': string; 'db.namespace': string; 'server.address': string; 'server.port': number } {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // a form only pg's own parser reads (a socket path): the spans name no server
  }
  return {
    'db.system.name': 'postgresql',
    'db.namespace': decodeURIComponent(parsed?.pathname.slice(1) ?? '') || 'postgres',
    'server.address': parsed?.hostname || 'localhost',
    'server.port': parsed?.port ? Number(parsed.port) : 5432,
  };
}

/**
 * Several replicas may start at once: the whole migration runs in one transaction holding a
 * transaction-scoped advisory lock keyed by the schema, so only one replica creates things and
 * the others find them done. Retries while the database is still starting.
 */
async function migrate(db: Database, rawSchema: string, options: OpenOptions): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`peakready:migrate:${rawSchema}`]);
        await tx.query(`CREATE SCHEMA IF NOT EXISTS ${db.schema}`);
        for (const statement of options.migrations(db.schema)) await tx.query(statement);
        await options.seed?.(tx, db.schema);
      });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`migrating schema ${rawSchema} failed: ${errorMessage(error)}`);
      log('warn', 'database not ready, retrying migrations', { attempt, error: errorMessage(error) });
      await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 1000)));
    }
  }
}

/**
 * PGlite's socket server interleaves the protocol messages of its connections whenever no
 * transaction is open, so two connections' extended-protocol Parse/Bind/Execute sequences (the
 * unnamed prepared statement) trample each other. Against PGlite every query therefore goes as
 * one simple-protocol message with its parameters written in as literals. DB_QUERY_MODE=inline
 * or =parameters overrides the detection.
 */
async function usesInlineParameters(pool: PgPool): Promise<boolean> {
  const mode = process.env.DB_QUERY_MODE;
  if (mode === 'inline') return true;
  if (mode === 'parameters') return false;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const rows = (await pool.query<{ version: string }>('SELECT version()')).rows;
      return /PGlite/i.test(rows[0]?.version ?? '');
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`database at DATABASE_URL is unreachable: ${errorMessage(error)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** `$1`..`$n` replaced by SQL literals (strings escaped as PostgreSQL's escapeLiteral does). */
export function inlineParameters(sql: string, params: readonly unknown[]): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= params.length) throw new Error(`query uses $${n} but has ${params.length} parameters`);
    return literal(params[index]);
  });
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as a SQL literal`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return quote(value.toISOString());
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(',')}]`;
  if (typeof value === 'object') return quote(JSON.stringify(value));
  return quote(String(value));
}

function quote(text: string): string {
  const body = text.replace(/'/g, "''");
  return text.includes('\\') ? ` E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/** True when a pg error is a unique-constraint violation (a concurrent duplicate won the race). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}
