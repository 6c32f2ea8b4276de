import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureStack } from '../../test/support/fixture-stack.js';
import { isPidAlive, privateStateDir, waitFor } from '../../test/support/stack.js';
import type { TimelineEvent } from '../run/records.js';
import { startStack, type RunningStack } from './supervisor.js';

const BASE = 22_000;

let stack: RunningStack | undefined;
afterAll(async () => {
  await stack?.stop();
});

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The embedded database's pid, as spawnManaged recorded it. */
function databasePid(home: string): number {
  const records = readdirSync(join(home, 'pids')).map((f) => JSON.parse(readFileSync(join(home, 'pids', f), 'utf8')) as { pid: number; name: string });
  const record = records.find((r) => r.name === 'postgres');
  if (!record) throw new Error(`no postgres among ${records.map((r) => r.name).join(', ')}`);
  return record.pid;
}

describe('the embedded database dying under a running stack', () => {
  it('is recorded and restarted on the same data: what it committed is there again', async () => {
    const home = privateStateDir();
    const events: TimelineEvent[] = [];
    stack = await startStack({ definition: fixtureStack(BASE), onEvent: (e) => events.push(e) });
    const url = stack.databaseUrl;
    await query(url, 'CREATE TABLE acknowledged (id text PRIMARY KEY)');
    await query(url, "INSERT INTO acknowledged VALUES ('order-1')");

    const pid = databasePid(home);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => events.some((e) => e.type === 'database' && e.state === 'restarted'), 'the database to be restarted', 60_000);
    expect(isPidAlive(pid)).toBe(false);

    const database = events.filter((e): e is Extract<TimelineEvent, { type: 'database' }> => e.type === 'database');
    expect(database.map((e) => e.state)).toEqual(['crashed', 'restarted']);
    expect(database[0]).toMatchObject({ pid, detail: expect.stringContaining('killed by SIGKILL') });
    expect(database[1]!.pid).not.toBe(pid);
    expect(await query<{ id: string }>(url, 'SELECT id FROM acknowledged')).toEqual([{ id: 'order-1' }]);

    // stopping the stack is not a crash: no event, no restart
    await stack.stop();
    stack = undefined;
    expect(events.filter((e) => e.type === 'database')).toHaveLength(2);
  });
});
