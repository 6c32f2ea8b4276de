import { ApiError } from './api-error.js';

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses Toxiproxy's `host:port` addresses (`127.0.0.1:8080`, `[::1]:8080`, `localhost:0`,
 * `:8080` = every interface), as Go's net.SplitHostPort reads them.
 */
export function parseHostPort(address: string, field: 'listen' | 'upstream'): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535 || (field === 'upstream' && (port === 0 || !(match[1] ?? match[2])))) {
    throw new ApiError(`${field}: address ${JSON.stringify(address)} is not host:port (e.g. 127.0.0.1:8080)`, 400, 'bad request body');
  }
  return { host: match[1] ?? match[2] ?? '', port };
}

/** `host:port` as Go prints it (IPv6 in brackets). */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
