// The peer for throughput and added latency: the smallest possible Node TCP proxy (stream.pipe
// both ways, no toxics, no API), in its own process like peakready's fault proxy.
import { connect, createServer } from 'node:net';

const [, , upstreamPort] = process.argv;
const server = createServer({ noDelay: true, allowHalfOpen: true }, (client) => {
  const upstream = connect({ port: Number(upstreamPort), host: '127.0.0.1', noDelay: true, allowHalfOpen: true });
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
process.on('message', (message) => {
  if (message.type === 'cpu') process.send({ type: 'cpu', ...process.cpuUsage() });
});
process.on('disconnect', () => process.exit(0));
