import type { IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import WebSocket from 'ws';
import { isLoopbackHost } from '../../util/loopback.js';
import type { VuContext } from '../vu-context.js';
import { CookieJar } from './cookie-jar.js';
import { resolveHost, type HostsMap } from './hosts.js';

/**
 * What `k6/ws` and `k6/websockets` share: the URL and params they accept, the opening handshake
 * (with the `ws` package), and k6's WebSocket metrics: ws_sessions and ws_connecting when the
 * handshake ends (well or not), ws_msgs_sent/received per message, ws_ping per answered ping,
 * ws_session_duration at the end, and the session's bytes as data_sent/data_received.
 */

export const WS_METRICS = [
  { name: 'ws_sessions', type: 'counter', contains: 'default' },
  { name: 'ws_connecting', type: 'trend', contains: 'time' },
  { name: 'ws_session_duration', type: 'trend', contains: 'time' },
  { name: 'ws_msgs_sent', type: 'counter', contains: 'default' },
  { name: 'ws_msgs_received', type: 'counter', contains: 'default' },
  { name: 'ws_ping', type: 'trend', contains: 'time' },
] as const;

export function defineWsMetrics(vu: VuContext): void {
  for (const m of WS_METRICS) vu.instance.sink.define({ ...m });
}

export interface WsParams {
  headers: Record<string, string>;
  tags: Record<string, string> | undefined;
  jar: CookieJar | undefined;
  compression: boolean;
}

/** The params object of ws.connect() and new WebSocket(): headers, tags, jar, compression ('deflate'). */
export function wsParamsOf(input: unknown, what: string): WsParams {
  const params: WsParams = { headers: {}, tags: undefined, jar: undefined, compression: false };
  if (input === undefined || input === null) return params;
  if (typeof input !== 'object' || Array.isArray(input)) throw new Error(`${what}: params must be an object`);
  const o = input as Record<string, unknown>;
  if (o.headers !== undefined && o.headers !== null) {
    if (typeof o.headers !== 'object') throw new Error(`${what}: params.headers must be an object of header names and values`);
    for (const [k, v] of Object.entries(o.headers)) params.headers[k] = String(v);
  }
  if (o.tags !== undefined && o.tags !== null) {
    if (typeof o.tags !== 'object') throw new Error(`${what}: invalid metric tags: params.tags must be an object`);
    params.tags = Object.fromEntries(Object.entries(o.tags).map(([k, v]) => [k, String(v)]));
  }
  if (o.jar instanceof CookieJar) params.jar = o.jar;
  const compression = typeof o.compression === 'string' ? o.compression.trim() : '';
  if (compression !== '' && compression !== 'deflate') throw new Error(`${what}: unsupported compression algorithm '${compression}', supported algorithm is 'deflate'`);
  params.compression = compression === 'deflate';
  return params;
}

/** A ws:// or wss:// URL on loopback (unless --allow-remote). */
export function wsUrlOf(value: unknown, allowRemote: boolean, what: string, hosts?: HostsMap): URL {
  if (value === undefined || value === null) throw new Error(`${what} requires a url`);
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new Error(`${what} requires a valid url, but got "${String(value)}"; write it like ws://127.0.0.1:8080/chat`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`${what} requires url with scheme ws or wss, but got "${url.protocol.replace(/:$/, '')}"`);
  if (!allowRemote && !isLoopbackHost(resolveHost(hosts, url.hostname, wsPort(url))?.host ?? url.hostname)) {
    throw new Error(`refused WebSocket connection to ${url.hostname}: peakready only sends load to 127.0.0.0/8 or ::1 unless you pass --allow-remote (only against systems you own)`);
  }
  return url;
}

const wsPort = (url: URL) => Number(url.port) || (url.protocol === 'wss:' ? 443 : 80);

/** k6's `hosts` option: the socket goes to the overriding address; the URL, Host header and TLS name stay. */
function connectionFor(to: { host: string; port: number } | undefined, secure: boolean): Pick<WebSocket.ClientOptions, 'createConnection'> {
  if (!to) return {};
  const createConnection = (options: Record<string, unknown>): Socket =>
    secure
      ? tlsConnect({ ...options, host: to.host, port: to.port, servername: String(options.servername ?? options.host) })
      : netConnect({ ...options, host: to.host, port: to.port } as never);
  return { createConnection: createConnection as unknown as WebSocket.ClientOptions['createConnection'] };
}

export interface Handshake {
  /** the open socket; undefined when the handshake failed */
  ws: WebSocket | undefined;
  status: number;
  headers: Record<string, string>;
  /** the body of a refused upgrade */
  body: string;
  error: string | undefined;
  /** the session's tags: the VU's, the params', url and status and subproto */
  tags: Record<string, string>;
  /** performance.now() when the handshake started */
  started: number;
  /** the TCP socket under the session, for its byte counts */
  socket: Socket | undefined;
}

/** Opens a WebSocket and emits ws_sessions and ws_connecting, whether the handshake succeeds or not. */
export function openWebSocket(vu: VuContext, url: URL, params: WsParams, protocols: readonly string[], nameTag: boolean): Promise<Handshake> {
  const inst = vu.instance;
  const headers: Record<string, string> = { 'User-Agent': inst.httpDefaults.userAgent, ...params.headers };
  // cookies belong to the HTTP origin of the handshake: ws → http, wss → https
  const httpUrl = new URL(url.href.replace(/^ws/, 'http'));
  const cookie = params.jar?.header(httpUrl);
  if (cookie) headers.Cookie = cookie;
  const tags = vu.tags(params.tags);
  tags.url = url.toString();
  if (nameTag) tags.name = params.tags?.name ?? url.toString(); // k6/websockets: name and url agree
  const started = performance.now();
  const startedEpoch = Date.now();
  return new Promise<Handshake>((resolve) => {
    const ws = new WebSocket(url, [...protocols], {
      headers,
      perMessageDeflate: params.compression,
      handshakeTimeout: 60_000,
      rejectUnauthorized: !inst.httpDefaults.insecureSkipTLSVerify,
      ...connectionFor(resolveHost(inst.httpDefaults.hosts, url.hostname, wsPort(url)), url.protocol === 'wss:'),
    });
    let done = false;
    let upgrade: IncomingMessage | undefined;
    const finish = (h: Omit<Handshake, 'tags' | 'started' | 'socket'>) => {
      if (done) return;
      done = true;
      if (h.status) tags.status = String(h.status);
      tags.subproto = h.ws?.protocol ?? '';
      vu.emit('ws_sessions', 1, tags, startedEpoch);
      vu.emit('ws_connecting', performance.now() - started, tags, startedEpoch);
      resolve({ ...h, tags, started, socket: upgrade?.socket ?? undefined });
    };
    ws.once('upgrade', (res: IncomingMessage) => {
      upgrade = res;
      params.jar?.absorb(httpUrl, res.headers['set-cookie']);
    });
    ws.once('open', () => {
      ws.pause(); // the session resumes it once its handlers are attached: a greeting sent at once is not lost
      finish({ ws, status: 101, headers: upgrade ? joinHeaders(upgrade.headers) : {}, body: '', error: undefined });
    });
    ws.once('unexpected-response', (req, res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        finish({ ws: undefined, status: res.statusCode ?? 0, headers: joinHeaders(res.headers), body: Buffer.concat(chunks).toString('utf8'), error: 'websocket: bad handshake' });
        req.destroy();
      });
      res.on('error', () => finish({ ws: undefined, status: res.statusCode ?? 0, headers: joinHeaders(res.headers), body: '', error: 'websocket: bad handshake' }));
    });
    ws.on('error', (error: Error) => finish({ ws: undefined, status: 0, headers: {}, body: '', error: error.message }));
  });
}

/** Response headers as k6 shows them: Go's canonical names, repeated ones joined. */
function joinHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[canonical(k)] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Go's canonical header names (k6 shows `Sec-Websocket-Accept`). */
function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
}

/** data_sent and data_received for a whole session, from its TCP socket (handshake included). */
export function emitSessionBytes(vu: VuContext, handshake: Handshake): void {
  const { socket, tags } = handshake;
  if (!socket) return;
  const now = Date.now();
  vu.emit('data_sent', socket.bytesWritten, tags, now);
  vu.emit('data_received', socket.bytesRead, tags, now);
}
