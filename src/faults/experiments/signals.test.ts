import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../paths.js';
import { startFaultProxyServer, type FaultProxyServer } from '../server.js';
import { echoServer, waitFor, type TcpPeer } from '../../../test/support/tcp-peers.js';
import { inspectFaults, type ActiveFaults } from './clear.js';
import { tempDir } from '../../../test/support/temp-dir.js';

let faults: FaultProxyServer;
let echo: TcpPeer;
let home: string;
let file: string;

function peakready(args: string[]): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [join(packageRoot, 'bin/peakready.js'), ...args], {
    env: { ...process.env, PEAKREADY_HOME: home },
    cwd: home,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

/** Waits for `text` in the child's output; fails with the output if the child exits first. */
async function waitForOutput(run: ReturnType<typeof peakready>, text: string): Promise<void> {
  let exited = false;
  void run.exit.then(() => (exited = true));
  await waitFor(() => exited || run.output().includes(text));
  if (!run.output().includes(text)) throw new Error(`peakready exited before printing "${text}":\n${run.output()}`);
}

async function active(): Promise<ActiveFaults> {
  return inspectFaults(faults.url);
}

beforeAll(async () => {
  home = tempDir('peakready-signals-');
  echo = await echoServer();
  faults = await startFaultProxyServer({ port: 0 });
  const client = new Toxiproxy(faults.url);
  await client.populate([
    { name: 'cart', listen: '127.0.0.1:0', upstream: echo.address },
    { name: 'recommendations', listen: '127.0.0.1:0', upstream: echo.address },
  ]);
  file = join(home, 'long.yaml');
  writeFileSync(
    file,
    [
      'title: long outage',
      'method:',
      '  - action: add-toxic',
      '    proxy: cart',
      '    duration: 1h',
      '    toxic: { type: reset_peer, attributes: { timeout: 0 } }',
      '  - action: disable-proxy',
      '    proxy: recommendations',
      '    duration: 1h',
    ].join('\n'),
  );
});
afterAll(async () => {
  await faults.close();
  await echo.close();
});

describe('chaos run as a child process', () => {
  it('SIGTERM mid-fault leaves no toxic and no disabled proxy behind', async () => {
    const run = peakready(['chaos', 'run', file, '--toxiproxy', faults.url, '--gateway', 'http://127.0.0.1:1']);
    await waitForOutput(run, 'fault on: recommendations');
    const during = await active();
    expect(during.toxics.map((t) => t.toxic)).toEqual(['peakready-reset_peer_downstream']);
    expect(during.disabledProxies).toEqual(['recommendations']);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(143);
    expect(await active()).toEqual({ toxics: [], disabledProxies: [] });
  });

  it('after SIGKILL, `chaos clear` removes what was left', async () => {
    const run = peakready(['chaos', 'run', file, '--toxiproxy', faults.url, '--gateway', 'http://127.0.0.1:1']);
    await waitForOutput(run, 'fault on: recommendations');
    run.child.kill('SIGKILL');
    await run.exit;
    const left = await active();
    expect(left.toxics).toHaveLength(1);
    expect(left.disabledProxies).toEqual(['recommendations']);
    const clear = peakready(['chaos', 'clear', '--toxiproxy', faults.url]);
    expect(await clear.exit).toBe(0);
    expect(clear.output()).toContain('removed toxic cart/peakready-reset_peer_downstream');
    expect(clear.output()).toContain('enabled proxy recommendations');
    expect(await active()).toEqual({ toxics: [], disabledProxies: [] });
  });

  it('a proxy the user disabled before the run stays disabled after SIGINT, and after SIGKILL and `chaos clear`', async () => {
    const client = new Toxiproxy(faults.url);
    const payments = await client.createProxy({ name: 'payments', listen: '127.0.0.1:0', upstream: echo.address });
    await payments.update({ ...payments.toJson(), enabled: false });
    const both = join(home, 'both.yaml');
    writeFileSync(both, ['title: both down', 'method:', ...['payments', 'recommendations'].flatMap((p) => ['  - action: disable-proxy', `    proxy: ${p}`, '    duration: 1h'])].join('\n'));
    try {
      for (const stop of ['SIGINT', 'SIGKILL'] as const) {
        const run = peakready(['chaos', 'run', both, '--toxiproxy', faults.url, '--gateway', 'http://127.0.0.1:1']);
        await waitForOutput(run, 'fault on: recommendations');
        expect(run.output()).toContain('"payments" was already disabled');
        run.child.kill(stop);
        await run.exit;
        if (stop === 'SIGKILL') {
          expect((await active()).disabledProxies.sort()).toEqual(['payments', 'recommendations']);
          const clear = peakready(['chaos', 'clear', '--toxiproxy', faults.url]);
          expect(await clear.exit).toBe(0);
          expect(clear.output()).toContain('enabled proxy recommendations');
          expect(clear.output()).not.toContain('payments');
        }
        expect(await active(), stop).toEqual({ toxics: [], disabledProxies: ['payments'] });
      }
    } finally {
      await payments.remove();
    }
  });
});
