import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A real PostgreSQL for tests: a fresh, uniquely named database per test file on the server at
 * PEAKREADY_TEST_DATABASE_URL (default: the role and database `.ci/run` creates), dropped after.
 * An unreachable server FAILS the test with the fix, so "no PostgreSQL" never reads as a pass.
 */

export const TEST_DATABASE_URL = process.env.PEAKREADY_TEST_DATABASE_URL ?? 'postgres://peakready:peakready@127.0.0.1:5432/peakready';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (error) {
    const reason = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
    throw new Error(
      `PostgreSQL at ${redact(TEST_DATABASE_URL)} is unreachable (${reason}); run \`.ci/run\` (it installs and starts PostgreSQL ` +
        'and creates the peakready role) or set PEAKREADY_TEST_DATABASE_URL to a server where the user may CREATE DATABASE',
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates `peakready_t_<label>_<random>` and returns its URL; `drop()` removes it (closing its connections). */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const safe = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 20);
  const name = `peakready_t_${safe}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}
