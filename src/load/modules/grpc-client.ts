import grpc from '@grpc/grpc-js';
import { IterationInterrupted, type VuContext } from '../vu-context.js';
import { callParamsOf, channelCredentials, checkAddress, connectParamsOf, type CallParams } from './grpc-params.js';
import { builtinTypes, decodeMessage, encodeMessage, loadProtoFiles, loadProtoset, MethodTable, rootFromDescriptorSet, type MethodDef, type MethodInfo } from './grpc-protos.js';
import { fetchFileDescriptors } from './grpc-reflection.js';

/**
 * `k6/net/grpc`'s Client. `connect`, `invoke` and `healthCheck` return promises the load-time
 * rewrite awaits (they are the module's blocking methods), so `const res = client.invoke(...)`
 * reads as in k6. Each client has its own HTTP/2 connection, as each k6 VU has.
 */

export interface GrpcResponse {
  status: number;
  message: unknown;
  headers: Record<string, string[]>;
  trailers: Record<string, string[]>;
  error: { code: number; message: string; details: unknown[] } | null;
}

/** A connection: the grpc-js client and the address k6 tags samples with. */
export interface GrpcConnection {
  client: grpc.Client;
  address: string;
}

const INVOKE_TIMEOUT_MS = 120_000; // k6's default for invoke

export class GrpcClient {
  readonly methods = new MethodTable();
  connection: GrpcConnection | undefined;

  constructor(private readonly vu: VuContext) {}

