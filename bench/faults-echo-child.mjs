// A child process with TCP servers for bench/faults-bench.mjs: an echo server (small requests,
// held connections), a sink that counts bytes and a source that sends them (bulk throughput both
// ways). Prints their ports; answers {type:'cpu'} with its CPU time.
import { createServer } from 'node:net';

const echo = createServer({ noDelay: true }, (s) => {
  s.on('error', () => {});
  s.pipe(s);
});
const sink = createServer((s) => {
  s.on('error', () => {});
  let bytes = 0;
  s.on('data', (d) => (bytes += d.length));
  s.on('end', () => s.end(String(bytes)));
});
// sends as many bytes as the client's first message says, in 64 KiB writes, then ends
const block = Buffer.alloc(64 * 1024, 7);
const source = createServer((s) => {
  s.on('error', () => {});
  s.once('data', async (d) => {
    for (let left = Number(d.toString()); left > 0; left -= block.length) if (!s.write(block)) await new Promise((r) => s.once('drain', r));
    s.end();
  });
});
// the control for toxic accuracy: the same 100 ms wait done by the server itself with setTimeout
const delayed = createServer({ noDelay: true }, (s) => {
  s.on('error', () => {});
  s.on('data', (d) => setTimeout(() => s.write(d), 100));
});
await Promise.all([new Promise((r) => delayed.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r)), new Promise((r) => echo.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r)), new Promise((r) => sink.listen(0, '127.0.0.1', r)), new Promise((r) => source.listen(0, '127.0.0.1', r))]);
process.send({ type: 'ready', echo: echo.address().port, sink: sink.address().port, delayed: delayed.address().port, source: source.address().port });
process.on('message', (message) => {
  if (message.type === 'cpu') process.send({ type: 'cpu', ...process.cpuUsage() });
});
process.on('disconnect', () => process.exit(0));
