import pg from 'pg';
import { EnvironmentError } from '../errors.js';
import { spawnManaged, stopChild } from '../lifecycle/children.js';
import { distEntry } from '../paths.js';
import { databasePort, type StackDefinition } from '../stack/definition.js';
import { redactUrl } from '../stack/environment.js';
import { freshPgliteDataDir } from './pglite-template.js';
import { waitForReady } from './wait-ready.js';

/** The stack's database: the user's PostgreSQL (checked) or the embedded PGlite server (started). */
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

/**
 * Starts the embedded PGlite server (reference-stack/pglite/main) on the stack's database port,
 * on a fresh copy of an initialised data directory (initdb inside WebAssembly takes many seconds;
 * a copy takes milliseconds). Returns at once: `ready` says when it accepts connections, so the
 * services that do not use the database can start meanwhile.
 */
export async function startEmbeddedDatabase(def: StackDefinition, logFile: string, readyTimeoutMs: number): Promise<StackDatabase> {
  const port = databasePort(def);
  const data = await freshPgliteDataDir(def.database.entry, logFile, readyTimeoutMs);
  const child = spawnManaged({
    name: 'postgres',
    command: process.execPath,
    args: [distEntry(def.database.entry)],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', PGLITE_DATA_DIR: data.dir, SERVICE_NAME: 'postgres', REPLICA_ID: 'postgres-1' },
    logFile,
    ipc: true,
  });
  const ready = waitForReady(child, logFile, readyTimeoutMs, 'the embedded database (PGlite)');
  ready.catch(() => undefined); // observed by the caller; never an unhandled rejection meanwhile
  return {
    url: `postgres://${def.database.user}@127.0.0.1:${port}/${def.database.database}`,
    embedded: true,
    ready,
    // PGlite has been seen ignoring SIGTERM: a short grace, then SIGKILL
    stop: async () => {
      await stopChild(child, 3_000);
      data.remove();
    },
  };
}