  load(importPaths: unknown, ...files: unknown[]): MethodInfo[] {
    if (!this.vu.inInitContext) throw new Error('load must be called in the init context');
    const paths = importPaths === null || importPaths === undefined ? [] : typeof importPaths === 'string' ? [importPaths] : importPaths;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) throw new TypeError('client.load: the import paths must be a list of directories (or null)');
    if (files.length === 0 || !files.every((f) => typeof f === 'string')) throw new TypeError('client.load: name at least one .proto file after the import paths');
    return this.methods.add(loadProtoFiles(paths, files as string[], this.vu.instance.scriptDir));
  }

  loadProtoset(path: unknown): MethodInfo[] {
    if (!this.vu.inInitContext) throw new Error('load must be called in the init context');
    if (typeof path !== 'string') throw new TypeError('client.loadProtoset: the path must be a string');
    return this.methods.add(loadProtoset(path, this.vu.instance.scriptDir));
  }

  /** Checks run at once (so init-context misuse throws where it is written); the dial is the promise. */
  connect(address: unknown, params?: unknown): Promise<boolean> {
    const { vu } = this;
    if (this.vu.inInitContext) throw new Error('connecting to a gRPC server in the init context is not supported');
    const p = connectParamsOf(params);
    checkAddress(address, vu.instance.allowRemote);
    this.close();
    const options: grpc.ChannelOptions = {
      'grpc.use_local_subchannel_pool': 1, // a connection per client, as each k6 VU dials its own
      'grpc.primary_user_agent': vu.instance.httpDefaults.userAgent,
    };
    if (p.maxReceiveSize > 0) options['grpc.max_receive_message_length'] = p.maxReceiveSize;
    if (p.maxSendSize > 0) options['grpc.max_send_message_length'] = p.maxSendSize;
    if (p.authority) options['grpc.default_authority'] = p.authority;
    const client = new grpc.Client(address as string, channelCredentials(p, vu.instance.httpDefaults.insecureSkipTLSVerify), options);
    const deadline = Date.now() + p.timeoutMs;
    const dial = async () => {
      await whenReady(client, address as string, deadline, vu.signal);
      if (p.reflect) this.methods.add(rootFromDescriptorSet(await fetchFileDescriptors(client, p.reflectMetadata, deadline), 'reflection'));
    };
    return dial().then(
      () => {
        this.connection = { client, address: address as string };
        return true;
      },
      (error: unknown) => {
        client.close();
        throw error;
      },
    );
  }

  invoke(method: unknown, request: unknown, params?: unknown): Promise<GrpcResponse> {
    return guardUnawaited(this.unary(method, request, params, 'invoke'), 'client.invoke');
  }

  /** As k6: the same call as a promise (its argument errors reject it); the VU waits for it before the iteration ends. */
  asyncInvoke(method: unknown, request: unknown, params?: unknown): Promise<GrpcResponse> {
    const cancel = new AbortController();
    let promise: Promise<GrpcResponse>;
    try {
      promise = this.unary(method, request, params, 'asyncInvoke', cancel.signal);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const task = this.vu.loop.open(() => cancel.abort()); // a failed iteration does not wait for the answer
    promise.then(task.done, task.done);
    return promise;
  }

  healthCheck(service?: unknown): Promise<GrpcResponse> {
    const { healthRequest, healthResponse } = builtinTypes();
    const def: MethodDef = { path: '/grpc.health.v1.Health/Check', requestType: healthRequest, responseType: healthResponse, clientStream: false, serverStream: false };
    const body = Buffer.from(healthRequest.encode({ service: typeof service === 'string' ? service : '' }).finish());
    // k6 gives the serving status as its number (grpc.HealthCheckServing), not the enum's name
    const decode = (bytes: Buffer) => ({ status: (healthResponse.decode(bytes) as unknown as { status: number }).status });
    return guardUnawaited(this.call(def, body, callParamsOf(undefined, 'healthCheck', INVOKE_TIMEOUT_MS), decode), 'client.healthCheck');
  }

  close(): void {
    this.connection?.client.close();
    this.connection = undefined;
  }

  /** The connection a call needs, or k6's error. */
  connected(): GrpcConnection {
    if (this.vu.inInitContext) throw new Error('invoking RPC methods in the init context is not supported');
    if (!this.connection) throw new Error('no gRPC connection, you must call connect first');
    return this.connection;
  }

  /** Argument errors throw here, at the call, as in k6; the RPC itself is the promise. */
  private unary(method: unknown, request: unknown, params: unknown, name: string, cancel?: AbortSignal): Promise<GrpcResponse> {
    this.connected();
    const def = this.methods.get(method);
    const p = callParamsOf(params, `invalid GRPC's client.${name}() parameters`, INVOKE_TIMEOUT_MS);
    const body = encodeMessage(def.requestType, request);
    return this.call(def, body, p, p.discardResponseMessage ? () => null : (bytes) => decodeMessage(def.responseType, bytes), cancel);
  }

  /** One unary RPC: cancelled when the iteration is interrupted (IterationInterrupted) or `cancel` aborts (CANCELLED). */
  private call(def: MethodDef, body: Buffer, p: CallParams, decode: (bytes: Buffer) => unknown, cancel?: AbortSignal): Promise<GrpcResponse> {
    const { vu } = this;
    const { client, address } = this.connected();
    if (vu.signal.aborted) return Promise.reject(new IterationInterrupted());
    const started = performance.now();
    const response: GrpcResponse = { status: grpc.status.OK, message: null, headers: {}, trailers: {}, error: null };
    return new Promise<GrpcResponse>((resolve, reject) => {
      const onAbort = () => call.cancel();
      const call = client.makeUnaryRequest(def.path, identity, identity, body, p.metadata, { deadline: Date.now() + p.timeoutMs }, (error, reply?: Buffer) => {
        vu.signal.removeEventListener('abort', onAbort);
        cancel?.removeEventListener('abort', onAbort);
        if (vu.signal.aborted) return reject(new IterationInterrupted());
        const received = reply ? reply.length + 5 : 0;
        if (error) {
          response.status = error.code;
          response.error = { code: error.code, message: error.details, details: [] };
          response.trailers = metadataObject(error.metadata);
        } else {
          try {
            response.message = decode(reply!);
          } catch (e) {
            return reject(new Error(`unable to convert response object to JSON: ${(e as Error).message}`, { cause: e }));
          }
        }
        emitCall(vu, address, def.path, p.tags, response.status, performance.now() - started, body.length + 5, received);
        resolve(response);
      });
      call.on('metadata', (md) => (response.headers = metadataObject(md)));
      call.on('status', (s) => (response.trailers = metadataObject(s.metadata)));
      vu.signal.addEventListener('abort', onAbort, { once: true });
      cancel?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

const identity = (b: Buffer): Buffer => b;

/** Metadata as k6 shows headers and trailers: every key with its list of values. */
export function metadataObject(md: grpc.Metadata | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!md) return out;
  for (const [key, values] of Object.entries(md.toJSON())) out[key] = values.map((v) => (typeof v === 'string' ? v : Buffer.from(v).toString('latin1')));
  return out;
}

/** The tags k6 gives an RPC's samples: url (address + method), name, service, method, status. */
export function rpcTags(vu: VuContext, address: string, path: string, extra: Record<string, string> | undefined, status: number | undefined): Record<string, string> {
  const tags = vu.tags(extra);
  const [service = '', method = ''] = path.slice(1).split('/');
  tags.url = `${address}${path}`;
  tags.name = extra?.name ?? path;
  tags.service = service;
  tags.method = method;
  if (status !== undefined) tags.status = String(status);
  return tags;
}

/** grpc_req_duration and the bytes of the messages (with gRPC's 5-byte framing; HTTP/2 framing is not counted). */
export function emitCall(vu: VuContext, address: string, path: string, extra: Record<string, string> | undefined, status: number, ms: number, sent: number, received: number): void {
  const tags = rpcTags(vu, address, path, extra, status);
  const now = Date.now();
  vu.emit('grpc_req_duration', ms, tags, now);
  vu.emit('data_sent', sent, tags, now);
  vu.emit('data_received', received, tags, now);
}

function whenReady(client: grpc.Client, address: string, deadline: number, signal: AbortSignal): Promise<void> {
  const channel = client.getChannel();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new IterationInterrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (error?: Error) => {
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    const check = () => {
      const state = channel.getConnectivityState(true);
      if (state === grpc.connectivityState.READY) return settle();
      // as k6's blocking dial (FailOnNonTempDialError): a refused connection fails at once, not at the timeout
      if (state === grpc.connectivityState.TRANSIENT_FAILURE) return settle(new Error(`cannot connect to ${address}: the connection failed (refused, reset, a TLS handshake failure, or not HTTP/2)`));
      if (state === grpc.connectivityState.SHUTDOWN) return settle(new Error(`cannot connect to ${address}: the client was closed`));
      channel.watchConnectivityState(state, deadline, (error) => {
        if (signal.aborted) return;
        if (error) settle(new Error(`cannot connect to ${address}: no connection within the timeout (connect's timeout param)`));
        else check();
      });
    };
    check();
  });
}

/**
 * A promise whose response fields throw when read: the sign of a call the rewrite could not
 * await (made in a file that does not import k6/net/grpc, through a client passed in). Awaiting
 * it never touches them.
 */
function guardUnawaited<T>(promise: Promise<T>, what: string): Promise<T> {
  const message =
    `${what}() was not awaited, so its response is not there yet: the built-in engine makes gRPC calls blocking only in files that ` +
    "import k6/net/grpc; add `import grpc from 'k6/net/grpc';` to the file making the call (or write `await`)";
  for (const field of ['status', 'message', 'headers', 'trailers', 'error']) {
    Object.defineProperty(promise, field, {
      get() {
        throw new Error(message);
      },
    });
  }
  return promise;
}
