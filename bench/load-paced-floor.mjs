// The floor of a paced generator on this machine: the least a load generator can do to start
// requests at an even rate, as an arrival-rate executor must. Raw keep-alive sockets (a pool of
// 50, grown when all are busy, up to 2,500), one small GET written per arrival, the response
// counted when its head and body are in (nginx's small static reply fits one read); no parsing
// beyond the Content-Length, no metrics, no script. A timer wakes it for each arrival (Node
// timers have 1 ms resolution, so at 5,000/s about five requests go out per wake, as in the
// engine). What it costs per request is what pacing itself costs here: the wake-ups, the
// syscalls and the target's wake-ups, before any generator's own work.
//
//   node bench/load-paced-floor.mjs URL RATE SECONDS     -> prints one JSON line
import { connect } from 'node:net';

const [url, rate, seconds] = [new URL(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
if (!url.hostname || !(rate > 0) || !(seconds > 0)) {
  console.error('usage: node bench/load-paced-floor.mjs URL RATE SECONDS');
  process.exit(2);
}
const request = Buffer.from(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
const idle = [];
const latencies = [];
let sent = 0;
let answered = 0;
let opened = 0;
let dropped = 0;

function open() {
  opened++;
  const socket = connect({ port: Number(url.port), host: url.hostname, noDelay: true });
  socket.on('error', (e) => {
    console.error(`load-paced-floor: ${e.message}`);
    process.exit(1);
  });
  // a response is complete when its head and Content-Length bytes of body are in (usually one read)
  let got = '';
  socket.on('data', (chunk) => {
    got += chunk.latin1Slice();
    const headEnd = got.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const length = /\r\ncontent-length: *(\d+)/i.exec(got.slice(0, headEnd));
    if (got.length < headEnd + 4 + Number(length?.[1] ?? 0)) return;
    got = '';
    latencies.push(performance.now() - socket.sentAt);
    answered++;
    idle.push(socket);
  });
  return socket;
}

for (let i = 0; i < 50; i++) idle.push(open());
const begin = performance.now();
const total = Math.round(seconds * rate);

(function tick() {
  if (sent >= total) return setTimeout(finish, 200);
  // every arrival due by now goes out (a late wake sends the ones it missed at once)
  const due = Math.min(Math.floor(((performance.now() - begin) * rate) / 1000) + 1, total);
  while (sent < due) {
    // as an arrival-rate executor's maxVUs: past 2,500 sockets in flight the arrival is dropped
    const socket = idle.pop() ?? (opened < 2500 ? open() : undefined);
    if (!socket) {
      dropped++;
      sent++;
      continue;
    }
    socket.sentAt = performance.now();
    socket.write(request);
    sent++;
  }
  setTimeout(tick, Math.max(0, (sent * 1000) / rate - (performance.now() - begin)));
})();

function finish() {
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  console.log(JSON.stringify({ sent: sent - dropped, answered, dropped, p50Ms: pct(50), p99Ms: pct(99) }));
  process.exit(answered === sent - dropped && dropped === 0 ? 0 : 1);
}
