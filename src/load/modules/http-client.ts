import type { IncomingHttpHeaders } from 'node:http';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { ResponseReader, type PooledSocket, type SocketUser } from './http1-connection.js';

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
  /** k6's `hosts` option: the address to connect to instead of host:port (Host header and TLS name unchanged) */
  connectTo?: { host: string; port: number };
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
  /** oldest first; `take()` returns false when it could not take a socket yet (it stays queued) */
  waiters: Exchange[];
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

/**
 * Plain TCP sockets read into this one buffer (`onread`): no buffer allocated and no stream
 * machinery per read. Reads are handled synchronously, one at a time on this thread, and
 * whatever a response keeps is copied out (ResponseReader's `transient`).
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

function originState(key: string): OriginState {
  let state = origins.get(key);
  if (!state) origins.set(key, (state = { idle: [], connecting: 0, waiters: [] }));
  return state;
}

/** Hands a freed socket or connect slot to the oldest waiting request that can use it. */
function wakeOne(state: OriginState): void {
  while (state.waiters.length) {
    if (!state.waiters[0]!.take()) return;
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
 * The exchanges in flight on this thread, oldest first, as an intrusive list (each Exchange links
 * its neighbours). Not a Set: a long-lived Set that once held many entries (a burst of requests)
 * keeps a large table in the old generation, and while it does, the young exchanges added to and
 * deleted from it survived V8's scavenges (measured, bench/load-gc.mjs: about a quarter of all
 * request garbage promoted, scavenges of 10-20 ms instead of 1-2, each one pausing the requests
 * it timed).
 */
let oldest: Exchange | undefined;
let newest: Exchange | undefined;

function track(exchange: Exchange): void {
  exchange.older = newest;
  if (newest) newest.newer = exchange;
  else oldest = exchange;
  newest = exchange;
}

function untrack(exchange: Exchange): void {
  const { older, newer } = exchange;
  if (older) older.newer = newer;
  else if (oldest === exchange) oldest = newer;
  else return; // not in the list
  if (newer) newer.older = older;
  else newest = older;
  exchange.older = exchange.newer = undefined;
}

/**
 * One 'abort' listener per signal instead of one per request (EventTarget listeners are costly on
 * the hot path): it aborts the signal's exchanges in flight. Aborts are rare (the end of a test).
 */
const watched = new WeakSet<AbortSignal>();

function watchSignal(signal: AbortSignal): void {
  if (watched.has(signal)) return;
  watched.add(signal);
  signal.addEventListener('abort', () => {
    for (let exchange = oldest; exchange; ) {
      const next = exchange.newer;
      if (exchange.signal === signal) exchange.abort();
      exchange = next;
    }
  }, { once: true });
}

/**
 * Request timeouts: one timer for all of them, armed for the earliest deadline. Requests with the
 * same timeout end in the order they started, so a new one rarely moves the timer: no timer is
 * made or cleared per request. When it fires, every expired exchange times out and it is armed
 * again for the earliest left. Unreferenced: a pending request always has a socket (its own, or
 * the busy ones it waits for) keeping the thread alive.
 */
let timer: NodeJS.Timeout | undefined;
let timerAt = Infinity;

function watchDeadline(exchange: Exchange): void {
  if (exchange.deadline < timerAt) armTimer(exchange.deadline);
}

function armTimer(at: number): void {
  if (timer) clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(expireDeadlines, Math.max(0, at - performance.now()));
  timer.unref();
}

function expireDeadlines(): void {
  timer = undefined;
  timerAt = Infinity;
  // timers fire on a millisecond clock: a deadline within the next millisecond is due
  const now = performance.now() + 1;
  let next = Infinity;
  for (let exchange = oldest; exchange; ) {
    const newer = exchange.newer;
    if (exchange.deadline <= now) exchange.timeOut();
    else if (exchange.deadline < next) next = exchange.deadline;
    exchange = newer;
  }
  if (next < Infinity) armTimer(next);
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

/**
 * A new pooled socket for `req`'s origin. The socket outlives the request that opened it, so its
 * listeners hold nothing of that request: `onConnected` (which reaches the first Exchange, its
 * request and response) is dropped once it has been called or the socket has closed.
 */
function newSocket(req: WireRequest, state: OriginState, onConnected: (connectedAt: number, tlsAt: number) => void): PooledSocket {
  const pooled: PooledSocket = { socket: undefined as never, reused: false, user: null };
  const tls = req.tls;
  let connected: typeof onConnected | undefined = onConnected;
  const connectedOnce = (connectedAt: number, tlsAt: number) => {
    const callback = connected;
    connected = undefined;
    callback?.(connectedAt, tlsAt);
  };
  pooled.socket = tls
    ? tlsConnect({ host: req.connectTo?.host ?? req.host, port: req.connectTo?.port ?? req.port, servername: req.host, rejectUnauthorized: !req.insecureSkipTLSVerify, ALPNProtocols: ['http/1.1'] })
    : netConnect({
        host: req.connectTo?.host ?? req.host,
        port: req.connectTo?.port ?? req.port,
        noDelay: true,
        onread: {
          buffer: readBuffer,
          callback: (n: number, buf: Uint8Array) => {
            pooled.user?.data((buf as Buffer).subarray(0, n), true);
            return true;
          },
        },
      });
  const socket = pooled.socket;
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
    if (!tls) {
      releaseSlot();
      connectedOnce(connectedAt, connectedAt);
    }
  });
  if (tls) {
    socket.once('secureConnect', () => {
      releaseSlot();
      connectedOnce(connectedAt || performance.now(), performance.now());
    });
    socket.on('data', (d: Buffer) => pooled.user?.data(d, false));
  }
  socket.on('error', (e) => pooled.user?.closed(e));
  socket.on('close', () => {
    open.delete(pooled);
    const i = state.idle.indexOf(pooled);
    if (i >= 0) state.idle.splice(i, 1);
    releaseSlot();
    connected = undefined;
    pooled.user?.closed(undefined);
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
  return new Promise((resolve) => new Exchange(req, resolve, true).start());
}

/** One request/response on a pooled socket, from waiting for a socket to the response's end. */
class Exchange implements SocketUser {
  readonly startedAt = performance.now();
  readonly deadline: number;
  private readonly state: OriginState;
  private readonly wire: ReturnType<typeof serialise>;
  private readonly reader: ResponseReader;
  /** neighbours in the in-flight list (track / untrack) */
  older: Exchange | undefined = undefined;
  newer: Exchange | undefined = undefined;
  private sentAt = 0;
  private writtenAt = 0;
  private firstByteAt = 0;
  private connecting = 0;
  private tlsHandshaking = 0;
  private received = 0;
  private settled = false;
  private conn: PooledSocket | undefined;

  constructor(
    private readonly req: WireRequest,
    private readonly resolve: (r: WireResponse) => void,
    private readonly mayRetry: boolean,
  ) {
    this.deadline = this.startedAt + req.timeoutMs;
    this.state = originState(req.origin);
    this.wire = serialise(req);
    this.reader = new ResponseReader(req.method === 'HEAD', !req.discardBody);
    watchSignal(req.signal);
  }

  /** the signal that aborts this exchange (watchSignal's listener matches on it) */
  get signal(): AbortSignal {
    return this.req.signal;
  }

  start(): void {
    track(this);
    watchDeadline(this);
    if (!this.take()) this.state.waiters.push(this);
  }

  /** takes an idle socket or a connect slot; false when neither is free yet */
  take(): boolean {
    if (this.settled) return true; // gave up waiting: let the next waiter have it
    const state = this.state;
    const reusable = this.req.noConnectionReuse ? undefined : takeIdle(state);
    if (reusable) {
      this.attach(reusable);
      this.send(reusable);
      return true;
    }
    if (state.connecting >= MAX_CONNECTING) return false;
    const connectStart = performance.now();
    const fresh = newSocket(this.req, state, (connectedAt, tlsAt) => {
      this.connecting = connectedAt - connectStart;
      this.tlsHandshaking = tlsAt - connectedAt;
      if (!this.settled) this.send(fresh);
    });
    this.attach(fresh);
    return true;
  }

  private attach(c: PooledSocket): void {
    this.conn = c;
    c.user = this;
  }

  private send(c: PooledSocket): void {
    this.sentAt = performance.now();
    const { head, body } = this.wire;
    if (body) {
      c.socket.cork();
      c.socket.write(head, 'latin1');
      c.socket.write(body);
      c.socket.uncork();
    } else c.socket.write(head, 'latin1');
    this.writtenAt = performance.now();
  }

  data(data: Buffer, transient: boolean): void {
    if (!this.firstByteAt) this.firstByteAt = performance.now();
    this.received += data.length;
    try {
      if (this.reader.feed(data, transient)) this.finish();
    } catch (error) {
      this.finish(codedError((error as Error).message, 'ERR_PROTOCOL'));
    }
  }

  closed(error: Error | undefined): void {
    if (!error && this.reader.end()) return this.finish();
    this.finish(error ?? codedError('connection closed before the response ended', this.received ? 'ERR_CONNECTION_CLOSED' : 'ECONNRESET'));
  }

  abort(): void {
    this.conn?.socket.destroy();
    this.finish(codedError('request aborted', 'ABORTED'));
  }

  timeOut(): void {
    this.conn?.socket.destroy();
    this.finish(codedError('request timeout', 'ERR_REQUEST_TIMEOUT'));
  }

  private finish(error?: Error): void {
    if (this.settled) return;
    this.settled = true;
    untrack(this);
    const endedAt = performance.now();
    const { conn, req } = this;
    if (!conn) {
      // timed out or aborted while waiting for a socket
      this.resolve(failure(error!, this.startedAt, endedAt));
      return;
    }
    conn.user = null;
    if (error && this.mayRetry && conn.reused && this.received === 0 && !req.signal.aborted && (error as Error & { code?: string }).code !== 'ERR_REQUEST_TIMEOUT') {
      // a keep-alive socket the server had already closed: once more on a fresh one (as Go's transport)
      conn.socket.destroy();
      new Exchange(req, this.resolve, false).start();
      return;
    }
    const reader = this.reader;
    if (error || reader.closeAfter || req.noConnectionReuse) conn.socket.destroy();
    else {
      conn.reused = true;
      this.state.idle.push(conn);
      wakeOne(this.state);
    }
    const { sentAt, writtenAt, firstByteAt, connecting, tlsHandshaking } = this;
    const blocked = sentAt ? Math.max(0, sentAt - this.startedAt - connecting - tlsHandshaking) : 0;
    const sending = sentAt ? writtenAt - sentAt : 0;
    const waiting = firstByteAt ? firstByteAt - writtenAt : 0;
    const receiving = firstByteAt ? endedAt - firstByteAt : 0;
    const body = reader.chunks.length === 0 ? (error || req.discardBody ? null : Buffer.alloc(0)) : reader.chunks.length === 1 ? reader.chunks[0]! : Buffer.concat(reader.chunks);
    this.resolve({
      status: error ? 0 : reader.status,
      statusText: reader.statusText,
      headers: reader.headers as IncomingHttpHeaders,
      body: error ? null : body,
      bytesReceived: this.received,
      bytesSent: sentAt ? this.wire.bytes : 0,
      timings: { blocked, connecting, tls_handshaking: tlsHandshaking, sending, waiting, receiving, duration: error ? 0 : sending + waiting + receiving },
      startedAt: this.startedAt,
      endedAt,
      ...(error ? { error: classifyError(error as Error & { code?: string }) } : {}),
    });
  }
}

function failure(error: Error, startedAt: number, endedAt: number): WireResponse {
  return failedResponse(classifyError(error as Error & { code?: string }), startedAt, endedAt);
}

/** A request that got no response (status 0), with k6's error message and code. */
export function failedResponse(error: { message: string; code: number }, startedAt: number, endedAt: number): WireResponse {
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
    error,
  };
}
