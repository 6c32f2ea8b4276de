// A child process with TCP servers for bench/faults-bench.mjs: an echo server (small requests,
// held connections) and a sink that counts bytes (bulk throughput). Prints their ports.
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
// the control for toxic accuracy: the same 100 ms wait done by the server itself with setTimeout
const delayed = createServer({ noDelay: true }, (s) => {
  s.on('error', () => {});
  s.on('data', (d) => setTimeout(() => s.write(d), 100));
});
await Promise.all([new Promise((r) => delayed.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r)), new Promise((r) => echo.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r)), new Promise((r) => sink.listen(0, '127.0.0.1', r))]);
process.send({ type: 'ready', echo: echo.address().port, sink: sink.address().port, delayed: delayed.address().port });
process.on('disconnect', () => process.exit(0));
