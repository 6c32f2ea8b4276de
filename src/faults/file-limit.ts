import { readFileSync } from 'node:fs';

/**
 * This process's limit on open files (RLIMIT_NOFILE, soft), read from /proc/self/limits; Node
 * raises the soft limit to the hard one at start-up. undefined where /proc is not there.
 */
export function openFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!match) return undefined;
    return match[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(match[1]);
  } catch {
    return undefined;
  }
}

/**
 * How many proxied connections (two sockets each) a process may hold within `limit` open files,
 * keeping `reserve` files for everything else it does: 10 % of the limit, at least 64, at most
 * 2,048 (an API, listeners, the stack's pipes and clients when the proxy runs inside `peakready up`).
 */
export function connectionCapacity(limit: number, reserve = Math.min(2048, Math.max(64, Math.floor(limit / 10)))): number {
  return Math.max(0, Math.floor((limit - reserve) / 2));
}
