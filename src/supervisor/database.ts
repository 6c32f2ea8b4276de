import pg from 'pg';
import { EnvironmentError } from '../errors.js';
import { redactUrl } from '../stack/environment.js';

/** The stack's database: the user's PostgreSQL (checked) or the embedded PGlite server (started, `embedded-database.ts`). */
export interface StackDatabase {
  url: string;
  embedded: boolean;
  /** resolves when the database accepts connections; rejects with a one-line EnvironmentError */
  ready: Promise<void>;
  stop(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 5_000;

/** Fails fast, with one line, when DATABASE_URL cannot be reached or refuses us. */
export async function checkDatabase(url: string): Promise<StackDatabase> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EnvironmentError(`--database-url / DATABASE_URL "${redactUrl(url)}" is not a URL; write it like postgres://user:password@127.0.0.1:5432/dbname`);
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new EnvironmentError(`--database-url / DATABASE_URL must be a postgres:// URL, not ${parsed.protocol}//...; write it like postgres://user:password@127.0.0.1:5432/dbname`);
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new EnvironmentError(
      `cannot reach the database at ${redactUrl(url)} (${reason}: ${(error as Error).message}); start PostgreSQL or fix --database-url / DATABASE_URL ` +
        '(or leave both unset to use the embedded PGlite database)',
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  return { url, embedded: false, ready: Promise.resolve(), stop: async () => undefined };
}
