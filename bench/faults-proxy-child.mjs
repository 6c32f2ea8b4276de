// A child process running peakready's embedded fault proxy (from dist/), for bench/faults-bench.mjs:
// it prints its API URL, then answers {type:'memory'} messages with its memory use.
import { startFaultProxyServer } from '../dist/src/faults/server.js';

const server = await startFaultProxyServer({ port: 0 });
process.send({ type: 'ready', url: server.url });
process.on('message', (message) => {
  if (message.type === 'memory') process.send({ type: 'memory', ...process.memoryUsage() });
  if (message.type === 'cpu') process.send({ type: 'cpu', ...process.cpuUsage() });
  if (message.type === 'gc' && global.gc) {
    global.gc();
    process.send({ type: 'gc' });
  }
});
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
