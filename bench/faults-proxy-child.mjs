// A child process running peakready's embedded fault proxy (from dist/), for bench/faults-bench.mjs:
// it prints its API URL, then answers {type:'heap'} messages with its heap use, {type:'cpu'} with
// its CPU time, {type:'fds'} with its open files and their limit, and {type:'placement'} with the
// connections it and its helper processes hold. Its RSS the bench reads from
// /proc itself: with every fd taken by held connections this process could not open /proc.
import { readdirSync, readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { startFaultProxyServer } from '../dist/src/faults/server.js';

const server = await startFaultProxyServer({ port: 0 });
process.send({ type: 'ready', url: server.url });
process.on('message', (message) => {
  if (message.type === 'heap') process.send({ type: 'heap', heapUsed: getHeapStatistics().used_heap_size });
  if (message.type === 'placement') process.send({ type: 'placement', placement: server.placement() });
  if (message.type === 'cpu') process.send({ type: 'cpu', ...process.cpuUsage() });
  if (message.type === 'fds') {
    const [, soft, hard] = /^Max open files\s+(\d+)\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8')) ?? [];
    process.send({ type: 'fds', open: readdirSync('/proc/self/fd').length - 1 /* the listing's own fd */, soft: Number(soft), hard: Number(hard) });
  }
  if (message.type === 'gc' && global.gc) {
    global.gc();
    process.send({ type: 'gc' });
  }
});
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
