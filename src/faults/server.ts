import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EnvironmentError } from '../errors.js';
import { formatHostPort } from './address.js';
import { apiHandler } from './api.js';
import { ProxyCollection } from './collection.js';

import { DEFAULT_API_HOST, DEFAULT_API_PORT } from './api-defaults.js';

export { DEFAULT_API_HOST, DEFAULT_API_PORT };

export interface FaultProxyServer {
  /** the API base URL, e.g. http://127.0.0.1:8474 */
  url: string;
  port: number;
  /** stops the API and every proxy listener, and closes every connection */
  close(): Promise<void>;
}

/**
 * Starts the embedded Toxiproxy-compatible server in this process: the HTTP API on host:port
 * (port 0 picks a free one) and, as proxies are created through it, their TCP listeners.
 */
export async function startFaultProxyServer(options: { host?: string; port?: number } = {}): Promise<FaultProxyServer> {
  const host = options.host ?? DEFAULT_API_HOST;
  const collection = new ProxyCollection();
  const sockets = new Set<Socket>();
  const server = createServer({ keepAliveTimeout: 60_000, headersTimeout: 15_000, requestTimeout: 25_000 }, apiHandler(collection));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new EnvironmentError(
          error.code === 'EADDRINUSE'
            ? `fault proxy API: ${host}:${options.port} is already in use; stop what listens there (is a Toxiproxy already running?) or pass --port`
            : `fault proxy API: cannot listen on ${host}:${options.port ?? DEFAULT_API_PORT}: ${error.message}`,
        ),
      ),
    );
    server.listen({ host, port: options.port ?? DEFAULT_API_PORT }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${formatHostPort(host, port)}`,
    port,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await collection.closeAll();
        await closed;
      })()),
  };
}
