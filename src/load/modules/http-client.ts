import type { IncomingHttpHeaders } from 'node:http';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ResponseReader, type PooledSocket } from './http1-connection.js';

/**
 * The engine's own HTTP/1.1 client: keep-alive sockets per origin, one request in flight per
 * socket (as a k6 VU), the request written in one syscall, the response parsed in place. It does
 * far less per request than a general-purpose client, and it sees every phase k6 reports:
 * blocked, connecting, tls_handshaking, sending, waiting (time to first byte), receiving.
 */

export interface WireRequest {
  /** `http://host:port` or `https://host:port` */
  origin: string;
  host: string;
  port: number;
  tls: boolean;
  path: string;
  method: string;
  /** lower-case names; `host` included */
  headers: Record<string, string>;
  body: string | Uint8Array | null;
  timeoutMs: number;
  discardBody: boolean;
  signal: AbortSignal;
  noConnectionReuse: boolean;
  insecureSkipTLSVerify: boolean;
}

export interface WireTimings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
}

export interface WireResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer | null;
  bytesReceived: number;
  bytesSent: number;
  timings: WireTimings;
  /** performance.now() at start and end */
  startedAt: number;
  endedAt: number;
  error?: { message: string; code: number };
}

const idle = new Map<string, PooledSocket[]>();
const open = new Set<PooledSocket>();

/** Closes every socket (end of a worker's run). */
export async function closeConnections(): Promise<void> {
  for (const s of open) s.socket.destroy();
  open.clear();
  idle.clear();
}

/** k6's error codes for the failures a load test meets (k6 docs, "Error codes"). */
export function classifyError(error: Error & { code?: string }): { message: string; code: number } {
  const c = error.code ?? '';
  if (c === 'ECONNREFUSED') return { message: `dial tcp: connect: connection refused`, code: 1212 };
  if (c === 'ECONNRESET' || c === 'EPIPE' || c === 'ERR_CONNECTION_CLOSED') return { message: `read: connection reset by peer`, code: 1220 };
  if (c === 'ERR_REQUEST_TIMEOUT' || c === 'ETIMEDOUT') return { message: 'request timeout', code: 1050 };
  if (c === 'ENOTFOUND' || c === 'EAI_AGAIN') return { message: `lookup: no such host`, code: 1101 };
  if (c === 'ERR_PROTOCOL') return { message: `malformed HTTP response: ${error.message}`, code: 1000 };
  if (c.startsWith('ERR_TLS') || c.includes('CERT')) return { message: `tls: ${error.message}`, code: 1400 };
  return { message: error.message || String(error), code: 1000 };
}

/**
 * In-flight exchanges per abort signal: one 'abort' listener per signal instead of one per
 * request (EventTarget listeners are costly on the hot path).
 */
const inflight = new WeakMap<AbortSignal, Set<() => void>>();

function onSignalAbort(signal: AbortSignal, abort: () => void): () => void {
  let set = inflight.get(signal);
  if (!set) {
    const created = new Set<() => void>();
    set = created;
    inflight.set(signal, created);
    signal.addEventListener('abort', () => {
      for (const fn of [...created]) fn();
    }, { once: true });
  }
  set.add(abort);
  return () => set.delete(abort);
}

function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

function takeIdle(key: string): PooledSocket | undefined {
  const list = idle.get(key);
  while (list && list.length) {
    const s = list.pop()!;
    if (!s.socket.destroyed) return s;
  }
  return undefined;
}

function newSocket(req: WireRequest, key: string, onConnected: (connectedAt: number, tlsAt: number) => void): PooledSocket {
  const socket = req.tls
    ? tlsConnect({ host: req.host, port: req.port, servername: req.host, rejectUnauthorized: !req.insecureSkipTLSVerify, ALPNProtocols: ['http/1.1'] })
    : netConnect({ host: req.host, port: req.port, noDelay: true });
  const pooled: PooledSocket = { socket, reused: false, onData: null, onClose: null };
  open.add(pooled);
  let connectedAt = 0;
  socket.once('connect', () => {
    connectedAt = performance.now();
    if (!req.tls) onConnected(connectedAt, connectedAt);
  });
  if (req.tls) socket.once('secureConnect', () => onConnected(connectedAt || performance.now(), performance.now()));
  socket.on('data', (d: Buffer) => pooled.onData?.(d));
  socket.on('error', (e) => pooled.onClose?.(e));
  socket.on('close', () => {
    open.delete(pooled);
    const list = idle.get(key);
    const i = list ? list.indexOf(pooled) : -1;
    if (i >= 0) list!.splice(i, 1);
    pooled.onClose?.(undefined);
  });
  return pooled;
}

