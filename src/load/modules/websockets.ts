import type { RawData } from 'ws';
import type WebSocket from 'ws';
import type { VuContext } from '../vu-context.js';
import type { K6Module } from './k6-module.js';
import type { LoopTask } from '../event-loop.js';
import { WsBlob, bytesOf } from './websocket-blob.js';
import { defineWsMetrics, emitSessionBytes, openWebSocket, wsParamsOf, wsUrlOf, type Handshake } from './websocket-dial.js';

/**
 * `k6/websockets`: the browser's WebSocket API as k6 gives it. `new WebSocket(url)` returns at
 * once; events are delivered on the VU's event loop (event-loop.ts) through `onopen`-style
 * properties and `addEventListener`, and the iteration lasts until every socket it opened has
 * closed. A handler that throws fails the iteration and closes the VU's sockets.
 */

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
const EVENT_TYPES = ['open', 'message', 'error', 'close', 'ping', 'pong'] as const;
type EventType = (typeof EVENT_TYPES)[number];
type Listener = (event: Record<string, unknown>) => unknown;

export class K6WebSocket {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSING = CLOSING;
  static readonly CLOSED = CLOSED;
  readonly CONNECTING = CONNECTING;
  readonly OPEN = OPEN;
  readonly CLOSING = CLOSING;
  readonly CLOSED = CLOSED;
  readonly url: string;
  onopen: Listener | null = null;
  onmessage: Listener | null = null;
  onerror: Listener | null = null;
  onclose: Listener | null = null;
  onping: Listener | null = null;
  onpong: Listener | null = null;
  #state = CONNECTING;
  #binaryType: 'blob' | 'arraybuffer' = 'blob';
  #buffered = 0;
  #protocol = '';
  #extensions = '';
  #ws: WebSocket | undefined;
  #handshake: Handshake | undefined;
  #closeAsked: { code: number; reason: string } | undefined;
  #cancelled = false;
  #errored = false;
  #pingCount = 0;
  readonly #pings = new Map<string, number>();
  readonly #listeners = new Map<EventType, Listener[]>();
  readonly #vu: VuContext;
  readonly #task: LoopTask;

