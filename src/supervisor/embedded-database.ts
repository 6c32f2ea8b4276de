import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnManaged, stopChild } from '../lifecycle/children.js';
import { distEntry } from '../paths.js';
import type { TimelineEvent } from '../run/records.js';
import { databasePort, type StackDefinition } from '../stack/definition.js';
import type { StackDatabase } from './database.js';
import { logTail } from './log-tail.js';
import { freshPgliteDataDir } from './pglite-template.js';
import { waitForReady } from './wait-ready.js';

interface EmbeddedDatabaseOptions {
  def: StackDefinition;
  logFile: string;
  readyTimeoutMs: number;
  /** the run's own copy of the initialised data directory; a restart keeps it (acknowledged writes must survive) */
  dataDir: string;
  removeData(): void;
  record(event: TimelineEvent): void;
}

/**
 * Starts the embedded PGlite server (reference-stack/pglite/main) on the stack's database port,
 * on a fresh copy of an initialised data directory (initdb inside WebAssembly takes many seconds;
 * a copy takes milliseconds). Returns at once: `ready` says when it accepts connections, so the
 * services that do not use the database can start meanwhile. From then on it is supervised as a
 * replica is (`EmbeddedDatabase`): a death nobody asked for is recorded and the server restarted.
 */
export async function startEmbeddedDatabase(def: StackDefinition, logFile: string, readyTimeoutMs: number, record: (event: TimelineEvent) => void = () => undefined): Promise<StackDatabase> {
  const data = await freshPgliteDataDir(def.database.entry, logFile, readyTimeoutMs);
  return new EmbeddedDatabase({ def, logFile, readyTimeoutMs, dataDir: data.dir, removeData: data.remove, record });
}

/** Restarts in a row that may fail to become ready before the database is given up as lost. */
const MAX_FAILED_RESTARTS = 3;
const MAX_BACKOFF_MS = 8_000;

/**
 * The embedded PGlite server, supervised as a replica is: when it dies unasked (a crash, an OOM
 * kill, a game-day tester's SIGKILL) the timeline gets a `database crashed` event and the server
 * is started again on the same data directory, so what it had committed is there again (or is
 * visibly not: the integrity check reads it). A restart that keeps failing ends in `database
 * lost`. Every dependent service meanwhile sees a refused connection, as it would in a cluster.
 */
export class EmbeddedDatabase implements StackDatabase {
  readonly url: string;
  readonly embedded = true;
  readonly ready: Promise<void>;
  private readonly options: EmbeddedDatabaseOptions;
  private child: ChildProcess;
  private failedRestarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: EmbeddedDatabaseOptions) {
    this.options = options;
    const { def } = options;
    this.url = `postgres://${def.database.user}@127.0.0.1:${databasePort(def)}/${def.database.database}`;
    this.child = this.spawn();
    this.ready = waitForReady(this.child, options.logFile, options.readyTimeoutMs, 'the embedded database (PGlite)');
    this.ready.then(
      () => this.supervise(this.child),
      () => undefined, // observed by the caller; never an unhandled rejection meanwhile
    );
  }

  /** PGlite has been seen ignoring SIGTERM: a short grace, then SIGKILL; the run's data copy goes with it. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearTimeout(this.restartTimer);
      await stopChild(this.child, 3_000);
      this.options.removeData();
    })();
    return this.stopping;
  }

  private spawn(): ChildProcess {
    const { def, dataDir, logFile } = this.options;
    return spawnManaged({
      name: 'postgres',
      command: process.execPath,
      args: [distEntry(def.database.entry)],
      env: { ...process.env, PORT: String(databasePort(def)), HOST: '127.0.0.1', PGLITE_DATA_DIR: dataDir, SERVICE_NAME: 'postgres', REPLICA_ID: 'postgres-1' },
      logFile,
      ipc: true,
    });
  }

  /** Watches a running server: an exit we did not ask for is recorded and answered with a restart. */
  private supervise(child: ChildProcess): void {
    child.once('exit', (code, signal) => {
      if (this.stopping || child !== this.child) return;
      const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
      this.options.record({ t: Date.now(), type: 'database', state: 'crashed', pid: child.pid ?? 0, detail: `the embedded database (PGlite) ${how}; restarting it on the same data` });
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    const delay = this.failedRestarts === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (this.failedRestarts - 1));
    this.restartTimer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.stopping) return;
    // the dead server's lock file would refuse the new one; the directory is this run's own copy
    rmSync(join(this.options.dataDir, 'postmaster.pid'), { force: true });
    const started = Date.now();
    const child = this.spawn();
    this.child = child;
    try {
      await waitForReady(child, this.options.logFile, this.options.readyTimeoutMs, 'the embedded database (PGlite)');
    } catch (error) {
      if (this.stopping) return;
      this.failedRestarts++;
      if (this.failedRestarts >= MAX_FAILED_RESTARTS) {
        const tail = logTail(this.options.logFile, 3).replace(/\s*\n\s*/g, ' | ');
        const detail = `gave up after ${MAX_FAILED_RESTARTS} restarts that did not become ready (${(error as Error).message.split('\n')[0]})${tail ? `; last log lines: ${tail}` : ''}`;
        this.options.record({ t: Date.now(), type: 'database', state: 'lost', pid: child.pid ?? 0, detail });
        return;
      }
      return this.scheduleRestart();
    }
    if (this.stopping) return;
    this.failedRestarts = 0;
    this.options.record({ t: Date.now(), type: 'database', state: 'restarted', pid: child.pid ?? 0, detail: `accepting connections again after ${Date.now() - started} ms, on the same data` });
    this.supervise(child);
  }
}
