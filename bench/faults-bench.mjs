// Fault proxy figures, side by side in one run (npm run build first):
//   node bench/faults-bench.mjs [--quick] [--only 1,2,3,4]
// 1. bulk throughput through a proxy with no toxic vs. direct on loopback (upload, and download),
//    with the CPU each process (client, proxy, sink/source) spends per GiB and the bound that sets
// 2. added latency per small request (64-byte ping-pong), p50/p99, proxy vs. direct, interleaved
// 3. latency toxic accuracy: 100 ms downstream latency, 1,000 concurrent connections; the added
//    latency is toxic minus no toxic through the same proxy with the same burst, interleaved, repeated
// 4. connections held open through one proxy at once, the memory they take, and the fd limit
// The proxy runs in its own process (as under `peakready up`); peers run in another.
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { TimedQueue } from '../dist/src/faults/toxics/timed-queue.js';

const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const sections = onlyAt > 0 ? new Set(process.argv[onlyAt + 1].split(',').map(Number)) : new Set([1, 2, 3, 4]);
const here = (f) => fileURLToPath(new URL(f, import.meta.url));
const children = [];
let done = false;
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

function start(file, args = []) {
  const child = fork(here(file), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('message', (m) => {
      resolve({ child, ...m });
      // a child that dies mid-run would leave the bench waiting for its answer forever
      child.once('exit', (code, signal) => {
        if (!done) {
          console.error(`${file} exited mid-run (${code ?? signal})`);
          process.exit(1);
        }
      });
    });
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
const signed = (n, d = 2) => `${n >= 0 ? '+' : ''}${fmt(n, d)}`;

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

/** client -> proxy -> sink; resolves with MB/s */
async function upload(port, bytes) {
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

/** source -> proxy -> client; resolves with MB/s */
async function download(port, bytes) {
  const s = await open(port);
  const started = performance.now();
  let received = 0;
  await new Promise((resolve) => { s.on('data', (d) => (received += d.length)); s.on('end', resolve); s.write(String(bytes)); });
  s.end();
  const seconds = (performance.now() - started) / 1000;
  if (received < bytes) throw new Error(`client got ${received} of ${bytes} bytes`);
  return received / seconds / 1e6;
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
const sourceProxy = await make('source', peers.source);
const echoProxy = await make('echo', peers.echo);
const pipeSinkChild = await start('faults-pipe-proxy-child.mjs', [String(peers.sink)]);
const pipeSourceChild = await start('faults-pipe-proxy-child.mjs', [String(peers.source)]);
const pipeEchoChild = await start('faults-pipe-proxy-child.mjs', [String(peers.echo)]);
const pipeEcho = pipeEchoChild.port;
console.log(`fault proxy bench (${quick ? 'quick' : 'full'}), Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} (other work on the machine)`);
console.log('peer: a minimal Node proxy (stream.pipe both ways, own process); control for timers: a server replying after setTimeout(100)\n');

// 1. bulk throughput, rounds alternating direct / peakready / pipe proxy, each direction
if (sections.has(1)) {
  const bytes = (quick ? 64 : 256) * 1024 * 1024;
  // three processes share 2 cores, so single rounds swing by 20 points: many rounds, and the
  // median of each round's ratio beside the ratio of the bests
  const rounds = quick ? 3 : 9;
  const gib = bytes / 1073741824;
  const cpuNow = async (who) => (who === 'client' ? process.cpuUsage() : ask(who.child, 'cpu')); // the client is this process
  /** one transfer; MB/s and CPU s per GiB of the client, the proxy and the peer */
  async function measured(run, port, proxyChild) {
    const who = ['client', ...(proxyChild ? [proxyChild] : []), peers];
    const before = await Promise.all(who.map(cpuNow));
    const mbs = await run(port, bytes);
    const after = await Promise.all(who.map(cpuNow));
    const cpu = who.map((_, i) => (after[i].user + after[i].system - before[i].user - before[i].system) / 1e6 / gib);
    return { mbs, client: cpu[0], proxy: proxyChild ? cpu[1] : 0, peer: cpu.at(-1) };
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  for (const [label, run, direct, ours, pipe] of [
    ['upload (client -> proxy -> sink)', upload, peers.sink, sinkProxy, [pipeSinkChild, pipeSinkChild.port]],
    ['download (source -> proxy -> client)', download, peers.source, sourceProxy, [pipeSourceChild, pipeSourceChild.port]],
  ]) {
    const rows = { direct: [], peakready: [], pipe: [] };
    for (let round = 0; round < rounds; round++) {
      rows.direct.push(await measured(run, direct));
      rows.peakready.push(await measured(run, ours, proxy));
      rows.pipe.push(await measured(run, pipe[1], pipe[0]));
    }
    const best = (name) => Math.max(...rows[name].map((r) => r.mbs));
    const cpuOfRows = (name) => ({ client: median(rows[name].map((r) => r.client)), proxy: median(rows[name].map((r) => r.proxy)), peer: median(rows[name].map((r) => r.peer)) });
    const d = cpuOfRows('direct');
    const p = cpuOfRows('peakready');
    const q = cpuOfRows('pipe');
    console.log(
      `1. bulk ${label}, ${bytes / 1048576} MiB x ${rounds} rounds, best: direct ${fmt(best('direct'), 0)} MB/s, peakready ${fmt(best('peakready'), 0)} MB/s ` +
        `(${fmt((best('peakready') / best('direct')) * 100, 1)} % of direct; goal >= 80 %), pipe proxy ${fmt(best('pipe'), 0)} MB/s (${fmt((best('pipe') / best('direct')) * 100, 1)} %); ` +
        `medians ${fmt(median(rows.direct.map((r) => r.mbs)), 0)} / ${fmt(median(rows.peakready.map((r) => r.mbs)), 0)} / ${fmt(median(rows.pipe.map((r) => r.mbs)), 0)} MB/s`,
    );
    const perRound = rows.peakready.map((r, i) => (r.mbs / rows.direct[i].mbs) * 100);
    console.log(`   peakready / direct within each round: median ${fmt(median(perRound), 1)} % (${fmt(Math.min(...perRound), 1)}-${fmt(Math.max(...perRound), 1)} %)`);
    const row = (c) => `client ${fmt(c.client, 2)} + proxy ${fmt(c.proxy, 2)} + peer ${fmt(c.peer, 2)} = ${fmt(c.client + c.proxy + c.peer, 2)}`;
    console.log(`   CPU s per GiB (medians): direct ${row(d)}; peakready ${row(p)}; pipe proxy ${row(q)}`);
    // Each process is one thread of JavaScript, so no process can go past 1 core; all of them share
    // the machine's cores. Bound (GiB/s) = min(cores / total CPU per GiB, 1 / largest single process).
    const bound = (c) => Math.min(cpus().length / (c.client + c.proxy + c.peer), 1 / Math.max(c.client, c.proxy, c.peer)) * 1.073741824 * 1000;
    console.log(
      `   CPU bound on ${cpus().length} idle cores: peakready ${fmt(bound(p), 0)} MB/s = ${fmt((bound(p) / best('direct')) * 100, 1)} % of direct's best ` +
        `(it reached ${fmt((best('peakready') / bound(p)) * 100, 1)} % of that bound; direct's own bound ${fmt(bound(d), 0)} MB/s, reached ${fmt((best('direct') / bound(d)) * 100, 1)} %; ` +
        `pipe proxy bound ${fmt(bound(q), 0)} MB/s = ${fmt((bound(q) / best('direct')) * 100, 1)} %)`,
    );
  }
}

await api(proxy.url, 'DELETE', '/proxies/source'); // its listener would take one of the fds section 4 counts

// 2. added latency per small request, interleaved batches on one connection each
if (sections.has(2)) {
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

// 3. latency toxic accuracy with 1,000 concurrent connections. A burst of 1,000 connections has
// latency of its own (the proxy accepts and connects 1,000 upstreams while the first requests wait),
// so the toxic's added latency is measured against the same burst through the same proxy without
// the toxic, rounds interleaved: baseline, toxic, control (a server's own setTimeout(100), no proxy).
if (sections.has(3)) {
  const n = 1000;
  const rounds = quick ? 2 : 5;
  const trips = 3;
  /** n connections at once, `trips` round trips each; round trip times by trip number */
  const burst = async (port) => {
    const sockets = await Promise.all(Array.from({ length: n }, () => open(port)));
    const perSocket = await Promise.all(sockets.map((s) => pingPong(s, trips)));
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => setTimeout(r, 200)); // let the closes settle before the next burst
    return Array.from({ length: trips }, (_, i) => perSocket.map((t) => t[i]));
  };
  const runs = { base: [], toxic: [], control: [] };
  for (let round = 0; round < rounds; round++) {
    runs.base.push(await burst(echoProxy));
    await api(proxy.url, 'POST', '/proxies/echo/toxics', { name: 'lag', type: 'latency', attributes: { latency: 100 } });
    runs.toxic.push(await burst(echoProxy));
    await api(proxy.url, 'DELETE', '/proxies/echo/toxics/lag');
    runs.control.push(await burst(peers.delayed));
  }
  const sorted = (a) => [...a].sort((x, y) => x - y);
  // all round trips, or only those after the first (connections already set up)
  const pool = (name, warm) => sorted(runs[name].flatMap((byTrip) => byTrip.slice(warm ? 1 : 0).flat()));
  const perRound = (name, k) => runs[name].map((byTrip) => pct(sorted(byTrip.flat()), k));
  const median = (a) => sorted(a)[Math.floor(a.length / 2)];
  for (const warm of [false, true]) {
    const [b, t, c] = ['base', 'toxic', 'control'].map((name) => pool(name, warm));
    console.log(
      `3${warm ? "'" : '.'} 100 ms latency toxic, ${n} concurrent connections, ${rounds} interleaved rounds, ${warm ? `round trips 2-${trips} only (connections set up)` : `all ${trips} round trips`}: ` +
        `added by the toxic (toxic - no toxic, same proxy and burst) p50 ${signed(pct(t, 50) - pct(b, 50))} ms, p99 ${signed(pct(t, 99) - pct(b, 99))} ms (goal: p50 within 2 ms of 100); ` +
        `toxic p50 ${fmt(pct(t, 50), 2)} / p99 ${fmt(pct(t, 99), 2)} ms, no toxic p50 ${fmt(pct(b, 50), 2)} / p99 ${fmt(pct(b, 99), 2)} ms, ` +
        `control setTimeout(100) p50 ${fmt(pct(c, 50), 2)} / p99 ${fmt(pct(c, 99), 2)} ms`,
    );
  }
  const added = runs.toxic.map((_, i) => perRound('toxic', 50)[i] - perRound('base', 50)[i]);
  // the toxic's own timing, without sockets: 1,000 latency queues in this process, one 64-byte chunk
  // each arriving over ~5 ms, each due 100 ms after it arrived; vs. a bare setTimeout(100) per chunk
  const lateness = async (withQueue) => {
    const late = [];
    for (let round = 0; round < 5; round++) {
      await new Promise((done) => {
        let left = n;
        let i = 0;
        const released = (due) => {
          late.push(performance.now() - due);
          if (--left === 0) done();
        };
        const feed = () => {
          for (const until = performance.now() + 0.5; i < n && performance.now() < until; i++) {
            const due = performance.now() + 100;
            if (withQueue) new TimedQueue({ data: () => released(due), end() {}, dropped() {}, close() {}, reset() {} }).push(due, Buffer.alloc(64));
            else setTimeout(() => released(due), 100);
          }
          if (i < n) setImmediate(feed);
        };
        feed();
      });
    }
    return sorted(late);
  };
  const q = await lateness(true);
  const bare = await lateness(false);
  console.log(`   the toxic's own queue, no sockets (${n} queues x 5, release - due): p50 ${fmt(pct(q, 50), 2)} ms, p99 ${fmt(pct(q, 99), 2)} ms, min ${fmt(q[0], 2)}; bare setTimeout(100): p50 ${fmt(pct(bare, 50), 2)}, p99 ${fmt(pct(bare, 99), 2)} ms`);
  console.log(`   added p50 per round: ${added.map((x) => fmt(x, 2)).join(', ')} ms (median ${fmt(median(added), 2)}); control's own excess p50 per round: ${perRound('control', 50).map((x) => signed(x - 100)).join(', ')} ms`);
}

// 4. connections held open at once through one proxy. Each takes two sockets in the process that
// holds it, so one process holds at most half its open-file limit; past its share the proxy hands
// new connections to helper processes (src/faults/data-plane.ts). Memory is the sum over them all.
if (sections.has(4)) {
  const target = quick ? 2000 : 10000;
  const fds = await ask(proxy.child, 'fds');
  const rssOf = (pid) => Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  const before = { heapUsed: (await ask(proxy.child, 'heap')).heapUsed, rss: rssOf(proxy.child.pid) };
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
  const { placement } = await ask(proxy.child, 'placement');
  const after = { heapUsed: (await ask(proxy.child, 'heap')).heapUsed, rss: rssOf(proxy.child.pid) };
  const helpersRss = placement.helpers.reduce((sum, h) => sum + rssOf(h.pid), 0);
  const mib = (b) => fmt(b / 1048576, 1);
  const total = after.rss + helpersRss - before.rss;
  console.log(
    `4. held open: ${sockets.length} of ${target} connected (${failed} failed), ${echoed} echoed a byte through the proxy; ` +
      `the proxy process holds ${placement.local}, ${placement.helpers.length} helper process(es) ${placement.helpers.map((h) => h.connections).join(' + ') || 0}`,
  );
  console.log(
    `   memory: proxy RSS ${mib(before.rss)} -> ${mib(after.rss)} MiB, helpers ${mib(helpersRss)} MiB; ` +
      `+${mib(total)} MiB in all, ${fmt(total / Math.max(sockets.length, 1) / 1024, 1)} KiB per connection (a helper's own Node runtime included), proxy heap ${signed((after.heapUsed - before.heapUsed) / 1048576, 1)} MiB`,
  );
  console.log(
    `   open-file limit per process: ${fds.soft} (hard ${fds.hard}, cannot be raised here); the proxy process had ${fds.open} open before, ` +
      `and one process fits at most (${fds.soft} - ${fds.open}) / 2 = ${Math.floor((fds.soft - fds.open) / 2)} connections`,
  );
  sockets.forEach((s) => s.destroy());
}

done = true;
for (const c of children) if (c.connected) c.disconnect();
process.exit(0);