  constructor(vu: VuContext, url: unknown, protocols?: unknown, params?: unknown) {
    this.#vu = vu;
    const parsed = wsUrlOf(url, vu.instance.allowRemote, 'WebSocket', vu.instance.httpDefaults.hosts);
    if (parsed.hash) throw new Error(`WebSocket requires no url fragment, but got "${parsed.hash.slice(1)}"`);
    this.url = parsed.toString();
    const subprotocols = protocols === undefined || protocols === null ? [] : Array.isArray(protocols) ? protocols.map(String) : [String(protocols)];
    const wsParams = wsParamsOf(params, 'WebSocket');
    this.#task = vu.loop.open(() => this.#cancel());
    void openWebSocket(vu, parsed, wsParams, subprotocols, true).then((h) => this.#opened(h));
  }

  get readyState(): number {
    return this.#state;
  }
  get bufferedAmount(): number {
    return this.#buffered;
  }
  get protocol(): string {
    return this.#protocol;
  }
  get extensions(): string {
    return this.#extensions;
  }
  get binaryType(): string {
    return this.#binaryType;
  }
  set binaryType(value: string) {
    if (value !== 'blob' && value !== 'arraybuffer') throw new Error(`unknown binaryType ${value}, the supported ones are "blob" and "arraybuffer"`);
    this.#binaryType = value;
  }

  addEventListener(type: unknown, handler: unknown): void {
    if (typeof handler !== 'function') throw new Error(`handler for event type "${String(type)}" isn't a callable function`);
    if (!EVENT_TYPES.includes(type as EventType)) throw new Error(`unknown event type "${String(type)}"; a WebSocket has ${EVENT_TYPES.join(', ')}`);
    const list = this.#listeners.get(type as EventType) ?? [];
    list.push(handler as Listener);
    this.#listeners.set(type as EventType, list);
  }

  send(data: unknown): void {
    const ws = this.#assertOpen();
    const payload = typeof data === 'string' ? data : bytesOf(data);
    if (payload === undefined) throw new Error(`unsupported send type ${data === null ? 'null' : typeof data}; send a string, an ArrayBuffer, a typed array or a Blob`);
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
    this.#buffered += size;
    ws.send(payload, { binary: typeof payload !== 'string' }, (error) => {
      this.#buffered -= size;
      if (error) return this.#fail(error.message);
      this.#vu.emit('ws_msgs_sent', 1, this.#handshake!.tags);
    });
  }

  ping(): void {
    const ws = this.#assertOpen();
    const id = String(this.#pingCount++);
    this.#pings.set(id, performance.now());
    ws.ping(id);
  }

  close(code?: unknown, reason?: unknown): void {
    if (this.#state === CLOSING || this.#state === CLOSED) return;
    const c = code === undefined || code === null ? 1000 : Math.trunc(Number(code));
    const r = reason === undefined || reason === null ? '' : String(reason);
    if (c !== 1000 && !(c >= 3000 && c <= 4999)) {
      throw new Error(`InvalidAccessError: Failed to execute 'close' on 'WebSocket': The close code must be either 1000, or between 3000 and 4999. ${c} is neither`);
    }
    if (Buffer.byteLength(r) > 123) throw new Error("SyntaxError: Failed to execute 'close' on 'WebSocket': The message must not be greater than 123 bytes");
    this.#state = CLOSING;
    if (this.#ws) this.#ws.close(c, r);
    else this.#closeAsked = { code: c, reason: r };
  }

  #assertOpen(): WebSocket {
    if (this.#state !== OPEN || !this.#ws) throw new Error('InvalidStateError');
    return this.#ws;
  }

  #opened(h: Handshake): void {
    this.#handshake = h;
    const ws = h.ws;
    if (!ws) {
      this.#state = CLOSED;
      this.#fire('error', { error: h.error ?? 'websocket: bad handshake' });
      this.#fire('close', { code: 1006, reason: '' });
      this.#task.done();
      return;
    }
    this.#ws = ws;
    if (this.#cancelled) {
      ws.terminate();
      this.#state = CLOSED;
      this.#task.done();
      return;
    }
    this.#protocol = ws.protocol;
    this.#extensions = ws.extensions;
    ws.on('message', (data: RawData, isBinary: boolean) => this.#message(data, isBinary));
    ws.on('ping', () => this.#fire('ping', {}));
    ws.on('pong', (data: Buffer) => {
      const sentAt = this.#pings.get(data.toString());
      if (sentAt !== undefined) {
        this.#pings.delete(data.toString());
        this.#vu.emit('ws_ping', performance.now() - sentAt, h.tags);
      }
      this.#fire('pong', {});
    });
    ws.on('error', (error: Error) => this.#fail(error.message));
    ws.on('close', (code: number, reason: Buffer) => this.#closed(code, reason.toString()));
    if (this.#closeAsked) {
      this.#state = CLOSING;
      ws.close(this.#closeAsked.code, this.#closeAsked.reason);
    } else {
      this.#state = OPEN;
      this.#fire('open', {});
    }
    ws.resume();
  }

  #message(data: RawData, isBinary: boolean): void {
    if (this.#state !== OPEN) return;
    this.#vu.emit('ws_msgs_received', 1, this.#handshake!.tags);
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    let value: unknown = bytes.toString('utf8');
    if (isBinary) {
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      value = this.#binaryType === 'arraybuffer' ? buffer : new WsBlob([buffer]);
    }
    this.#fire('message', { data: value, origin: this.url });
  }

  #fail(message: string): void {
    if (this.#errored) return;
    this.#errored = true;
    this.#fire('error', { error: message });
  }

  #closed(code: number, reason: string): void {
    const h = this.#handshake!;
    this.#state = CLOSED;
    this.#vu.emit('ws_session_duration', performance.now() - h.started, h.tags);
    emitSessionBytes(this.#vu, h);
    // as k6: a close other than normal (1000) or going away (1001) is also an error
    if (code !== 1000 && code !== 1001) this.#fail(`websocket: close ${code}${reason ? ` ${reason}` : ''}`);
    this.#fire('close', { code, reason });
    this.#task.done();
  }

  #cancel(): void {
    this.#cancelled = true;
    this.#ws?.terminate();
  }

  #fire(type: EventType, fields: Record<string, unknown>): void {
    if (this.#cancelled) return; // an interrupted or failed iteration gets no more events
    const on = (this as unknown as Record<string, unknown>)[`on${type}`];
    const listeners = [...(typeof on === 'function' ? [on as Listener] : []), ...(this.#listeners.get(type) ?? [])];
    if (listeners.length === 0) return;
    const event = { type, target: this, timestamp: Date.now(), ...fields };
    for (const listener of listeners) this.#task.dispatch(() => listener.call(this, event));
  }
}

export const websocketsModule: K6Module = {
  specifier: 'k6/websockets',
  blocking: [],
  create(vu) {
    defineWsMetrics(vu);
    const api = {
      WebSocket: class WebSocket extends K6WebSocket {
        constructor(url: unknown, protocols?: unknown, params?: unknown) {
          if (vu.inInitContext) throw new Error('using websockets in the init context is not supported');
          super(vu, url, protocols, params);
        }
      },
      Blob: WsBlob,
    };
    return { ...api, default: api };
  },
};
