import type { HttpDebug } from '../vu-context.js';
import type { WireResponse } from './http-client.js';

/**
 * `--http-debug` (headers) and `--http-debug=full` (with bodies): a request and its response as
 * they crossed the wire, in HTTP/1.1's own text, written to stderr as k6 logs them (one block per
 * exchange, so lines from concurrent VUs do not interleave).
 */
export function httpDebugText(mode: Exclude<HttpDebug, ''>, sent: { method: string; url: string; headers: Record<string, string>; body: string | Uint8Array | null | undefined }, wire: WireResponse): string {
  const target = new URL(sent.url);
  const lines = ['Request:', `${sent.method} ${target.pathname}${target.search} HTTP/1.1`];
  for (const [name, value] of Object.entries(sent.headers)) lines.push(`${headerCase(name)}: ${value}`);
  if (mode === 'full' && sent.body !== undefined && sent.body !== null && sent.body.length) lines.push('', bodyText(sent.body));
  lines.push('', 'Response:');
  if (wire.error) lines.push(`(no response: ${wire.error.message})`);
  else {
    lines.push(`HTTP/1.1 ${wire.status} ${wire.statusText}`);
    for (const [name, value] of Object.entries(wire.headers)) {
      for (const v of Array.isArray(value) ? value : [value]) if (v !== undefined) lines.push(`${headerCase(name)}: ${v}`);
    }
    if (mode === 'full' && wire.body?.length) lines.push('', bodyText(wire.body));
  }
  return `${lines.join('\n')}\n\n`;
}

/** `content-type` → `Content-Type`, as Go (and k6's dump) spell header names. */
function headerCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, ch: string) => dash + ch.toUpperCase());
}

function bodyText(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}
