import type { RawData } from 'ws';
import WebSocket from 'ws';
import { IterationInterrupted, type VuContext } from '../vu-context.js';
import type { K6Module } from './k6-module.js';
import { defineWsMetrics, emitSessionBytes, openWebSocket, wsParamsOf, wsUrlOf, type Handshake } from './websocket-dial.js';

/**
 * `k6/ws`, k6's older WebSocket API: `ws.connect(url, params, setup)` opens the connection, calls
 * `setup(socket)`, fires `open`, and returns only when the socket has closed (the rewrite awaits
 * it, so it blocks as in k6). Handlers run one at a time on the socket's own loop; a handler that
 * throws closes the socket and `ws.connect` throws it.
 */

export interface WsResponse {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  error: string;
}

export const wsModule: K6Module = {
  specifier: 'k6/ws',
  blocking: ['connect'],
  create(vu) {
    defineWsMetrics(vu);
    const api = {
      connect: (url: unknown, paramsOrSetup?: unknown, setup?: unknown) => {
        if (vu.inInitContext) throw new Error('using websockets in the init context is not supported');
        return setup === undefined ? connect(vu, url, undefined, paramsOrSetup) : connect(vu, url, paramsOrSetup, setup);
      },
    };
    return { ...api, default: api };
  },
};

async function connect(vu: VuContext, urlArg: unknown, paramsArg: unknown, setup: unknown): Promise<WsResponse> {
  if (typeof setup !== 'function') throw new Error('last argument to ws.connect must be a function');
  const url = wsUrlOf(urlArg, vu.instance.allowRemote, 'ws.connect', vu.instance.httpDefaults.hosts);
  const params = wsParamsOf(paramsArg, 'ws.connect');
  if (vu.signal.aborted) throw new IterationInterrupted();
  const handshake = await openWebSocket(vu, url, params, [], false);
  if (!handshake.ws) {
    vu.emit('ws_session_duration', performance.now() - handshake.started, handshake.tags);
    // as k6: a refused upgrade gives its HTTP response; a failed connection only the error
    return handshake.status ? { url: '', status: handshake.status, headers: handshake.headers, body: handshake.body, error: '' } : { url: '', status: 0, headers: {}, body: '', error: handshake.error ?? '' };
  }
  const session = new Socket(vu, handshake, handshake.ws);
  await session.run(setup as (socket: Socket) => unknown);
  return { url: String(urlArg), status: 101, headers: handshake.headers, body: '', error: '' };
}

type Handler = (...args: unknown[]) => unknown;

/** k6's error value for `error` handlers: `e.error()` gives the message. */
function wsError(message: string) {
  return { error: () => message, message, toString: () => message };
}

