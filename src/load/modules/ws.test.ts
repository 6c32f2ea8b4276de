import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { scriptWriter } from '../../../test/support/script-file.js';
import { tempDir } from '../../../test/support/temp-dir.js';
import { runLoadTest } from '../run.js';

/**
 * k6/ws and k6/websockets against a real `ws` server: /echo greets with "hello" the moment the
 * connection opens and echoes every message (text as text, binary as binary); /silent never
 * speaks; /bye closes with 4000 after the first message; /late greets after 300 ms; /forbidden
 * refuses the upgrade with 403.
 */
let http: Server;
let wss: WebSocketServer;
let base: string;
const handshakes: IncomingHttpHeaders[] = [];
let open = 0;
const dir = tempDir('peakready-ws-');

beforeAll(async () => {
  http = createServer();
  wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => {
    if (req.url === '/forbidden') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nno entry\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      handshakes.push(req.headers);
      open++;
      ws.on('close', () => open--);
      if (req.url === '/echo') {
        ws.send('hello');
        ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      }
      if (req.url === '/bye') ws.on('message', () => ws.close(4000, 'bye'));
      if (req.url === '/late') setTimeout(() => ws.send('late hello'), 300);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => http.close(() => resolve()));
});

const script = scriptWriter(dir);

const run = (file: string) => runLoadTest({ script: file, env: { WS_URL: base }, quiet: true, stdout: () => {} });
const waitUntilClosed = () => vi.waitFor(() => expect(open).toBe(0), { timeout: 10_000 });

