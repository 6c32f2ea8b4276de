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

/** Per origin: idle keep-alive sockets, connects in progress, requests waiting for a socket. */
interface OriginState {
  idle: PooledSocket[];
  connecting: number;
  /** each returns false when it could not take a socket yet (it stays queued) */
  waiters: Array<() => boolean>;
}

const origins = new Map<string, OriginState>();
const open = new Set<PooledSocket>();

/**
 * New connections in progress at once per origin and thread. Under a burst, requests take sockets
 * as they free up instead of opening hundreds at once: a connect storm slows the target and the
 * generator alike, which makes more requests pile up. The wait shows as http_req_blocked, k6's
 * "waiting for a free TCP connection slot".
 */
const MAX_CONNECTING = 16;

function originState(key: string): OriginState {
  let state = origins.get(key);
  if (!state) origins.set(key, (state = { idle: [], connecting: 0, waiters: [] }));
  return state;
}

/** Hands a freed socket or connect slot to the oldest waiting request that can use it. */
function wakeOne(state: OriginState): void {
  while (state.waiters.length) {
    const waiter = state.waiters[0]!;
    if (!waiter()) return;
    state.waiters.shift();
    if (state.idle.length === 0 && state.connecting >= MAX_CONNECTING) return;
  }
}

/** Closes every socket (end of a worker's run). */
export async function closeConnections(): Promise<void> {
  for (const s of open) s.socket.destroy();
  open.clear();
  origins.clear();
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

function takeIdle(state: OriginState): PooledSocket | undefined {
  while (state.idle.length) {
    const s = state.idle.pop()!;
    if (!s.socket.destroyed) return s;
  }
  return undefined;
}

function newSocket(req: WireRequest, state: OriginState, onConnected: (connectedAt: number, tlsAt: number) => void): PooledSocket {
  const socket = req.tls
    ? tlsConnect({ host: req.host, port: req.port, servername: req.host, rejectUnauthorized: !req.insecureSkipTLSVerify, ALPNProtocols: ['http/1.1'] })
    : netConnect({ host: req.host, port: req.port, noDelay: true });
  const pooled: PooledSocket = { socket, reused: false, onData: null, onClose: null };
  open.add(pooled);
  state.connecting++;
  let slotHeld = true;
  const releaseSlot = () => {
    if (!slotHeld) return;
    slotHeld = false;
    state.connecting--;
    wakeOne(state);
  };
  let connectedAt = 0;
  socket.once('connect', () => {
    connectedAt = performance.now();
    if (!req.tls) {
      releaseSlot();
      onConnected(connectedAt, connectedAt);
    }
  });
  if (req.tls) {
    socket.once('secureConnect', () => {
      releaseSlot();
      onConnected(connectedAt || performance.now(), performance.now());
    });
  }
  socket.on('data', (d: Buffer) => pooled.onData?.(d));
  socket.on('error', (e) => pooled.onClose?.(e));
  socket.on('close', () => {
    open.delete(pooled);
    const i = state.idle.indexOf(pooled);
    if (i >= 0) state.idle.splice(i, 1);
    releaseSlot();
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
  let conn: PooledSocket | undefined;
  const state = originState(key);

  const finish = (error?: Error) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    unlisten();
    const endedAt = performance.now();
    if (!conn) {
      // timed out or aborted while waiting for a socket
      resolve(failure(error!, startedAt, endedAt));
      return;
    }
    conn.onData = null;
    conn.onClose = null;
    if (error && mayRetry && conn.reused && received === 0 && !req.signal.aborted && (error as Error & { code?: string }).code !== 'ERR_REQUEST_TIMEOUT') {
      // a keep-alive socket the server had already closed: once more on a fresh one (as Go's transport)
      conn.socket.destroy();
      attempt(req, resolve, false);
      return;
    }
    if (error || reader.closeAfter || req.noConnectionReuse) conn.socket.destroy();
    else {
      conn.reused = true;
      state.idle.push(conn);
      wakeOne(state);
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
  const send = (c: PooledSocket) => {
    sentAt = performance.now();
    if (wire.body) {
      c.socket.cork();
      c.socket.write(wire.head, 'latin1');
      c.socket.write(wire.body);
      c.socket.uncork();
    } else c.socket.write(wire.head, 'latin1');
    writtenAt = performance.now();
  };
  const onAbort = () => {
    conn?.socket.destroy();
    finish(codedError('request aborted', 'ABORTED'));
  };
  const timer = setTimeout(() => {
    conn?.socket.destroy();
    finish(codedError('request timeout', 'ERR_REQUEST_TIMEOUT'));
  }, req.timeoutMs);
  const unlisten = onSignalAbort(req.signal, onAbort);

  const attach = (c: PooledSocket) => {
    conn = c;
    c.onData = (data) => {
      if (!firstByteAt) firstByteAt = performance.now();
      received += data.length;
      try {
        if (reader.feed(data)) finish();
      } catch (error) {
        finish(codedError((error as Error).message, 'ERR_PROTOCOL'));
      }
    };
    c.onClose = (error) => {
      if (!error && reader.end()) return finish();
      finish(error ?? codedError('connection closed before the response ended', received ? 'ERR_CONNECTION_CLOSED' : 'ECONNRESET'));
    };
  };
  /** takes an idle socket or a connect slot; false when neither is free yet */
  const take = (): boolean => {
    if (settled) return true; // gave up waiting: let the next waiter have it
    const reusable = req.noConnectionReuse ? undefined : takeIdle(state);
    if (reusable) {
      attach(reusable);
      send(reusable);
      return true;
    }
    if (state.connecting >= MAX_CONNECTING) return false;
    const connectStart = performance.now();
    const fresh = newSocket(req, state, (connectedAt, tlsAt) => {
      connecting = connectedAt - connectStart;
      tlsHandshaking = tlsAt - connectedAt;
      if (!settled) send(fresh);
    });
    attach(fresh);
    return true;
  };
  if (!take()) state.waiters.push(take);
}

function failure(error: Error, startedAt: number, endedAt: number): WireResponse {
  return {
    status: 0,
    statusText: '',
    headers: {},
    body: null,
    bytesReceived: 0,
    bytesSent: 0,
    timings: { blocked: endedAt - startedAt, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 },
    startedAt,
    endedAt,
    error: classifyError(error as Error & { code?: string }),
  };
}
