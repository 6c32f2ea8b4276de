import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureEntry } from '../../test/support/fixtures.js';
import { isPidAlive, privateStateDir, waitFor } from '../../test/support/stack.js';

/**
 * The guarantee of spawnManaged, on real processes: whatever a child is (a foreign binary, a Node
 * process that ignores SIGTERM, one with an IPC channel it never watches), it ends soon after its
 * parent is SIGKILLed, with no exit path run and no later command to reap it.
 */
describe('a child of peakready', () => {
  it('ends within 5 s of its parent being SIGKILLed, its pid file gone', async () => {
    const home = privateStateDir();
    const parent = spawn(process.execPath, [fixtureEntry('lifecycle/spawning-parent')], { env: { ...process.env, PEAKREADY_HOME: home }, stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before printing its children`)));
    });
    const pids = JSON.parse(line) as Record<string, number>;
    expect(Object.values(pids).every((pid) => isPidAlive(pid))).toBe(true);
    const exited = new Promise((resolve) => parent.once('exit', resolve));
    parent.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    await waitFor(() => Object.values(pids).every((pid) => !isPidAlive(pid)), `every child (${JSON.stringify(pids)}) to end`, 5_000);
    // the SIGTERM-deaf child needed the watchdog's SIGKILL after its 2 s grace
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    await waitFor(() => readdirSync(join(home, 'pids')).length === 0, 'the pid files to be removed', 2_000);
  });
});
