import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EnvironmentError } from '../errors.js';
import { formatHostPort } from './address.js';
import { apiHandler } from './api.js';
import { ProxyCollection } from './collection.js';
import { DataPlane, type Placement } from './data-plane.js';

import { DEFAULT_API_HOST, DEFAULT_API_PORT } from './api-defaults.js';

export { DEFAULT_API_HOST, DEFAULT_API_PORT };

export interface FaultProxyServer {
  /** the API base URL, e.g. http://127.0.0.1:8474 */
  url: string;
  port: number;
  /** how many connections this process and each helper process hold */
  placement(): Placement;
  /** stops the API and every proxy listener, and closes every connection (helpers' too) */
  close(): Promise<void>;
}

export interface FaultProxyServerOptions {
  host?: string;
  /** 0 picks a free one */
  port?: number;
  /**
   * Connections this process holds before it hands new ones to helper processes. Default: as
   * many as its open-file limit allows, or $PEAKREADY_PROXY_LOCAL_CONNECTIONS.
   */
  localConnections?: number;
}

/** The variable that sets `localConnections` (tests use it to exercise the helpers with few connections). */
export const LOCAL_CONNECTIONS_ENV = 'PEAKREADY_PROXY_LOCAL_CONNECTIONS';

function localConnectionsFromEnv(): number | undefined {
  const raw = process.env[LOCAL_CONNECTIONS_ENV];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new EnvironmentError(`${LOCAL_CONNECTIONS_ENV}="${raw}" is not a whole number of connections (0 or more); unset it to use the open-file limit`);
  }
  return n;
}

/**
 * Starts the embedded Toxiproxy-compatible server in this process: the HTTP API on host:port
 * (port 0 picks a free one) and, as proxies are created through it, their TCP listeners.
 */
export async function startFaultProxyServer(options: FaultProxyServerOptions = {}): Promise<FaultProxyServer> {
  const host = options.host ?? DEFAULT_API_HOST;
  const dataPlane = new DataPlane(options.localConnections ?? localConnectionsFromEnv());
  const collection = new ProxyCollection(dataPlane);
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
    placement: () => dataPlane.placement(),
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await collection.closeAll();
        await dataPlane.close();
        await closed;
      })()),
  };
}
