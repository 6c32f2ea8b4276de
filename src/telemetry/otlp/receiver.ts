import { appendFileSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { EnvironmentError } from '../../errors.js';
import { RunDirectory } from '../../run/run-dir.js';
import type { SpanRecord } from '../../run/records.js';
import { BadOtlpBody, decodeJsonRequest, decodeProtobufRequest, type DecodedSpans } from './decode.js';
import { Forwarder, type ForwarderStats } from './forwarder.js';
import { ExportTraceServiceResponse, RpcCode, RpcStatus } from './otlp-proto.js';
import { TraceStore } from './trace-store.js';

/**
 * OTLP/HTTP trace receiver (POST /v1/traces, protobuf or JSON, optionally gzip), as the OTLP
 * specification's HTTP transport describes it: 200 with an ExportTraceServiceResponse (with
 * partial_success when spans were rejected), 400 for a body that does not decode, 413 when too
 * large, 415 for other content types, 429/503 with Retry-After when it cannot keep up. Error
 * bodies are google.rpc.Status in the request's encoding. Spans go to the run directory in
 * small batches and into a bounded in-memory store.
 */

export interface OtlpReceiverOptions {
  host?: string;
  /** 4318 by default (the OTLP/HTTP port); 0 picks a free one */
  port?: number;
  runDir?: RunDirectory;
  /** without runDir: write `traces.ndjson` into this folder */
  outDir?: string;
  /** spans held in memory before whole old traces are evicted (default 100,000) */
  maxSpans?: number;
  /** largest request body, compressed (default 16 MiB); decompressed bodies may be 4x that */
  maxBodyBytes?: number;
  forwardUrl?: string;
  /** requests being received or decoded at once before answering 429 (default 64) */
  maxConcurrentRequests?: number;
  /** span lines waiting for the disk before answering 503 (default 50,000) */
  maxPendingSpans?: number;
  /** event-loop lag past which the receiver answers 503: it is not keeping up (default 1000 ms) */
  maxEventLoopLagMs?: number;
  /** how often buffered spans are written (default 100 ms) */
  flushIntervalMs?: number;
  /** called with every accepted batch (live consumers) */
  onSpans?: (spans: readonly SpanRecord[]) => void;
}

export interface OtlpReceiverStats {
  spansReceived: number;
  /** spans rejected as invalid (reported back in partial_success) */
  spansDropped: number;
  tracesEvicted: number;
  spansEvicted: number;
  /** POST /v1/traces requests */
  requests: number;
  /** requests answered with an error status (4xx/5xx) */
  rejected: number;
  /** of those, 429/503 back-pressure answers */
  throttled: number;
  forward?: ForwarderStats;
}

export interface OtlpReceiver {
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): OtlpReceiverStats;
  store: TraceStore;
  /** writes buffered spans to disk now */
  flush(): void;
}

