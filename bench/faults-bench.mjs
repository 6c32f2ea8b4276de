// Fault proxy figures, side by side in one run (npm run build first):
//   node bench/faults-bench.mjs [--quick]
// 1. bulk throughput through a proxy with no toxic vs. direct on loopback
// 2. added latency per small request (64-byte ping-pong), p50/p99, proxy vs. direct, interleaved
// 3. latency toxic accuracy: 100 ms downstream latency, 1,000 concurrent connections
// 4. connections held open through one proxy at once, and the memory they take
// The proxy runs in its own process (as under `peakready up`); peers run in another.
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const quick = process.argv.includes('--quick');
const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const children = [];
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function start(file, args = []) {
  const child = fork(here(file), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, ...m }));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before it was ready (run \`npm run build\` first)`)));
  });
}
const ask = (child, type) => new Promise((resolve) => { child.once('message', resolve); child.send({ type }); });
/** CPU microseconds a child used while `work` ran (robust to other load on the machine, unlike wall time) */
async function cpuOf(child, work) {
  const a = await ask(child, 'cpu');
  const result = await work();
  const b = await ask(child, 'cpu');
  return { result, cpu: b.user + b.system - a.user - a.system };
}
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (n, d = 3) => Number(n.toFixed(d));

async function api(url, method, path, body) {
  const res = await fetch(url + path, { method, body: body && JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}
function open(port) {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

async function bulk(port, bytes) {
  const s = await open(port);
  const chunk = Buffer.alloc(64 * 1024, 7);
  const started = performance.now();
  let sent = 0;
  const reply = new Promise((resolve) => { let text = ''; s.on('data', (d) => (text += d)); s.on('end', () => resolve(text)); });
  while (sent < bytes) {
    sent += chunk.length;
    if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
  }
  s.end();
  const received = Number(await reply);
  const seconds = (performance.now() - started) / 1000;
  if (received !== sent) throw new Error(`sink got ${received} of ${sent} bytes`);
  return sent / seconds / 1e6;
}

async function pingPong(socket, n) {
  const payload = Buffer.alloc(64, 1);
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await new Promise((resolve) => { let got = 0; const on = (d) => { got += d.length; if (got >= 64) { socket.off('data', on); resolve(); } }; socket.on('data', on); socket.write(payload); });
    times.push(performance.now() - t);
  }
  return times;
}

const peers = await start('faults-echo-child.mjs');
const proxy = await start('faults-proxy-child.mjs');
const make = async (name, upstreamPort) => Number((await api(proxy.url, 'POST', '/proxies', { name, listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` })).listen.split(':')[1]);
const sinkProxy = await make('sink', peers.sink);
const echoProxy = await make('echo', peers.echo);
const pipeSinkChild = await start('faults-pipe-proxy-child.mjs', [String(peers.sink)]);
const pipeEchoChild = await start('faults-pipe-proxy-child.mjs', [String(peers.echo)]);
const pipeSink = pipeSinkChild.port;
const pipeEcho = pipeEchoChild.port;
console.log(`fault proxy bench (${quick ? 'quick' : 'full'}), Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} (other work on the machine)`);
console.log('peer: a minimal Node proxy (stream.pipe both ways, own process); control for timers: a server replying after setTimeout(100)\n');

// 1. bulk throughput, alternating direct / proxy rounds
{
  const bytes = (quick ? 64 : 256) * 1024 * 1024;
  const direct = [];
  const proxied = [];
  const piped = [];
  let [ourCpu, pipeCpu] = [0, 0];
  for (let round = 0; round < 5; round++) {
    direct.push(await bulk(peers.sink, bytes));
    const ours = await cpuOf(proxy.child, () => bulk(sinkProxy, bytes));
    proxied.push(ours.result);
    ourCpu += ours.cpu;
    const theirs = await cpuOf(pipeSinkChild.child, () => bulk(pipeSink, bytes));
    piped.push(theirs.result);
    pipeCpu += theirs.cpu;
  }
  const best = (a) => Math.max(...a);
  console.log(
    `1. bulk throughput (${bytes / 1048576} MiB x 5 rounds, best): direct ${fmt(best(direct), 0)} MB/s, peakready proxy ${fmt(best(proxied), 0)} MB/s ` +
      `(${fmt((best(proxied) / best(direct)) * 100, 1)} % of direct; goal >= 80 %), pipe proxy ${fmt(best(piped), 0)} MB/s (${fmt((best(piped) / best(direct)) * 100, 1)} %) -> peakready/pipe ${fmt(best(proxied) / best(piped), 2)}`,
  );
  const gib = (5 * bytes) / 1073741824;
  console.log(`   proxy CPU per GiB: peakready ${fmt(ourCpu / 1e6 / gib, 3)} s, pipe proxy ${fmt(pipeCpu / 1e6 / gib, 3)} s -> ratio ${fmt(ourCpu / pipeCpu, 2)}`);
}

// 2. added latency per small request, interleaved batches on one connection each
{
  const n = quick ? 2000 : 10000;
  const d = await open(peers.echo);
  const p = await open(echoProxy);
  const q = await open(pipeEcho);
  for (const s of [d, p, q]) await pingPong(s, 500);
  const [direct, proxied, piped] = [[], [], []];
  let [ourCpu, pipeCpu] = [0, 0];
  for (let i = 0; i < 10; i++) {
    direct.push(...(await pingPong(d, n / 10)));
    const ours = await cpuOf(proxy.child, () => pingPong(p, n / 10));
    proxied.push(...ours.result);
    ourCpu += ours.cpu;
    const theirs = await cpuOf(pipeEchoChild.child, () => pingPong(q, n / 10));
    piped.push(...theirs.result);
    pipeCpu += theirs.cpu;
  }
  for (const a of [direct, proxied, piped]) a.sort((x, y) => x - y);
  const row = (k) =>
    `p${k} direct ${fmt(pct(direct, k))} ms, peakready +${fmt(pct(proxied, k) - pct(direct, k))} ms, pipe proxy +${fmt(pct(piped, k) - pct(direct, k))} ms`;
  console.log(`2. 64-byte round trips (${n} each, interleaved): ${row(50)}; ${row(99)} (goal: peakready adds <= 0.2 ms at p50)`);
  console.log(`   proxy CPU per round trip: peakready ${fmt(ourCpu / n, 1)} µs, pipe proxy ${fmt(pipeCpu / n, 1)} µs -> ratio ${fmt(ourCpu / pipeCpu, 2)}`);
  for (const s of [d, p, q]) s.destroy();
}

// 3. latency toxic accuracy with 1,000 concurrent connections
{
  const n = 1000;
  await api(proxy.url, 'POST', '/proxies/echo/toxics', { name: 'lag', type: 'latency', attributes: { latency: 100 } });
  const measure = async (port) => {
    const sockets = await Promise.all(Array.from({ length: n }, () => open(port)));
    const times = (await Promise.all(sockets.map((s) => pingPong(s, 3)))).flat().sort((a, b) => a - b);
    sockets.forEach((s) => s.destroy());
    return times;
  };
  const control = await measure(peers.delayed);
  const times = await measure(echoProxy);
  await api(proxy.url, 'DELETE', '/proxies/echo/toxics/lag');
  const row = (t) => `p50 ${fmt(pct(t, 50), 2)} ms, p99 ${fmt(pct(t, 99), 2)} ms`;
  console.log(
    `3. 100 ms with ${n} concurrent connections x 3 round trips: latency toxic ${row(times)} -> p50 off by ${fmt(pct(times, 50) - 100, 2)} ms (goal within 2 ms); ` +
      `control (server's own setTimeout 100, no proxy) ${row(control)} -> off by ${fmt(pct(control, 50) - 100, 2)} ms`,
  );
}

// 4. connections held open at once through one proxy (the proxy process holds 2 sockets per connection)
{
  const target = quick ? 2000 : 10000;
  const before = await ask(proxy.child, 'memory');
  const sockets = [];
  let failed = 0;
  for (let i = 0; i < target; i += 200) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(200, target - i) }, () => open(echoProxy)));
    for (const r of batch) {
      if (r.status === 'fulfilled') sockets.push(r.value);
      else failed++;
    }
  }
  // every held connection must still carry data end to end
  let echoed = 0;
  await Promise.all(sockets.map((s) => new Promise((resolve) => { s.once('data', () => { echoed++; resolve(); }); s.once('error', resolve); s.once('close', resolve); s.write('x'); })));
  await ask(proxy.child, 'gc');
  const after = await ask(proxy.child, 'memory');
  const mib = (b) => fmt(b / 1048576, 1);
  console.log(
    `4. held open: ${sockets.length} of ${target} connected (${failed} failed), ${echoed} echoed a byte through the proxy; ` +
      `proxy RSS ${mib(before.rss)} -> ${mib(after.rss)} MiB (+${fmt((after.rss - before.rss) / Math.max(sockets.length, 1) / 1024, 1)} KiB per connection), heap +${mib(after.heapUsed - before.heapUsed)} MiB`,
  );
  sockets.forEach((s) => s.destroy());
}

proxy.child.disconnect();
peers.child.disconnect();
