import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../paths.js';
import { echoServer, openClient, roundTrip, waitFor } from '../../test/support/tcp-peers.js';

describe('peakready toxiproxy serve', () => {
  it('prints its URL, serves the API and proxies, and stops cleanly on SIGTERM (ports freed)', async () => {
    const child = spawn(process.execPath, [join(packageRoot, 'bin/peakready.js'), 'toxiproxy', 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let exited = false;
    void exit.then(() => (exited = true));
    await waitFor(() => exited || /listening on http:\/\/127\.0\.0\.1:\d+/.test(output));
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(url, output).toBeDefined();

    const echo = await echoServer();
    const created = await fetch(`${url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'e', upstream: echo.address }) });
    const port = Number(((await created.json()) as { listen: string }).listen.split(':')[1]);
    const client = await openClient(port);
    await roundTrip(client, 'hi');

    child.kill('SIGTERM');
    expect(await exit).toBe(143);
    expect(['end', 'reset']).toContain(await client.closed);
    for (const p of [port, Number(new URL(url!).port)]) {
      await expect(
        new Promise((resolve, reject) => {
          const s = connect(p, '127.0.0.1', () => resolve(s.destroy()));
          s.on('error', reject);
        }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
    await echo.close();
  });

  it('names a port already in use', async () => {
    const echo = await echoServer();
    const child = spawn(process.execPath, [join(packageRoot, 'bin/peakready.js'), 'toxiproxy', 'serve', '--port', String(echo.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(2);
    expect(output).toMatch(new RegExp(`127\\.0\\.0\\.1:${echo.port} is already in use`));
    await echo.close();
  });
});
