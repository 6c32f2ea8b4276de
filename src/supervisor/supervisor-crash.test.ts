import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fixtureEntry } from '../../test/support/fixtures.js';
import type { StackState } from '../stack/contract.js';
import { isListening, isPidAlive, privateStateDir, TEST_DATABASE_URL, waitFor } from '../../test/support/stack.js';

const BASE = 31_600; // up.test.ts uses 29_900

describe('a crashing supervisor', () => {
  it('leaves no replica, fault proxy or balancer port when it dies of an uncaught exception', async () => {
    const home = privateStateDir();
    type Outcome = { code?: number; stdout?: string; stderr?: string };
    const result: Outcome = await promisify(execFile)(process.execPath, [fixtureEntry('stack/crashing-supervisor'), String(BASE), TEST_DATABASE_URL], {
      env: { ...process.env, PEAKREADY_HOME: home },
      timeout: 60_000,
    }).catch((error: Outcome) => error);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('deliberate supervisor crash');
    const state = JSON.parse(result.stdout!.trim().split('\n')[0]!) as StackState;
    const pids = state.services.flatMap((s) => s.replicas.map((r) => r.pid));
    expect(pids).toHaveLength(10);
    // the exit hook SIGKILLs every replica's process group synchronously
    await waitFor(() => pids.every((pid) => !isPidAlive(pid)), 'every replica to be gone', 5_000);
    const ports = [...Array.from({ length: 9 }, (_, i) => BASE + i), ...Array.from({ length: 10 }, (_, i) => BASE + 100 + i), BASE + 300, BASE + 302];
    for (const port of ports) expect(await isListening(port), `port ${port}`).toBe(false);
  });
});
