import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { ReplicaReadyMessage } from '../../src/stack/contract.js';
import { exitWithParent } from '../../src/lifecycle/children.js';

/**
 * The embedded database: PGlite (Postgres compiled to WebAssembly) served over the PostgreSQL
 * wire protocol, so services reach it through `DATABASE_URL` exactly as they reach a real server.
 * Follows the replica contract: PORT (0 = ephemeral) on HOST, one IPC `{type:'ready', port}`,
 * SIGTERM ends it (with a forced exit: a PGlite was seen ignoring it), exits with its parent.
 *
 * PGlite has ONE backend: the socket server funnels every connection into it and runs one
 * transaction at a time, so callers keep transactions short and free of network waits.
 *
 *   PGLITE_DATA_DIR          keep the data here (default: a temp folder removed on exit)
 *   PGLITE_MAX_CONNECTIONS   connections accepted at once (default 200)
 */

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? '0');
const maxConnections = Number(process.env.PGLITE_MAX_CONNECTIONS ?? '200');
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT="${process.env.PORT}" is not a port number; use 0 for any free port`);
if (!Number.isInteger(maxConnections) || maxConnections < 1) fail(`PGLITE_MAX_CONNECTIONS="${process.env.PGLITE_MAX_CONNECTIONS}" must be a whole number ≥ 1`);

const ownDir = process.env.PGLITE_DATA_DIR ? undefined : mkdtempSync(join(tmpdir(), 'peakready-pglite-'));
const dataDir = process.env.PGLITE_DATA_DIR ?? ownDir!;

function fail(message: string): never {
  process.stderr.write(`pglite: ${message}\n`);
  process.exit(1);
}

function removeOwnDir(): void {
  if (ownDir) rmSync(ownDir, { recursive: true, force: true });
}

let server: PGLiteSocketServer | undefined;
let db: PGlite | undefined;
let stopping: Promise<void> | undefined;

function stop(): Promise<void> {
  stopping ??= (async () => {
    const force = setTimeout(() => {
      removeOwnDir();
      process.exit(0);
    }, 3000);
    force.unref();
    await server?.stop().catch(() => undefined);
    await db?.close().catch(() => undefined);
    removeOwnDir();
  })();
  return stopping;
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void stop().finally(() => process.exit(0)));
}
process.on('exit', removeOwnDir);
exitWithParent(stop);

try {
  db = await PGlite.create(dataDir);
  server = new PGLiteSocketServer({ db, host, port, maxConnections });
  await server.start();
} catch (error) {
  process.stderr.write(`pglite: could not start on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop();
  process.exit(1);
}
const actualPort = Number(server.getServerConn().split(':').pop());
const message: ReplicaReadyMessage = { type: 'ready', port: actualPort };
process.send?.(message);
process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', service: 'postgres', msg: 'ready', port: actualPort, dataDir }) + '\n');
