import pg from 'pg';
import { EnvironmentError } from '../errors.js';
import { spawnManaged, stopChild } from '../lifecycle/children.js';
import { distEntry } from '../paths.js';
import { isReplicaReadyMessage } from './contract.js';
import { databasePort, type StackDefinition } from './definition.js';
import { redactUrl } from './environment.js';
import { logTail } from './log-tail.js';

/** The stack's database: the user's PostgreSQL (checked) or the embedded PGlite server (started). */
export interface StackDatabase {
  url: string;
  embedded: boolean;
  pid?: number;
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
  return { url, embedded: false, stop: async () => undefined };
}

/** Starts the embedded PGlite server (reference-stack/pglite/main) on the stack's database port. */
export async function startEmbeddedDatabase(def: StackDefinition, logFile: string, readyTimeoutMs: number): Promise<StackDatabase> {
  const port = databasePort(def);
  const child = spawnManaged({
    name: 'postgres',
    command: process.execPath,
    args: [distEntry(def.database.entry)],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SERVICE_NAME: 'postgres', REPLICA_ID: 'postgres-1' },
    logFile,
    ipc: true,
  });
  const fail = (why: string) => {
    const tail = logTail(logFile, 8);
    return new EnvironmentError(
      `the embedded database (PGlite) ${why}; see ${logFile}, or use a real PostgreSQL with --database-url` +
        (tail ? `\n  last log lines:\n${tail.replace(/^/gm, '    ')}` : ''),
    );
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      void stopChild(child, 1000);
      reject(fail(`did not become ready within ${Math.round(readyTimeoutMs / 1000)} s`));
    }, readyTimeoutMs);
    const onMessage = (message: unknown) => {
      if (!isReplicaReadyMessage(message)) return;
      cleanup();
      resolve();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(fail(signal ? `was killed by ${signal} while starting` : `exited with code ${code} while starting`));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(fail(`could not start: ${error.message}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.once('error', onError);
  });
  return {
    url: `postgres://${def.database.user}@127.0.0.1:${port}/${def.database.database}`,
    embedded: true,
    pid: child.pid,
    // PGlite has been seen ignoring SIGTERM: a short grace, then SIGKILL
    stop: () => stopChild(child, 3_000),
  };
}
