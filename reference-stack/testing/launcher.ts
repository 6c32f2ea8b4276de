import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isReplicaReadyMessage } from '../../src/stack/contract.js';
import {
  databasePort,
  getService,
  referenceStack,
  servicePort,
  SERVICE_NAMES,
  upstreamEnvVar,
  type ServiceName,
  type StackDefinition,
} from '../../src/stack/definition.js';
import { spawnManaged, stopChild } from '../../src/lifecycle/children.js';
import { onShutdown } from '../../src/lifecycle/shutdown.js';
import { distEntry } from '../../src/paths.js';

/**
 * Starts the reference stack directly, for tests and benches: the database (embedded PGlite
 * unless `databaseUrl` names a real PostgreSQL) and one replica of each service on the fixed
 * ports of `referenceStack(basePort)`, so every `<UPSTREAM>_URL` points straight at its service
 * (no balancer, no fault proxy: the supervisor in src/supervisor/ adds those). Everything started is
 * stopped by `stop()`, on process exit and on Ctrl-C.
 */

export interface LaunchOptions {
  /** default: a free range found by `findFreeBasePort()` */
  basePort?: number;
  /** a real PostgreSQL; default: an embedded PGlite started on the stack's database port */
  databaseUrl?: string;
  /** false sets OTEL_SDK_DISABLED=true in every service */
  tracing?: boolean;
  /** base URL of an OTLP/HTTP receiver (OTEL_EXPORTER_OTLP_ENDPOINT) */
  otlpEndpoint?: string;
  /** environment for every service (after the stack's defaults) */
  env?: Record<string, string>;
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** where each process's stdout/stderr go (default: a temp folder, removed by `stop()` unless PEAKREADY_KEEP_STACK_LOGS=1) */
  logDir?: string;
  readyTimeoutMs?: number;
}

export interface LaunchedStack {
  stack: StackDefinition;
  gatewayUrl: string;
  databaseUrl: string;
  logDir: string;
  serviceUrl(name: ServiceName): string;
  /** pids of every process of the stack (for CPU accounting in benches) */
  pids(): number[];
  /** SIGTERM one service (it drains and exits) */
  stopService(name: ServiceName): Promise<void>;
  /** start a stopped service again on its port */
  startService(name: ServiceName): Promise<void>;
  /** one more replica of a service on an ephemeral port (PORT=0), with extra environment */
  startExtraReplica(name: ServiceName, env: Record<string, string>): Promise<{ url: string; port: number; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

/**
 * Deadlines for tests that pile hundreds of requests onto one replica per service on a shared
 * 2-core machine: they check integrity under contention, not latency, so a slow answer must not
 * turn into a 504.
 */
export const GENEROUS_TIMEOUTS: Record<string, string> = {
  GATEWAY_TIMEOUT_MS: '30000',
  GATEWAY_CHECKOUT_TIMEOUT_MS: '60000',
  CHECKOUT_UPSTREAM_TIMEOUT_MS: '30000',
  CHECKOUT_PAYMENTS_TIMEOUT_MS: '30000',
  CART_UPSTREAM_TIMEOUT_MS: '30000',
};

const KEEP_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'PEAKREADY_HOME'];

export async function launchStack(options: LaunchOptions = {}): Promise<LaunchedStack> {
  const stack = referenceStack(options.basePort ?? (await findFreeBasePort()));
  const logDir = options.logDir ?? mkdtempSync(join(tmpdir(), 'peakready-stack-'));
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const children = new Map<string, ChildProcess>();
  const base: Record<string, string> = {};
  for (const name of KEEP_ENV) if (process.env[name] !== undefined) base[name] = process.env[name]!;

  let stopped = false;
  let keepLogs = Boolean(options.logDir) || process.env.PEAKREADY_KEEP_STACK_LOGS === '1';
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    const services = [...children.entries()].filter(([n]) => n !== 'postgres');
    await Promise.all(services.map(([, c]) => stopChild(c, 12_000)));
    const db = children.get('postgres');
    if (db) await stopChild(db, 5000);
    children.clear();
    if (!keepLogs) rmSync(logDir, { recursive: true, force: true });
  };
  const unregister = onShutdown(`reference stack on ${stack.basePort}`, stop);

