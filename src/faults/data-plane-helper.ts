import type { Socket } from 'node:net';
import { ConnectionGroup } from './connection-group.js';
import { ProxyConnection } from './connection.js';
import type { FromHelper, ToHelper } from './helper-protocol.js';

/**
 * A helper process of the fault proxy (forked by data-plane.ts): it holds the connections handed
 * to it once the proxy's own process is out of open files, and runs them exactly as the proxy
 * does (the same ProxyConnection, ConnectionGroup and toxics), keeping each proxy's toxics from the messages.
 * It lives only as long as its IPC channel: when the proxy process ends, by any means, the
 * channel closes and this process closes its connections and exits.
 */

/** each proxy's group here, by the proxy's id */
const groups = new Map<number, ConnectionGroup>();
let finished = 0;
let reporting = false;

function send(message: FromHelper): void {
  // the proxy may die between the check and the write (EPIPE): that is the end of this helper too,
  // the same as a disconnect, not an uncaught error
  if (process.connected) process.send!(message, (error: Error | null) => error && shutDown());
}

function shutDown(): never {
  for (const group of groups.values()) group.destroyConnections();
  process.exit(0);
}

/** connection ends are reported in batches, once per turn of the event loop */
function finishedOne(): void {
  finished++;
  if (reporting) return;
  reporting = true;
  setImmediate(() => {
    reporting = false;
    send({ type: 'finished', count: finished });
    finished = 0;
  });
}

function handle(message: ToHelper, socket: Socket | undefined): void {
  if (message.type === 'connection') {
    // a client that went away while being handed over arrives without a socket
    if (!socket) return finishedOne();
    let group = groups.get(message.proxy);
    if (!group) groups.set(message.proxy, (group = new ConnectionGroup(message.toxics)));
    const { connections, toxics } = group;
    connections.add(
      new ProxyConnection(socket, message.target, () => toxics, (c) => {
        connections.delete(c);
        finishedOne();
      }),
    );
    return;
  }
  const group = groups.get(message.proxy);
  if (group) {
    if (message.type === 'add-toxic') group.addToxic(message.toxic);
    else if (message.type === 'close-proxy') {
      groups.delete(message.proxy);
      group.destroyConnections();
    } else {
      const toxic = group.find(message.name);
      if (toxic && message.type === 'update-toxic') group.updateToxic(toxic, message);
      else if (toxic) group.removeToxic(toxic);
    }
  }
  send({ type: 'ack', seq: message.seq });
}

process.on('message', (message: ToHelper, socket?: Socket) => handle(message, socket));
process.on('disconnect', shutDown);
