/** Where a Toxiproxy API listens by default (Toxiproxy's own defaults): loopback, port 8474. */
export const DEFAULT_API_HOST = '127.0.0.1';
export const DEFAULT_API_PORT = 8474;