const gunzipAsync = promisify(gunzip);
const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
type Encoding = typeof PROTOBUF | typeof JSON_TYPE;

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const maxBody = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const maxConcurrent = options.maxConcurrentRequests ?? 64;
  const maxPending = options.maxPendingSpans ?? 50_000;
  const store = new TraceStore(options.maxSpans ?? 100_000);
  let runDir = options.runDir;
  if (!runDir && options.outDir) {
    mkdirSync(options.outDir, { recursive: true });
    runDir = new RunDirectory(options.outDir);
  }
  const forwarder = options.forwardUrl ? new Forwarder(options.forwardUrl) : undefined;
  const counters = { spansReceived: 0, spansDropped: 0, requests: 0, rejected: 0, throttled: 0 };
  // JSON lines waiting for the disk: the same lines RunDirectory.appendSpans writes, made once and
  // shared with the in-memory store
  let pending: string[] = [];
  let inFlight = 0;

  const flush = (): void => {
    if (!pending.length || !runDir) {
      pending = [];
      return;
    }
    const batch = pending;
    pending = [];
    appendFileSync(runDir.path('traces'), batch.join('\n') + '\n');
  };
  const timer = setInterval(flush, options.flushIntervalMs ?? 100);
  timer.unref();
  // event-loop lag, sampled by a 50 ms timer's drift: a loop lagging by seconds cannot keep up,
  // and taking more work would only grow memory and every exporter's latency
  const maxLag = options.maxEventLoopLagMs ?? 1000;
  // the worst drift of the last 10 ticks (half a second), so one quick tick does not hide it
  const drifts: number[] = [];
  let lagMs = 0;
  let lastTick = performance.now();
  const lagTimer = setInterval(() => {
    const now = performance.now();
    drifts.push(Math.max(0, now - lastTick - 50));
    if (drifts.length > 10) drifts.shift();
    lagMs = Math.max(...drifts);
    lastTick = now;
  }, 50);
  lagTimer.unref();

  const fail = (res: ServerResponse, status: number, encoding: Encoding, message: string, retryAfter?: number): void => {
    counters.rejected++;
    const code = status === 429 ? RpcCode.resourceExhausted : status >= 500 ? RpcCode.unavailable : RpcCode.invalidArgument;
    const body =
      encoding === PROTOBUF ? Buffer.from(RpcStatus.encode(RpcStatus.create({ code, message })).finish()) : Buffer.from(JSON.stringify({ code, message }));
    const headers: Record<string, string | number> = { 'content-type': encoding, 'content-length': body.length };
    if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
    // a body we did not read must not be parsed as the next request on this connection
    if (!res.req.complete) headers.connection = 'close';
    res.writeHead(status, headers).end(body);
  };

  const accept = (res: ServerResponse, encoding: Encoding, decoded: DecodedSpans): void => {
    if (decoded.spans.length) {
      counters.spansReceived += decoded.spans.length;
      store.addEncoded(decoded.spans, decoded.lines);
      if (runDir) for (const line of decoded.lines) pending.push(line);
      if (pending.length >= 5000) flush();
      options.onSpans?.(decoded.spans);
    }
    counters.spansDropped += decoded.rejected;
    const partial = decoded.rejected ? { rejectedSpans: decoded.rejected, errorMessage: decoded.rejectReason ?? '' } : undefined;
    let body: Buffer;
    if (encoding === PROTOBUF) {
      body = Buffer.from(ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create(partial ? { partialSuccess: partial } : {})).finish());
    } else {
      // OTLP/JSON writes int64 as a decimal string
      body = Buffer.from(JSON.stringify(partial ? { partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage } } : {}));
    }
    res.writeHead(200, { 'content-type': encoding, 'content-length': body.length }).end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/v1/traces') {
      fail(res, 404, JSON_TYPE, `no such endpoint ${path}; this receiver takes traces at POST /v1/traces`);
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      fail(res, 405, JSON_TYPE, 'use POST /v1/traces');
      return;
    }
    counters.requests++;
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== PROTOBUF && type !== JSON_TYPE) {
      fail(res, 415, JSON_TYPE, `unsupported content type "${type}"; send ${PROTOBUF} or ${JSON_TYPE}`);
      return;
    }
    const encodingHeader = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encodingHeader !== 'identity' && encodingHeader !== 'gzip') {
      fail(res, 415, type, `unsupported content encoding "${encodingHeader}"; send gzip or none`);
      return;
    }
    if (Number(req.headers['content-length'] ?? 0) > maxBody) {
      fail(res, 413, type, `body of ${req.headers['content-length']} bytes exceeds the limit of ${maxBody}`);
      return;
    }
    if (inFlight >= maxConcurrent) {
      counters.throttled++;
      fail(res, 429, type, `more than ${maxConcurrent} export requests at once; retry later`, 1);
      return;
    }
    if (pending.length >= maxPending) {
      counters.throttled++;
      fail(res, 503, type, 'spans are waiting for the disk; retry later', 2);
      return;
    }
    if (lagMs > maxLag) {
      counters.throttled++;
      fail(res, 503, type, `the receiver is ${Math.round(lagMs)} ms behind; retry later`, 1);
      return;
    }
    inFlight++;
    try {
      const raw = await readBody(req, maxBody);
      if (raw === 'too-large') return fail(res, 413, type, `body exceeds the limit of ${maxBody} bytes`);
      if (raw === 'aborted') return;
      let body = raw;
      if (encodingHeader === 'gzip') {
        try {
          body = await gunzipAsync(raw, { maxOutputLength: maxBody * 4 });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
            return fail(res, 413, type, `decompressed body exceeds the limit of ${maxBody * 4} bytes`);
          }
          return fail(res, 400, type, `gzip body does not decompress: ${(error as Error).message}`);
        }
      }
      let decoded: DecodedSpans;
      try {
        decoded = type === PROTOBUF ? decodeProtobufRequest(body) : decodeJsonRequest(body.toString('utf8'));
      } catch (error) {
        if (error instanceof BadOtlpBody) return fail(res, 400, type, error.message);
        throw error;
      }
      forwarder?.enqueue({ body: raw, contentType: req.headers['content-type']!, ...(encodingHeader === 'gzip' ? { contentEncoding: 'gzip' } : {}) });
      accept(res, type, decoded);
    } finally {
      inFlight--;
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // never crash the receiver on one bad request
      if (!res.headersSent) fail(res, 500, JSON_TYPE, `internal error: ${(error as Error).message}`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const port = options.port ?? 4318;
      reject(
        error.code === 'EADDRINUSE'
          ? new EnvironmentError(`OTLP receiver: port ${port} on ${host} is in use; stop what listens there or pass another --port`, { cause: error })
          : error,
      );
    });
    server.listen(options.port ?? 4318, host, () => resolve());
  });
  server.on('error', () => {
    // after listening, socket errors belong to single connections
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    store,
    flush,
    stats: () => ({ ...counters, tracesEvicted: store.tracesEvicted, spansEvicted: store.spansEvicted, ...(forwarder ? { forward: { ...forwarder.stats } } : {}) }),
    close: () =>
      (closed ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          setTimeout(() => server.closeAllConnections(), 2000).unref();
        });
        clearInterval(timer);
        clearInterval(lagTimer);
        flush();
        await forwarder?.close();
      })()),
  };
}

/** Reads the whole body up to `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | 'too-large' | 'aborted') => {
      if (done) return;
      done = true;
      resolve(v);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(Buffer.concat(chunks, size)));
    req.on('error', () => finish('aborted'));
    req.on('close', () => finish(req.complete ? Buffer.concat(chunks, size) : 'aborted'));
  });
}
