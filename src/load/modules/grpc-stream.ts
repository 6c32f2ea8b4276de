import grpc from '@grpc/grpc-js';
import { callParamsOf, type CallParams } from './grpc-params.js';
import type { VuContext } from '../vu-context.js';
import { emitCall, rpcTags, type GrpcClient, type GrpcConnection } from './grpc-client.js';
import { decodeMessage, encodeMessage, type MethodDef } from './grpc-protos.js';
import type { LoopTask } from '../event-loop.js';

/**
 * `new grpc.Stream(client, method, params)`: a client, server or bidirectional streaming RPC, as
 * k6 runs it. The stream starts at once; `write()` sends a message, `end()` half-closes, and the
 * `data`, `error` and `end` listeners run on the VU's event loop (event-loop.ts), which keeps the
 * iteration going until the stream ends. Every kind of streaming method goes over one duplex
 * call: the wire is the same, and k6 scripts drive them all with write/end.
 */

type Listener = (value: unknown, meta: { ts: number }) => unknown;
const EVENTS = ['data', 'error', 'end'] as const;
type StreamEvent = (typeof EVENTS)[number];

export class GrpcStream {
  private readonly listeners: Record<StreamEvent, Listener[]> = { data: [], error: [], end: [] };
  private readonly call: grpc.ClientDuplexStream<Buffer, Buffer>;
  private readonly def: MethodDef;
  private readonly params: CallParams;
  private readonly connection: GrpcConnection;
  private readonly tags: Record<string, string>;
  private readonly task: LoopTask;
  private readonly started = performance.now();
  /** message bytes each way, with gRPC's framing */
  private sent = 0;
  private received = 0;
  private writing = true;
  private closed = false;

  constructor(
    private readonly vu: VuContext,
    client: unknown,
    method: unknown,
    params?: unknown,
  ) {
    if (vu.inInitContext) throw new Error('invalid GRPC Stream: streams cannot be opened in the init context');
    if (!client || typeof (client as GrpcClient).connected !== 'function') throw new Error("invalid GRPC Stream's client: not a gRPC client");
    this.connection = rethrow("invalid GRPC Stream's client", () => (client as GrpcClient).connected());
    this.def = rethrow("invalid GRPC Stream's method", () => (client as GrpcClient).methods.get(method));
    this.params = callParamsOf(params, "invalid GRPC Stream's parameters", 0);
    const deadline = this.params.timeoutMs > 0 ? Date.now() + this.params.timeoutMs : Infinity;
    this.call = this.connection.client.makeBidiStreamRequest(this.def.path, (b: Buffer) => b, (b: Buffer) => b, this.params.metadata, { deadline });
    this.tags = rpcTags(vu, this.connection.address, this.def.path, this.params.tags, undefined);
    vu.emit('grpc_streams', 1, this.tags);
    this.task = vu.loop.open(() => this.call.cancel());
    this.call.on('data', (bytes: Buffer) => this.onData(bytes));
    this.call.on('error', () => {}); // the status carries it; grpc-js would throw without a listener
    this.call.on('status', (status: grpc.StatusObject) => this.onStatus(status));
  }

  on(event: unknown, handler: unknown): void {
    if (typeof handler !== 'function') throw new Error(`handler for "${String(event)}" event isn't a callable function`);
    if (!EVENTS.includes(event as StreamEvent)) throw new Error(`unknown stream event "${String(event)}"; a stream has data, error and end`);
    this.listeners[event as StreamEvent].push(handler as Listener);
  }

  write(message: unknown): void {
    if (!this.writing) return; // as k6: writing after end() or after the stream closed does nothing
    if (message === null || message === undefined) throw new Error("stream.write(): can't send an empty message");
    const bytes = encodeMessage(this.def.requestType, message);
    this.call.write(bytes, () => {
      this.sent += bytes.length + 5;
      this.vu.emit('grpc_streams_msgs_sent', 1, this.tags);
    });
  }

  end(): void {
    if (!this.writing) return;
    this.writing = false;
    if (!this.closed) this.call.end();
  }

  private onData(bytes: Buffer): void {
    this.received += bytes.length + 5;
    this.vu.emit('grpc_streams_msgs_received', 1, this.tags);
    if (this.params.discardResponseMessage) return this.emit('data', {});
    let message: unknown;
    try {
      message = decodeMessage(this.def.responseType, bytes);
    } catch (error) {
      return this.task.fail(new Error(`stream ${this.def.path}: unable to convert response object to JSON: ${(error as Error).message}`));
    }
    this.emit('data', message);
  }

  private onStatus(status: grpc.StatusObject): void {
    this.writing = false;
    this.closed = true;
    emitCall(this.vu, this.connection.address, this.def.path, this.params.tags, status.code, performance.now() - this.started, this.sent, this.received);
    // as k6: the end of the stream by either side, or its cancellation, is no error
    if (status.code !== grpc.status.OK && status.code !== grpc.status.CANCELLED) {
      this.emit('error', { code: status.code, details: [], message: status.details });
    }
    this.emit('end', undefined);
    this.task.done();
  }

  private emit(event: StreamEvent, value: unknown): void {
    const meta = { ts: Math.floor(Date.now() / 1000) };
    for (const listener of this.listeners[event]) this.task.dispatch(() => listener(value, meta));
  }
}

/** k6's error for a Stream argument: what it is about, then why. */
function rethrow<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
  }
}
