import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { EnvironmentError } from '../errors.js';
import { fixtureStack } from '../../test/support/fixture-stack.js';
import { startStack } from './supervisor.js';
import { isListening, privateStateDir, TEST_DATABASE_URL } from '../../test/support/stack.js';

const BASE = 27_500;

async function startError(promise: Promise<unknown>): Promise<EnvironmentError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EnvironmentError);
    return error as EnvironmentError;
  }
  throw new Error('expected the start to fail');
}

async function expectNothingLeft(home: string): Promise<void> {
  for (let p = BASE; p < BASE + 9; p++) expect(await isListening(p)).toBe(false);
  expect(await isListening(BASE + 302)).toBe(false);
  expect(existsSync(join(home, 'stack.json'))).toBe(false);
}

describe('startStack failures: one clear line naming the cause and the fix', () => {
  let home: string;
  beforeEach(() => {
    home = privateStateDir();
  });

  it('a port in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(BASE + 3, '127.0.0.1', r));
    try {
      const error = await startError(startStack({ definition: fixtureStack(BASE), databaseUrl: TEST_DATABASE_URL, faultProxy: false }));
      expect(error.message.split('\n')).toHaveLength(1);
      expect(error.message).toMatch(new RegExp(`^port ${BASE + 3} \\(the cart balancer\\) is already in use on 127\\.0\\.0\\.1; .*--base-port`));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    await expectNothingLeft(home);
  });

  it('an unreachable DATABASE_URL', async () => {
    const error = await startError(
      startStack({ definition: fixtureStack(BASE), databaseUrl: 'postgres://someone:secret@127.0.0.1:1/nowhere', faultProxy: false }),
    );
    expect(error.message.split('\n')).toHaveLength(1);
    expect(error.message).toMatch(/^cannot reach the database at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nowhere \(ECONNREFUSED.*start PostgreSQL or fix --database-url/);
    expect(error.message).not.toContain('secret');
    await expectNothingLeft(home);
  });

  it('a replica that never becomes ready: timeout, log path and the last lines of its log', async () => {
    const def = fixtureStack(BASE, { orders: { FIXTURE_NEVER_READY: '1' } });
    const error = await startError(startStack({ definition: def, databaseUrl: TEST_DATABASE_URL, faultProxy: false, readyTimeoutMs: 1500 }));
    const [first, ...rest] = error.message.split('\n');
    expect(first).toMatch(/^orders-1 did not become ready within 2 s .*fix the cause shown in its log \(.*orders-1\.log\)$/);
    expect(rest.join('\n')).toContain('listening on');
    await expectNothingLeft(home);
  });

  it('a replica that exits while starting', async () => {
    const def = fixtureStack(BASE, { payments: { FIXTURE_EXIT_AT_START: '1' } });
    const error = await startError(startStack({ definition: def, databaseUrl: TEST_DATABASE_URL, faultProxy: false }));
    expect(error.message).toMatch(/^payments-1 exited with code 3 before it became ready; fix the cause shown in its log/);
    expect(error.message).toContain('FIXTURE_EXIT_AT_START=1, exiting');
    await expectNothingLeft(home);
  });

  it('refuses a second stack on a live stack.json and removes a stale one', async () => {
    const record = (pid: number) =>
      writeFileSync(join(home, 'stack.json'), JSON.stringify({ supervisorPid: pid, gatewayUrl: 'http://127.0.0.1:1', services: [] }));
    record(process.ppid);
    const error = await startError(startStack({ definition: fixtureStack(BASE), databaseUrl: TEST_DATABASE_URL, faultProxy: false }));
    expect(error.message).toMatch(/^a stack is already running \(supervisor pid \d+, .*stop it with `peakready down`/);

    record(2 ** 22 + 12_345); // above pid_max: certainly not running
    const events: string[] = [];
    const stack = await startStack({
      definition: fixtureStack(BASE),
      databaseUrl: TEST_DATABASE_URL,
      faultProxy: false,
      onEvent: (e) => events.push(e.type === 'note' ? e.message : e.type),
    });
    try {
      expect(events.some((e) => /removed a stale .*stack\.json/.test(e))).toBe(true);
    } finally {
      await stack.stop();
    }
  });
});