describe('k6/ws', () => {
  it('ws.connect blocks until the socket closes: handlers, send/sendBinary, ping, socket timers, metrics', async () => {
    const file = script(
      'ws.js',
      `import ws from 'k6/ws';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
const texts = new Counter('texts');
export const options = { vus: 2, iterations: 4, summaryTrendStats: ['avg', 'max', 'count'] };
export default function () {
  let ticks = 0;
  const res = ws.connect(__ENV.WS_URL + '/echo', { tags: { room: 'lobby' }, headers: { 'X-Shop': 'peak' } }, function (socket) {
    socket.on('open', () => {
      socket.send('one');
      socket.sendBinary(new Uint8Array([1, 2, 3]).buffer);
      socket.ping();
    });
    socket.on('message', (m) => texts.add(1, { text: m }));
    socket.on('binaryMessage', (b) => check(b, { 'binary echoed': (x) => x.byteLength === 3 }));
    socket.on('pong', () => socket.setInterval(() => { if (++ticks === 2) socket.close(); }, 5));
    socket.on('close', (code) => check(code, { 'closed with 1001': (c) => c === 1001 }));
  });
  check(res, { 'upgraded': (r) => r && r.status === 101, 'closed before connect returned': () => ticks === 2 });
}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    const m = result.summary.metrics;
    expect(m.checks!.values).toMatchObject({ rate: 1, passes: 16 });
    expect(m.texts!.values.count).toBe(8); // "hello" sent on open, then "one" echoed: none lost before the handlers existed
    expect(m.ws_sessions!.values.count).toBe(4);
    expect(m.ws_msgs_sent!.values.count).toBe(8);
    expect(m.ws_msgs_received!.values.count).toBe(12);
    expect(m.ws_ping!.values.count).toBe(4);
    expect(m.ws_connecting!.values.count).toBe(4);
    expect(m.ws_session_duration!.values.count).toBe(4);
    expect(m.data_received!.values.count).toBeGreaterThan(0);
    expect(handshakes.at(-1)!['x-shop']).toBe('peak');
    await waitUntilClosed();
  });

  it('a refused upgrade returns its response without calling the setup function; a handler error ends ws.connect', async () => {
    const file = script(
      'refused.js',
      `import ws from 'k6/ws';
import { check } from 'k6';
export const options = { iterations: 1 };
export function setup() {
  const res = ws.connect(__ENV.WS_URL + '/forbidden', () => { throw new Error('not called'); });
  check(res, { '403 back': (r) => r.status === 403 && r.body === 'no entry\\n' });
  ws.connect(__ENV.WS_URL + '/echo', (socket) => socket.on('message', () => { throw new Error('handler broke'); }));
}
export default function () {}
`,
    );
    await expect(run(file)).rejects.toThrow('handler broke');
    await waitUntilClosed();
  });
});

describe("k6's hosts option for WebSockets", () => {
  it('k6/ws and k6/websockets connect where options.hosts points a name, with that name in the Host header', async () => {
    const port = (http.address() as AddressInfo).port;
    const file = script(
      'ws-hosts.js',
      `import ws from 'k6/ws';
import { WebSocket } from 'k6/websockets';
import { check } from 'k6';
export const options = { iterations: 1, hosts: { 'chat.example.test': '127.0.0.1:${port}' } };
export default function () {
  let greeting = '';
  const res = ws.connect('ws://chat.example.test/echo', null, (socket) => {
    socket.on('message', (m) => { greeting = m; socket.close(); });
  });
  check(res, { 'k6/ws mapped': (r) => r.status === 101 && greeting === 'hello' });
  const s = new WebSocket('ws://chat.example.test/echo');
  s.onmessage = (e) => { check(e, { 'k6/websockets mapped': (m) => m.data === 'hello' }); s.close(); };
}
`,
    );
    handshakes.length = 0;
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    expect(result.summary.metrics.checks!.values.passes).toBe(2);
    expect(handshakes.map((h) => h.host)).toEqual(['chat.example.test', 'chat.example.test']);
    await waitUntilClosed();
  });
});

describe('k6/websockets', () => {
  it('the iteration lasts until its sockets close; events, binaryType, ping/pong, close codes, metrics', async () => {
    const file = script(
      'websockets.js',
      `import { WebSocket } from 'k6/websockets';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
const closes = new Counter('close_events');
export const options = { vus: 2, iterations: 4, summaryTrendStats: ['avg', 'max', 'count'] };
export default function () {
  for (const path of ['/echo', '/bye']) {
    const ws = new WebSocket(__ENV.WS_URL + path, null, { tags: { path } });
    ws.binaryType = 'arraybuffer';
    const got = [];
    ws.onopen = () => {
      check(ws, { 'open state': (s) => s.readyState === WebSocket.OPEN });
      ws.send('one');
      ws.send(new Uint8Array([1, 2, 3]));
      if (path === '/echo') ws.ping();
    };
    ws.addEventListener('message', (e) => got.push(typeof e.data === 'string' ? e.data : e.data.byteLength));
    ws.onpong = () => ws.close();
    ws.onclose = (e) => {
      closes.add(1, { path });
      if (path === '/echo') check(got, { 'greeting and echoes': (g) => g.join() === 'hello,one,3' && e.code === 1000 });
      else check(e, { 'server close code and reason': (x) => x.code === 4000 && x.reason === 'bye' });
    };
  }
}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    const m = result.summary.metrics;
    expect(m.close_events!.values.count).toBe(8);
    expect(m.checks!.values).toMatchObject({ rate: 1, passes: 16 });
    expect(m.ws_sessions!.values.count).toBe(8);
    expect(m.ws_ping!.values.count).toBe(4);
    expect(m.ws_session_duration!.values.count).toBe(8);
    await waitUntilClosed();
  });

  it('setup() lasts until the sockets it opened close, too', async () => {
    const file = script(
      'setup-socket.js',
      `import { WebSocket } from 'k6/websockets';
import { Counter } from 'k6/metrics';
const greetings = new Counter('setup_greetings');
export const options = { iterations: 1 };
export function setup() {
  const ws = new WebSocket(__ENV.WS_URL + '/late');
  ws.onmessage = (e) => {
    greetings.add(1);
    ws.close();
  };
}
export default function () {}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    // a setup() that returned at once would leave the greeting to arrive after the summary
    expect(result.summary.metrics.setup_greetings!.values.count).toBe(1);
    await waitUntilClosed();
  });

  it('a socket nobody closes is closed when the scenario ends, and the run still ends', async () => {
    const file = script(
      'silent.js',
      `import { WebSocket } from 'k6/websockets';
export const options = { scenarios: { hold: { executor: 'constant-vus', vus: 2, duration: '300ms', gracefulStop: '0s' } } };
export default function () {
  new WebSocket(__ENV.WS_URL + '/silent');
}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    expect(result.summary.metrics.ws_sessions!.values.count).toBeGreaterThanOrEqual(2);
    await waitUntilClosed();
  });

  it("one event loop: a timer a handler starts keeps the iteration alive, and a timer's callback can close the socket", async () => {
    const file = script(
      'timers-in-handlers.js',
      `import { WebSocket } from 'k6/websockets';
import { setTimeout as k6SetTimeout } from 'k6/timers';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
const late = new Counter('late_after_close');
export const options = { vus: 2, iterations: 4, summaryTrendStats: ['min', 'max', 'count'] };
export default function () {
  const started = Date.now();
  const ws = new WebSocket(__ENV.WS_URL + '/echo');
  // the socket stays open until a timer of the same loop closes it
  ws.onopen = () => k6SetTimeout(() => ws.close(), 150);
  ws.onclose = () => {
    // the socket is closed and the function returned long ago: this timer still belongs to the iteration
    setTimeout(() => {
      late.add(1);
      check(Date.now() - started, { 'both timers ran inside the iteration': (ms) => ms >= 300 });
    }, 150);
  };
}
`,
    );
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    const m = result.summary.metrics;
    expect(m.late_after_close!.values.count).toBe(4);
    expect(m.checks!.values).toMatchObject({ rate: 1, passes: 4 });
    expect(m.iterations!.values.count).toBe(4);
    expect(m.iteration_duration!.values.min).toBeGreaterThanOrEqual(300);
    await waitUntilClosed();
  });

  it('a handler that throws fails its iteration and closes the sockets and timers it left; the next iteration starts clean', async () => {
    const file = script(
      'handler-throws.js',
      `import { WebSocket } from 'k6/websockets';
import { Counter } from 'k6/metrics';
const leaked = new Counter('leaked_timer');
export const options = { iterations: 3 };
export default function () {
  const quiet = new WebSocket(__ENV.WS_URL + '/silent');
  setTimeout(() => leaked.add(1), 2000);
  const ws = new WebSocket(__ENV.WS_URL + '/echo');
  ws.onmessage = () => {
    throw new Error('handler broke');
  };
}
`,
    );
    const started = Date.now();
    const result = await run(file);
    expect(result.exitCode).toBe(0);
    // each iteration failed at the greeting: neither the silent socket nor the 2 s timer held it
    expect(Date.now() - started).toBeLessThan(6000);
    expect(result.summary.metrics.leaked_timer?.values.count ?? 0).toBe(0);
    expect(result.summary.metrics.iterations!.values.count).toBe(3);
    await waitUntilClosed();
  });

  it('refuses websockets in the init context and remote hosts', async () => {
    const init = script('init.js', `import { WebSocket } from 'k6/websockets';\nconst ws = new WebSocket(__ENV.WS_URL + '/echo');\nexport default function () {}\n`);
    await expect(run(init)).rejects.toThrow('using websockets in the init context is not supported');
    const remote = script('remote.js', `import ws from 'k6/ws';\nexport function setup() { ws.connect('wss://10.1.2.3/chat', () => {}); }\nexport default function () {}\n`);
    await expect(run(remote)).rejects.toThrow('refused WebSocket connection to 10.1.2.3');
  });
});