class Socket {
  private readonly handlers = new Map<string, Handler[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pings = new Map<string, number>();
  private pingCount = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private failure: { error: unknown } | undefined;
  private ended!: () => void;

  constructor(
    private readonly vu: VuContext,
    private readonly handshake: Handshake,
    private readonly ws: WebSocket,
  ) {}

  /** Runs the session: setup, `open`, events until the socket closes. */
  async run(setup: (socket: Socket) => unknown): Promise<void> {
    const { ws, vu } = this;
    const finished = new Promise<void>((resolve) => (this.ended = resolve));
    const onAbort = () => this.closeWith(1001);
    vu.signal.addEventListener('abort', onAbort, { once: true });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      vu.emit('ws_msgs_received', 1, this.handshake.tags);
      if (isBinary) this.fire('binaryMessage', toArrayBuffer(data));
      else this.fire('message', data.toString());
    });
    ws.on('ping', () => this.fire('ping')); // ws answers with a pong itself
    ws.on('pong', (data: Buffer) => {
      const sentAt = this.pings.get(data.toString());
      if (sentAt !== undefined) {
        this.pings.delete(data.toString());
        vu.emit('ws_ping', performance.now() - sentAt, this.handshake.tags);
      }
      this.fire('pong');
    });
    ws.on('error', (error: Error) => this.fire('error', wsError(error.message)));
    ws.on('close', (code: number) => {
      if (code !== 1000 && code !== 1001) this.fire('error', wsError(`websocket: close ${code} ${closeText(code)}`));
      this.closeWith(code);
    });
    this.enqueue(() => setup(this));
    this.fire('open');
    ws.resume(); // paused since the handshake, so nothing arrives before the handlers exist
    await finished;
    vu.signal.removeEventListener('abort', onAbort);
    vu.emit('ws_session_duration', performance.now() - this.handshake.started, this.handshake.tags);
    emitSessionBytes(vu, this.handshake);
    if (this.failure) throw this.failure.error;
    if (vu.signal.aborted) throw new IterationInterrupted();
  }

  on(event: unknown, handler: unknown): void {
    if (typeof handler !== 'function') return; // as k6: anything else is ignored
    const list = this.handlers.get(String(event)) ?? [];
    list.push(handler as Handler);
    this.handlers.set(String(event), list);
  }

  send(data: unknown): void {
    this.write(String(data));
  }

  sendBinary(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) {
      const kind = data === null || data === undefined ? String(data) : ((data as object).constructor?.name ?? typeof data);
      throw new Error(`expected ArrayBuffer as argument, received: ${kind}`);
    }
    this.write(Buffer.from(data));
  }

  ping(): void {
    if (this.ws.readyState !== WebSocket.OPEN) return this.fire('error', wsError('websocket: close sent'));
    const id = String(this.pingCount++);
    this.pings.set(id, performance.now());
    this.ws.ping(id);
  }

  setTimeout(fn: unknown, ms: unknown): void {
    const delay = this.delay(fn, ms, 'setTimeout');
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.enqueue(fn as Handler);
    }, delay);
    this.timers.add(timer);
  }

  setInterval(fn: unknown, ms: unknown): void {
    const delay = this.delay(fn, ms, 'setInterval');
    this.timers.add(setInterval(() => this.enqueue(fn as Handler), delay));
  }

  close(code?: unknown): void {
    this.closeWith(code === undefined || code === null ? 1001 : Math.trunc(Number(code)));
  }

  private delay(fn: unknown, ms: unknown, what: string): number {
    if (typeof fn !== 'function') throw new TypeError(`socket.${what}: the first argument must be a function`);
    const delay = Number(ms);
    if (!(delay > 0)) throw new Error(`${what} requires a >0 timeout parameter, received ${Number.isNaN(delay) ? String(ms) : delay.toFixed(2)}`);
    return delay;
  }

  private write(data: string | Buffer): void {
    this.vu.emit('ws_msgs_sent', 1, this.handshake.tags);
    if (this.ws.readyState !== WebSocket.OPEN) return this.fire('error', wsError('websocket: close sent'));
    this.ws.send(data, (error) => {
      if (error) this.fire('error', wsError(error.message));
    });
  }

  /** As k6: the close frame goes out, the `close` handlers run, and ws.connect returns without waiting for the peer's reply. */
  private closeWith(code: number): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      try {
        this.ws.close(code);
        // the peer's reply is not waited for (ws.connect has returned); a peer that never sends it loses the socket
        setTimeout(() => this.ws.terminate(), 1000).unref();
      } catch {
        this.ws.terminate(); // a code WebSocket forbids sending (1005, 1006): no close frame
      }
    }
    this.fire('close', code);
    this.chain = this.chain.then(() => this.ended());
  }

  /** The event's handlers, as registered when its turn comes (setup() registers them on the same loop). */
  private fire(event: string, ...args: unknown[]): void {
    this.enqueue(async () => {
      for (const handler of this.handlers.get(event) ?? []) await handler(...args);
    }, event === 'close');
  }

  /** Handlers run in order, an async one (a handler the rewrite awaited in) to its end before the next. */
  private enqueue(fn: Handler, evenIfClosed = false): void {
    if (this.closed && !evenIfClosed) return; // events after close() are dropped, as k6's loop has ended
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await fn();
      } catch (error) {
        this.failure = { error };
        this.closeWith(1001);
      }
    });
  }
}

function toArrayBuffer(data: RawData): ArrayBuffer {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

function closeText(code: number): string {
  return code === 1006 ? '(abnormal closure)' : code === 1005 ? '(no status)' : '';
}
