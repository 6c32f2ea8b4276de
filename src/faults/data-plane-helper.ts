import type { Socket } from 'node:net';
import { ProxyConnection } from './connection.js';
import type { FromHelper, ToHelper } from './helper-protocol.js';
import type { ToxicState } from './toxic-state.js';

/**
 * A helper process of the fault proxy (forked by data-plane.ts): it holds the connections handed
 * to it once the proxy's own process is out of open files, and runs them exactly as the proxy
 * does (the same ProxyConnection and toxics), mirroring each proxy's toxics from the messages.
 * It lives only as long as its IPC channel: when the proxy process ends, by any means, the
 * channel closes and this process closes its connections and exits.
 */

interface Mirror {
  toxics: ToxicState[];
  connections: Set<ProxyConnection>;
}

const mirrors = new Map<number, Mirror>();
let finished = 0;
let reporting = false;

function send(message: FromHelper): void {
  if (process.connected) process.send!(message);
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

function mirrorOf(proxy: number, toxics: ToxicState[] = []): Mirror {
  let mirror = mirrors.get(proxy);
  if (!mirror) mirrors.set(proxy, (mirror = { toxics, connections: new Set() }));
  return mirror;
}

function handle(message: ToHelper, socket: Socket | undefined): void {
  switch (message.type) {
    case 'connection': {
      // a client that went away while being handed over arrives without a socket
      if (!socket) return finishedOne();
      const mirror = mirrorOf(message.proxy, message.toxics);
      const connection = new ProxyConnection(socket, message.target, () => mirror.toxics, (c) => {
        mirror.connections.delete(c);
        finishedOne();
      });
      mirror.connections.add(connection);
      return;
    }
    case 'add-toxic': {
      const mirror = mirrors.get(message.proxy);
      if (mirror) {
        mirror.toxics.push(message.toxic);
        for (const connection of mirror.connections) connection.addToxic(message.toxic);
      }
      break;
    }
    case 'update-toxic': {
      const toxic = mirrors.get(message.proxy)?.toxics.find((t) => t.name === message.name);
      if (toxic) {
        toxic.toxicity = message.toxicity;
        toxic.attributes = message.attributes;
      }
      break;
    }
    case 'remove-toxic': {
      const mirror = mirrors.get(message.proxy);
      const toxic = mirror?.toxics.find((t) => t.name === message.name);
      if (mirror && toxic) {
        mirror.toxics.splice(mirror.toxics.indexOf(toxic), 1);
        for (const connection of mirror.connections) connection.removeToxic(toxic);
      }
      break;
    }
    case 'close-proxy': {
      const mirror = mirrors.get(message.proxy);
      mirrors.delete(message.proxy);
      for (const connection of mirror?.connections ?? []) connection.destroy();
      break;
    }
  }
  send({ type: 'ack', seq: message.seq });
}

process.on('message', (message: ToHelper, socket?: Socket) => handle(message, socket));
process.on('disconnect', () => {
  for (const mirror of mirrors.values()) for (const connection of mirror.connections) connection.destroy();
  process.exit(0);
});