function serialise(req: WireRequest): { head: string; body: Buffer | null; bytes: number } {
  let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
  for (const name in req.headers) head += `${name}: ${req.headers[name]}\r\n`;
  const body = req.body === null ? null : typeof req.body === 'string' ? Buffer.from(req.body) : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
  if (body) head += `content-length: ${body.length}\r\n`;
  else if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') head += 'content-length: 0\r\n';
  if (req.noConnectionReuse) head += 'connection: close\r\n';
  head += '\r\n';
  return { head, body, bytes: Buffer.byteLength(head) + (body?.length ?? 0) };
}

export function sendRequest(req: WireRequest): Promise<WireResponse> {
  return new Promise((resolve) => attempt(req, resolve, true));
}

function attempt(req: WireRequest, resolve: (r: WireResponse) => void, mayRetry: boolean): void {
  const startedAt = performance.now();
  const key = req.origin;
  const wire = serialise(req);
  const reader = new ResponseReader(req.method === 'HEAD', !req.discardBody);
  let sentAt = 0;
  let writtenAt = 0;
  let firstByteAt = 0;
  let connecting = 0;
  let tlsHandshaking = 0;
  let received = 0;
  let settled = false;
  let conn: PooledSocket;

  const finish = (error?: Error) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    unlisten();
    conn.onData = null;
    conn.onClose = null;
    const endedAt = performance.now();
    if (error && mayRetry && conn.reused && received === 0 && !req.signal.aborted && (error as Error & { code?: string }).code !== 'ERR_REQUEST_TIMEOUT') {
      // a keep-alive socket the server had already closed: once more on a fresh one (as Go's transport)
      conn.socket.destroy();
      attempt(req, resolve, false);
      return;
    }
    if (error || reader.closeAfter || req.noConnectionReuse) conn.socket.destroy();
    else {
      conn.reused = true;
      let list = idle.get(key);
      if (!list) idle.set(key, (list = []));
      list.push(conn);
    }
    const blocked = sentAt ? Math.max(0, sentAt - startedAt - connecting - tlsHandshaking) : 0;
    const sending = sentAt ? writtenAt - sentAt : 0;
    const waiting = firstByteAt ? firstByteAt - writtenAt : 0;
    const receiving = firstByteAt ? endedAt - firstByteAt : 0;
    const body = reader.chunks.length === 0 ? (error || req.discardBody ? null : Buffer.alloc(0)) : reader.chunks.length === 1 ? reader.chunks[0]! : Buffer.concat(reader.chunks);
    resolve({
      status: error ? 0 : reader.status,
      statusText: reader.statusText,
      headers: reader.headers as IncomingHttpHeaders,
      body: error ? null : body,
      bytesReceived: received,
      bytesSent: sentAt ? wire.bytes : 0,
      timings: { blocked, connecting, tls_handshaking: tlsHandshaking, sending, waiting, receiving, duration: error ? 0 : sending + waiting + receiving },
      startedAt,
      endedAt,
      ...(error ? { error: classifyError(error as Error & { code?: string }) } : {}),
    });
  };
  const send = () => {
    sentAt = performance.now();
    if (wire.body) {
      conn.socket.cork();
      conn.socket.write(wire.head, 'latin1');
      conn.socket.write(wire.body);
      conn.socket.uncork();
    } else conn.socket.write(wire.head, 'latin1');
    writtenAt = performance.now();
  };
  const onAbort = () => {
    conn.socket.destroy();
    finish(codedError('request aborted', 'ABORTED'));
  };
  const timer = setTimeout(() => {
    conn.socket.destroy();
    finish(codedError('request timeout', 'ERR_REQUEST_TIMEOUT'));
  }, req.timeoutMs);
  const unlisten = onSignalAbort(req.signal, onAbort);

  const reusable = req.noConnectionReuse ? undefined : takeIdle(key);
  if (reusable) conn = reusable;
  else {
    const connectStart = performance.now();
    conn = newSocket(req, key, (connectedAt, tlsAt) => {
      connecting = connectedAt - connectStart;
      tlsHandshaking = tlsAt - connectedAt;
      if (!settled) send();
    });
  }
  conn.onData = (data) => {
    if (!firstByteAt) firstByteAt = performance.now();
    received += data.length;
    try {
      if (reader.feed(data)) finish();
    } catch (error) {
      finish(codedError((error as Error).message, 'ERR_PROTOCOL'));
    }
  };
  conn.onClose = (error) => {
    if (!error && reader.end()) return finish();
    finish(error ?? codedError('connection closed before the response ended', received ? 'ERR_CONNECTION_CLOSED' : 'ECONNRESET'));
  };
  if (reusable) send();
}
