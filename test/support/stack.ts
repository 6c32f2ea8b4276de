import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';
import { isProcessAlive } from '../../src/stack/stack-state.js';
import { TEST_DATABASE_URL } from './postgres.js';
import { tempDir } from './temp-dir.js';

/**
 * Helpers for the stack's integration tests (real processes and sockets): a private state
 * directory, port and pid probes, polling, a private database. Test-only, so outside src/.
 */

export { TEST_DATABASE_URL };

/** A private state directory, so a test's stack.json and pid files never meet another test's. */
export function privateStateDir(): string {
  const dir = tempDir('peakready-stack-test-');
  process.env.PEAKREADY_HOME = dir;
  return dir;
}

/** True when something accepts connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

export { isProcessAlive as isPidAlive };

/** Polls `condition` every 50 ms; fails with `what` after `limitMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A database of its own for one test file (the test role may create databases), so the real
 * services' migrations never meet another test's. Returns its URL and a function that drops it.
 *
 * The drop ends this role's own sessions and then drops without FORCE: FORCE also tries to
 * terminate an autovacuum worker busy on the database (likely after a load test's writes), which a
 * role without pg_signal_backend may not do, while a plain DROP asks autovacuum to step aside.
 */
export async function privateDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `peakready_${label}_${process.pid}`.replace(/[^a-z0-9_]/g, '_');
  const admin = async (sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(sql, params);
    } finally {
      await client.end();
    }
  };
  const drop = async () => {
    for (let attempt = 1; ; attempt++) {
      await admin(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = current_user AND pid <> pg_backend_pid()',
        [name],
      );
      try {
        await admin(`DROP DATABASE IF EXISTS ${name}`);
        return;
      } catch (error) {
        // 55006 object_in_use: a session was still closing, or autovacuum outlived its 5 s notice.
        if ((error as { code?: string }).code !== '55006' || attempt === 10) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  await drop();
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop };
}

/**
 * Every live process whose environment carries PEAKREADY_HOME=home: what a peakready run with
 * that state directory started (children inherit it: replicas, the database, watchdogs), found
 * without asking peakready. Zombies (exited, awaiting their parent) do not count.
 */
export function processesWithHome(home: string): Array<{ pid: number; command: string }> {
  const marker = `PEAKREADY_HOME=${home}\0`;
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').includes(marker)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, 'latin1').replace(/\0/g, ' ').trim() });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