  try {
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const port = databasePort(stack);
      const db = await startProcess('postgres', stack.database.entry, { ...base, HOST: '127.0.0.1', PORT: String(port) }, logDir, readyTimeoutMs);
      children.set('postgres', db.child);
      databaseUrl = `postgres://${stack.database.user}@127.0.0.1:${port}/${stack.database.database}`;
    }
    const envFor = (name: ServiceName, port: number, extra: Record<string, string> = {}, replica = `${name}-1`): Record<string, string> => {
      const def = getService(stack, name);
      const env: Record<string, string> = {
        ...base,
        SERVICE_NAME: name,
        REPLICA_ID: replica,
        HOST: '127.0.0.1',
        PORT: String(port),
        OTEL_SERVICE_NAME: name,
        CPU_REQUEST_MILLICORES: String(def.resources.requests.cpuMillicores),
        LOG_LEVEL: 'info',
        ...def.env,
      };
      for (const up of def.dependsOn) {
        env[upstreamEnvVar(up)] = up === 'postgres' ? databaseUrl! : `http://127.0.0.1:${servicePort(stack, up)}`;
      }
      if (def.schema) env.DB_SCHEMA = def.schema;
      if (options.tracing === false) env.OTEL_SDK_DISABLED = 'true';
      if (options.otlpEndpoint) env.OTEL_EXPORTER_OTLP_ENDPOINT = options.otlpEndpoint;
      return { ...env, ...options.env, ...options.serviceEnv?.[name], ...extra };
    };
    const startService = async (name: ServiceName) => {
      const started = await startProcess(name, getService(stack, name).entry, envFor(name, servicePort(stack, name)), logDir, readyTimeoutMs);
      children.set(name, started.child);
    };
    await Promise.all(SERVICE_NAMES.map((name) => startService(name)));

    let extra = 0;
    return {
      stack,
      gatewayUrl: `http://127.0.0.1:${servicePort(stack, 'gateway')}`,
      databaseUrl,
      logDir,
      serviceUrl: (name) => `http://127.0.0.1:${servicePort(stack, name)}`,
      pids: () => [...children.values()].flatMap((c) => (c.pid === undefined ? [] : [c.pid])),
      stopService: async (name) => {
        const child = children.get(name);
        children.delete(name);
        if (child) await stopChild(child, 12_000);
      },
      startService,
      startExtraReplica: async (name, env) => {
        const replica = `${name}-extra-${++extra}`;
        const started = await startProcess(replica, getService(stack, name).entry, envFor(name, 0, env, replica), logDir, readyTimeoutMs);
        children.set(replica, started.child);
        return {
          url: `http://127.0.0.1:${started.port}`,
          port: started.port,
          stop: async () => {
            children.delete(replica);
            await stopChild(started.child, 12_000);
          },
        };
      },
      stop,
    };
  } catch (error) {
    keepLogs = true; // the error names a log file: keep it for the reader
    await stop();
    throw error;
  }
}

/** Spawns `dist/<entry>.js` and resolves with the port it reports in its IPC ready message. */
async function startProcess(name: string, entry: string, env: Record<string, string>, logDir: string, timeoutMs: number) {
  const logFile = join(logDir, `${name}.log`);
  const child = spawnManaged({ name, command: process.execPath, args: [await builtEntry(entry)], env, logFile, ipc: true });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not report ready within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      void stopChild(child, 1000);
      reject(new Error(`${name} ${why}; its log (${logFile}) ends with:\n${tail(logFile)}`));
    };
    const onError = (error: Error) => fail(`could not start: ${error.message}`);
    const onExit = (code: number | null, signal: string | null) => fail(`exited before ready (code ${code}, signal ${signal})`);
    child.once('error', onError);
    child.once('exit', onExit);
    child.on('message', (message) => {
      if (!isReplicaReadyMessage(message)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      resolve(message.port);
    });
  });
  return { child, port };
}

/**
 * `distEntry`, waiting a little when the file is missing: in a shared work tree another `npm run
 * build` may be rewriting dist/ at this very moment (it removes the folder first).
 */
async function builtEntry(entry: string): Promise<string> {
  for (let waited = 0; ; waited += 100) {
    try {
      return distEntry(entry);
    } catch (error) {
      if (waited >= 15_000) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * A base port whose whole range (the services and the database: offsets 0..9) is free now, picked
 * at random in 10000-19999 so test files running at once do not collide. Below Linux's ephemeral
 * range (32768-60999): a port that is free now but in that range can be taken by any outgoing
 * connection (a load test's thousands) before the replica listens on it.
 */
export async function findFreeBasePort(span = 10): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 10_000 + Math.floor(Math.random() * 1000) * 10;
    let free = true;
    for (let offset = 0; offset < span && free; offset++) free = await portFree(base + offset);
    if (free) return base;
  }
  throw new Error('no free range of 10 ports found in 10000-19999 after 100 tries');
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
