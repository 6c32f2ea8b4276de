import { z } from 'zod';
import { durationField } from '../config/duration-field.js';
import { strictObject } from '../config/strict-object.js';
import { hasEnvReference } from '../util/env-ref.js';

/**
 * An SQL invariant: a read-only query over the system's own database that returns the rows that
 * break a rule (duplicate orders per idempotency key, negative stock). Zero rows: the rule holds.
 */
export interface SqlInvariant {
  name: string;
  query: string;
  description?: string;
  /** statement_timeout of its transaction, ms */
  timeoutMs: number;
}

export const DEFAULT_SQL_TIMEOUT_MS = 10_000;
/** rows of a broken invariant kept as its evidence */
export const SQL_ROWS_SHOWN = 10;

/** One query as a user writes it (the game-day file's `checks.integrity.sql[]`). */
export const sqlInvariantSchema = strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, ".", "_" or "-" only, e.g. orders-once-per-key').describe('names the invariant in the verdict'),
  query: z
    .string()
    .min(1)
    .describe('one SELECT returning the rows that break the rule; zero rows = it holds. One statement, run in its own READ ONLY transaction and rolled back'),
  description: z.string().optional().describe('why the rule matters, shown with its evidence'),
  timeout: durationField.prefault(DEFAULT_SQL_TIMEOUT_MS).describe('statement_timeout of its transaction (default 10s)'),
}).transform(({ timeout, ...rest }): SqlInvariant => ({ ...rest, timeoutMs: timeout }));

/**
 * A PostgreSQL URL, or a value naming environment variables (`${DATABASE_URL}`,
 * `postgres://shop:${PGPASSWORD}@db:5432/shop`) that the drill expands, so a password need not be
 * in the file; the expanded value is checked when the drill plans.
 */
export const databaseUrlField = z
  .string()
  .refine((u) => /^postgres(ql)?:\/\//.test(u) || hasEnvReference(u), 'write a PostgreSQL URL like "postgres://user:pass@127.0.0.1:5432/db", or "${DATABASE_URL}" to read it from the environment');
