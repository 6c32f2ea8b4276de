import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { parseUrlFlag } from './url-flag.js';

/** True for 127.0.0.0/8, ::1 and "localhost": the only places load, faults and scans may go by default. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** Refuses a URL that is not http(s), and one outside loopback unless the user passed --allow-remote. */
export function assertLoopbackTarget(url: string, allowRemote: boolean, flag = '--target'): URL {
  const parsed = parseUrlFlag(url, flag);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`${flag}: "${url}" is not an http:// or https:// URL; write it like http://127.0.0.1:8080`);
  }
  if (!allowRemote && !isLoopbackHost(parsed.hostname)) {
    throw new UsageError(
      `${flag}: ${parsed.hostname} is not a loopback address; peakready only sends load and faults to 127.0.0.0/8 or ::1 ` +
        'unless you pass --allow-remote (only against systems you own)',
    );
  }
  return parsed;
}
