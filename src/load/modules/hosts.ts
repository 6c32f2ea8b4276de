import { isIP } from 'node:net';

/**
 * k6's `hosts` option: DNS overrides, as /etc/hosts does them. A request keeps its URL, Host header,
 * TLS server name and cookies; only the address it connects to changes.
 *
 *   hosts: { 'test.k6.io': '127.0.0.1', 'test.k6.io:443': '127.0.0.1:8443', '*.k6.io': '127.0.0.1:8080' }
 *
 * A key is a host name, optionally with a port (then only that port is redirected), and may start
 * with `*` to cover every name ending with what follows (`*.k6.io`: any subdomain of k6.io). A value
 * is an IP address, optionally with a port (`[::1]:8080` for IPv6); without one the request's own port
 * is kept. The most specific entry wins: host and port, then host, then the longest wildcard.
 *
 * Validated once into plain data (`HostsMap`), which crosses to the worker threads as it is.
 */

/** A validated entry's target. */
export interface HostTarget {
  host: string;
  port?: number;
}

/** Keys lower-cased: `name` or `name:port`; wildcard keys keep their leading `*`. */
export type HostsMap = Record<string, HostTarget>;

export interface HostsProblem {
  key: string;
  message: string;
}

function splitHostPort(text: string): { host: string; port?: number } | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] === undefined ? undefined : Number(bracketed[2]) };
  if (isIP(text) === 6) return { host: text };
  const m = /^([^:]+)(?::(\d+))?$/.exec(text);
  if (!m) return undefined;
  return { host: m[1]!, port: m[2] === undefined ? undefined : Number(m[2]) };
}

const validPort = (port: number | undefined) => port === undefined || (Number.isInteger(port) && port > 0 && port < 65536);

/** The option as the script (or --config) wrote it, checked: every problem named, nothing half-applied. */
export function parseHosts(raw: unknown): { hosts: HostsMap | undefined; problems: HostsProblem[] } {
  if (raw === undefined || raw === null) return { hosts: undefined, problems: [] };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { hosts: undefined, problems: [{ key: '', message: 'must be an object of host names to IP addresses' }] };
  const hosts: HostsMap = {};
  const problems: HostsProblem[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const from = splitHostPort(key.trim().toLowerCase());
    if (!from || from.host === '' || from.host.slice(1).includes('*') || !validPort(from.port)) {
      problems.push({ key, message: 'is not a host name, host:port or *.domain' });
      continue;
    }
    if (typeof value !== 'string') {
      problems.push({ key, message: `must map to an IP address as a string, like "127.0.0.1" or "127.0.0.1:8080"; got ${JSON.stringify(value)}` });
      continue;
    }
    const to = splitHostPort(value.trim());
    if (!to || isIP(to.host) === 0 || !validPort(to.port)) {
      problems.push({ key, message: `"${value}" is not an IP address or IP:port` });
      continue;
    }
    hosts[from.port === undefined ? from.host : `${from.host}:${from.port}`] = to.port === undefined ? { host: to.host } : { host: to.host, port: to.port };
  }
  return { hosts: Object.keys(hosts).length ? hosts : undefined, problems };
}

/** Where a connection to `hostname:port` goes under the overrides; undefined when none applies. */
export function resolveHost(hosts: HostsMap | undefined, hostname: string, port: number): { host: string; port: number } | undefined {
  if (!hosts) return undefined;
  const name = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const hit = hosts[`${name}:${port}`] ?? hosts[name] ?? wildcard(hosts, name, port);
  return hit ? { host: hit.host, port: hit.port ?? port } : undefined;
}

function wildcard(hosts: HostsMap, name: string, port: number): HostTarget | undefined {
  let best: { length: number; withPort: boolean; target: HostTarget } | undefined;
  for (const [key, target] of Object.entries(hosts)) {
    if (!key.startsWith('*')) continue;
    const from = splitHostPort(key)!;
    if (from.port !== undefined && from.port !== port) continue;
    const suffix = from.host.slice(1);
    if (!name.endsWith(suffix) || name.length === suffix.length) continue;
    const better = !best || suffix.length > best.length || (suffix.length === best.length && from.port !== undefined && !best.withPort);
    if (better) best = { length: suffix.length, withPort: from.port !== undefined, target };
  }
  return best?.target;
}
