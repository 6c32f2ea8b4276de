import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { tempDir } from '../../test/support/temp-dir.js';
import { waitFor } from '../../test/support/tcp-peers.js';
import { packageRoot } from '../paths.js';

/**
 * `peakready run` on scripts that misbehave, as real processes: a VU or a hook busy in a loop
 * never keeps the run from ending (signals, the scenarios' end, setupTimeout), console output
 * goes to stderr as k6's log lines, and script exceptions point at the user's file.
 */

let server: Server;
let target = '';
let served = 0;
/** WebSockets the server holds open (it accepts any upgrade and never speaks) */
let socketsOpen = 0;
const dir = tempDir('peakready-script-runtime-');

beforeAll(async () => {
  server = createServer((_req, res) => {
    served++;
    res.end('ok');
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => {
      socketsOpen++;
      ws.on('close', () => socketsOpen--);
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

function script(name: string, source: string): string {
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  /** ms from the signal (or the start, without one) to the exit */
  ms: number;
}

/** Runs `peakready run ...args`; with `signal`, sends it once `ready` says so. */
function peakready(args: string[], options: { signal?: NodeJS.Signals; ready?: (out: { stdout: string; stderr: string }) => boolean } = {}): Promise<Run> {
  const child = spawn(process.execPath, [join(packageRoot, 'bin/peakready.js'), 'run', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  let from = Date.now();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return (async () => {
    if (options.signal) {
      await waitFor(() => options.ready!(out));
      from = Date.now();
      child.kill(options.signal);
    }
    const code = await exited;
    return { ...out, code, ms: Date.now() - from };
  })();
}

describe('a script busy in a loop never hangs peakready', () => {
  it('SIGTERM stops a VU spinning in while (true) and still writes the summary of what ran', async () => {
    const file = script(
      'spin.js',
      `import http from 'k6/http';\nimport { sleep } from 'k6';\nconst started = Date.now();\nexport default function () {\n  http.get(__ENV.BASE_URL);\n  if (Date.now() - started > 1500) { console.log('spinning'); while (true) {} }\n  sleep(0.05);\n}\n`,
    );
    const exportFile = join(dir, 'spin-summary.json');
    const before = served;
    const run = await peakready([file, '--target', target, '--vus', '1', '--duration', '10m', '--quiet', '--summary-export', exportFile], {
      signal: 'SIGTERM',
      ready: ({ stderr }) => stderr.includes('spinning'),
    });
    expect(run.code, run.stderr).toBe(143);
    expect(run.stderr).toContain('did not stop within 2 s');
    expect(run.stderr).toContain('run aborted: stopped by the user');
    expect(run.stdout).toMatch(/http_reqs\.+: \d+/);
    const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as { metrics: { http_reqs: { count: number } } };
    // the ticks posted before the loop: a first one comes at 500 ms, the loop starts after 1.5 s
    expect(exported.metrics.http_reqs.count).toBeGreaterThan(0);
    expect(exported.metrics.http_reqs.count).toBeLessThanOrEqual(served - before);
    // a 2 s grace, then teardown and the summary: well under the 90 s it used to take (and a SIGKILL)
    expect(run.ms).toBeLessThan(20_000);
    process.stderr.write(`busy VU: SIGTERM to exit in ${run.ms} ms\n`);
  });

  it('the scenario end (duration + gracefulStop) interrupts a busy VU and the run ends normally', async () => {
    const file = script(
      'spin-end.js',
      `import http from 'k6/http';\nimport { sleep } from 'k6';\nexport const options = { scenarios: { spin: { executor: 'constant-vus', vus: 1, duration: '2s', gracefulStop: '1s' } } };\nconst started = Date.now();\nexport default function () {\n  http.get(__ENV.BASE_URL);\n  if (Date.now() - started > 1200) while (true) {}\n  sleep(0.05);\n}\n`,
    );
    const run = await peakready([file, '--target', target, '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('load worker 0 did not stop within 2 s');
    expect(run.stdout).toMatch(/http_reqs\.+: \d+/);
  });

  it('SIGINT stops init code spinning in while (true)', async () => {
    const file = script('spin-init.js', `console.log('init starts');\nwhile (true) {}\nexport default function () {}\n`);
    const run = await peakready([file, '--quiet'], { signal: 'SIGINT', ready: ({ stderr }) => stderr.includes('init starts') });
    expect(run.code, run.stderr).toBe(130);
    expect(run.ms).toBeLessThan(15_000);
  });

  it('setup() spinning past setupTimeout ends with k6\'s exit code 100', async () => {
    const file = script('spin-setup.js', `export const options = { setupTimeout: '1s' };\nexport function setup() { while (true) {} }\nexport default function () {}\n`);
    const run = await peakready([file, '--quiet']);
    expect(run.code, run.stderr).toBe(100);
    expect(run.stderr).toContain(`${file}: setup() did not finish within 1000 ms; make it faster or raise options.setupTimeout`);
  });
});

describe('a VU holding a WebSocket open is stopped like any other', () => {
  const socketsClosed = () => vi.waitFor(() => expect(socketsOpen).toBe(0), { timeout: 10_000 });
  const wsUrl = () => `WS_URL=${target.replace('http', 'ws')}/hold`;
  /** `peakready run` of a script with one VU for 10 minutes, SIGTERMed once stderr shows `ready` */
  const sigtermOnce = (name: string, source: string, ready: string) =>
    peakready([script(name, source), '-e', wsUrl(), '--vus', '1', '--duration', '10m', '--quiet'], { signal: 'SIGTERM', ready: ({ stderr }) => stderr.includes(ready) });

  it('SIGTERM stops a VU spinning in a WebSocket handler, its socket open, and still writes the summary', async () => {
    const run = await sigtermOnce(
      'spin-socket.js',
      `import { WebSocket } from 'k6/websockets';\nexport default function () {\n  const ws = new WebSocket(__ENV.WS_URL);\n  // a timer of the same loop starts the spin, after the first metrics tick (500 ms) went out\n  ws.onopen = () => setTimeout(() => {\n    console.log('spinning with a socket open');\n    while (true) {}\n  }, 1200);\n}\n`,
      'spinning with a socket open',
    );
    expect(run.code, run.stderr).toBe(143);
    expect(run.stderr).toContain('did not stop within 2 s');
    expect(run.stdout).toMatch(/ws_sessions\.+: 1\b/);
    expect(run.ms).toBeLessThan(20_000);
    await socketsClosed();
  });

  it('SIGTERM ends an iteration waiting on a socket nobody closes at once: the loop closes it, no worker is terminated', async () => {
    const run = await sigtermOnce(
      'hold-socket.js',
      `import { WebSocket } from 'k6/websockets';\nexport default function () {\n  const ws = new WebSocket(__ENV.WS_URL);\n  ws.onopen = () => console.log('socket open, waiting');\n}\n`,
      'socket open, waiting',
    );
    expect(run.code, run.stderr).toBe(143);
    expect(run.stderr).not.toContain('did not stop within 2 s');
    expect(run.stdout).toMatch(/ws_sessions\.+: 1\b/);
    expect(run.ms).toBeLessThan(10_000);
    await socketsClosed();
  });

  it('the scenario end (duration + gracefulStop) closes a socket an iteration still waits on, and the run ends normally', async () => {
    const file = script(
      'hold-socket-end.js',
      `import { WebSocket } from 'k6/websockets';\nexport const options = { scenarios: { hold: { executor: 'constant-vus', vus: 1, duration: '1s', gracefulStop: '500ms' } } };\nexport default function () {\n  new WebSocket(__ENV.WS_URL);\n  setTimeout(() => {}, 60_000);\n}\n`,
    );
    const run = await peakready([file, '-e', wsUrl(), '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('did not stop within 2 s');
    expect(run.ms).toBeLessThan(15_000);
    await socketsClosed();
  });
});

describe('script errors as k6 reports them', () => {
  it('an exception or a rejected promise in an iteration is logged at the user\'s line and the run goes on', async () => {
    const file = script(
      'errors.js',
      `import http from 'k6/http';\nexport const options = { iterations: 3 };\nexport default function () {\n  http.get(__ENV.BASE_URL);\n  Promise.reject(new Error('nobody waits for me'));\n  if (__ITER === 1) undeclared = 1;\n  if (__ITER === 2) throw 'plain string';\n}\n`,
    );
    const run = await peakready([file, '--target', target, '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`iteration error: Uncaught (in promise) ${file}:5:18: Error: nobody waits for me`);
    expect(run.stderr).toContain(`iteration error: ${file}:6:32: ReferenceError: undeclared is not defined`);
    expect(run.stderr).toContain(`iteration error: ${file}:7:27: plain string`);
    expect(run.stderr).not.toMatch(/dist\/src\//); // no stack of peakready's own code
    expect(run.stdout).toMatch(/iterations\.+: 3\b/);
  });

  it('a rejected promise in the init context is one line with file:line, exit 107', async () => {
    const file = script('reject-init.js', `\nPromise.reject(new Error('bad config'));\nexport default function () {}\n`);
    const run = await peakready([file, '--quiet']);
    expect(run.code, run.stderr).toBe(107);
    expect(run.stderr).toContain(`peakready: init context: Uncaught (in promise) ${file}:2:16: Error: bad config\n`);
    expect(run.stderr.split('\n').filter((l) => l.includes('bad config'))).toHaveLength(1);
  });
});

describe('console, as k6 writes it', () => {
  const source = `export const options = { iterations: 1 };\nexport default function () {\n  console.log('order', { total: 12.5, id: 'o-1', items: [1, 2] });\n  console.debug('only with --verbose');\n  console.error('failed', 500);\n}\nexport function handleSummary() { return { stdout: 'SUMMARY\\n' }; }\n`;

  it('goes to stderr as log lines, never into stdout with the summary; debug only with --verbose', async () => {
    const file = script('console.js', source);
    const run = await peakready([file, '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('SUMMARY\n');
    expect(run.stderr).toMatch(/^time="[^"]+" level=info msg="order \{\\"id\\":\\"o-1\\",\\"items\\":\[1,2\],\\"total\\":12\.5\}" source=console$/m);
    expect(run.stderr).toMatch(/level=error msg="failed 500" source=console/);
    expect(run.stderr).not.toContain('only with --verbose');

    const verbose = await peakready([file, '--quiet', '--verbose']);
    expect(verbose.stderr).toMatch(/level=debug msg="only with --verbose" source=console/);
  });
});

describe('the event loop of an iteration', () => {
  it('waits for timers and async callbacks a synchronous default function started', async () => {
    const file = script(
      'timers.js',
      `import http from 'k6/http';\nimport { setTimeout as later } from 'k6/timers';\nimport { Counter } from 'k6/metrics';\nconst done = new Counter('callbacks_done');\nexport const options = { iterations: 2, thresholds: { callbacks_done: ['count==6'] } };\nexport default function () {\n  setTimeout(() => { http.get(__ENV.BASE_URL); done.add(1); }, 200);\n  later(() => done.add(1), 10);\n  crypto.subtle.digest('SHA-256', new TextEncoder().encode('x')).then(() => done.add(1));\n}\n`,
    );
    const before = served;
    const run = await peakready([file, '--target', target, '--quiet']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(served - before).toBe(2);
    expect(run.stdout).toMatch(/iteration_duration\.+: avg=\d/);
    expect(run.stdout).toMatch(/callbacks_done\.+: 6/);
  });
});
