import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvironmentError } from '../../errors.js';
import { RunDirectory } from '../../run/run-dir.js';
import type { SpanRecord } from '../../run/records.js';
import { AdmissionControl } from './admission.js';
import { EventLoopLag } from './event-loop-lag.js';
import { decodeExport, readExportBody, type ExportBody } from './export-body.js';
import { ExportQueue, type ExportAnswer } from './export-queue.js';
import { Forwarder, type ForwarderStats } from './forwarder.js';
import { exportContent, isRefusal, JSON_TYPE, routeRefusal, writeExportResponse, writeRefusal, type OtlpEncoding, type Refusal } from './http-edge.js';
import { SpanSpool, traceFileSink } from './span-spool.js';
import { TraceStore } from './trace-store.js';

/**
 * OTLP/HTTP trace receiver (POST /v1/traces, protobuf or JSON, optionally gzip), as the OTLP
 * specification's HTTP transport describes it. This file wires its units: the HTTP edge
 * (`http-edge.ts`: route, content types, answers), admission control (`admission.ts`: 413, 429,
 * 503 with Retry-After), the body (`export-body.ts`: read, gunzip, decode), span spooling
 * (`span-spool.ts`: store, live consumers, traces.ndjson in batches) and the forwarder.
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
  /** estimated wait for decoding past which a new export is answered 503 with Retry-After (default 1000 ms) */
  maxQueueDelayMs?: number;
  /** body bytes admitted and not yet decoded past which a new export is answered 429 (default 64 MiB) */
  maxQueuedBytes?: number;
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

export async function startOtlpReceiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const host = options.host ?? '127.0.0.1';
  const store = new TraceStore(options.maxSpans ?? 100_000);
  const runDir = runDirectoryOf(options);
  const spool = new SpanSpool(store, runDir && traceFileSink(runDir), options.onSpans ? { onSpans: options.onSpans } : {});
  spool.start(options.flushIntervalMs ?? 100);
  const lag = new EventLoopLag();
  const stopLag = lag.watch();
  const queue = new ExportQueue({ onSliceEnd: () => spool.flush() });
  const admission = new AdmissionControl(admissionLimits(options), {
    pendingSpans: () => spool.pendingSpans,
    eventLoopLagMs: () => lag.lagMs,
    queueDelayMs: () => queue.delayMs(),
  });
  const forwarder = options.forwardUrl ? new Forwarder(options.forwardUrl) : undefined;
  const endpoint = new TracesEndpoint(admission, queue, spool, forwarder);
  const server = createServer((req, res) => endpoint.serve(req, res));
  server.keepAliveTimeout = 30_000;
  const port = await listen(server, host, options.port ?? 4318);
  let closed: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    await closeServer(server);
    spool.close();
    stopLag();
    await forwarder?.close();
  };
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    store,
    flush: () => spool.flush(),
    stats: () => ({
      spansReceived: spool.spansReceived,
      ...endpoint.counters,
      throttled: admission.throttled,
      tracesEvicted: store.tracesEvicted,
      spansEvicted: store.spansEvicted,
      ...(forwarder ? { forward: { ...forwarder.stats } } : {}),
    }),
    close: () => (closed ??= close()),
  };
}

function runDirectoryOf(options: OtlpReceiverOptions): RunDirectory | undefined {
  if (options.runDir || !options.outDir) return options.runDir;
  mkdirSync(options.outDir, { recursive: true });
  return new RunDirectory(options.outDir);
}

function admissionLimits(options: OtlpReceiverOptions): AdmissionControl['limits'] {
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  return {
    maxBodyBytes,
    // OTLP compresses well, a zip bomb far better: inflating stops at 4x the wire limit
    maxInflatedBytes: maxBodyBytes * 4,
    maxConcurrentRequests: options.maxConcurrentRequests ?? 64,
    maxPendingSpans: options.maxPendingSpans ?? 50_000,
    maxEventLoopLagMs: options.maxEventLoopLagMs ?? 1000,
    maxQueueDelayMs: options.maxQueueDelayMs ?? 1000,
    maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
  };
}

/** POST /v1/traces: the steps of one export, from the route to the answer. */
class TracesEndpoint {
  readonly counters = { spansDropped: 0, requests: 0, rejected: 0 };

  constructor(
    private readonly admission: AdmissionControl,
    private readonly queue: ExportQueue,
    private readonly spool: SpanSpool,
    private readonly forwarder: Forwarder | undefined,
  ) {}

  serve(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch((error: unknown) => {
      // never crash the receiver on one bad request
      if (!res.headersSent) this.refuse(res, JSON_TYPE, { status: 500, message: `internal error: ${(error as Error).message}` });
      else res.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const wrongRoute = routeRefusal(req.method, req.url);
    if (wrongRoute) return this.refuse(res, JSON_TYPE, wrongRoute);
    this.counters.requests++;
    const content = exportContent(req.headers);
    if (content.refusal) return this.refuse(res, content.encoding, content.refusal);
    const tooLarge = this.admission.checkDeclaredLength(req.headers['content-length']);
    if (tooLarge) return this.refuse(res, content.encoding, tooLarge);
    const declared = Number(req.headers['content-length'] ?? 0) || 0;
    const busy = this.admission.admit(declared);
    if (busy) return this.refuseAfterBody(req, res, content.encoding, busy);
    try {
      await this.receive(req, res, content.encoding, content.gzip);
    } finally {
      this.admission.release(declared);
    }
  }

  /** Reads the body, then waits its turn in the decode queue; resolves once it is answered. */
  private async receive(req: IncomingMessage, res: ServerResponse, encoding: OtlpEncoding, gzip: boolean): Promise<void> {
    const body = await readExportBody(req, gzip, this.admission.limits);
    if (body === 'aborted') return;
    if (isRefusal(body)) return this.refuse(res, encoding, body);
    await new Promise<void>((answered) => {
      this.queue.push({
        bytes: body.body.length,
        run: () => {
          const answer = this.decode(req, res, encoding, gzip, body);
          return (error) => {
            answer(error);
            answered();
          };
        },
      });
    });
  }

  /** Decodes and keeps one export's spans (skipped when its client already left); returns how to answer it once they are written. */
  private decode(req: IncomingMessage, res: ServerResponse, encoding: OtlpEncoding, gzip: boolean, body: ExportBody): ExportAnswer {
    if (res.destroyed) return () => undefined;
    let decoded: ReturnType<typeof decodeExport>;
    try {
      decoded = decodeExport(encoding, body.body);
    } catch (error) {
      return () => this.refuse(res, encoding, { status: 500, message: `internal error: ${(error as Error).message}` });
    }
    if (isRefusal(decoded)) {
      const refusal = decoded;
      return () => this.refuse(res, encoding, refusal);
    }
    this.forwarder?.enqueue({ body: body.raw, contentType: req.headers['content-type']!, ...(gzip ? { contentEncoding: 'gzip' } : {}) });
    const duplicates = this.spool.take(decoded.spans, decoded.lines);
    const rejected = decoded.rejected + duplicates;
    this.counters.spansDropped += rejected;
    const why = decoded.rejectReason ?? (duplicates ? `${duplicates} span(s) already received (same trace and span id); kept once` : undefined);
    return (error) => {
      if (error) return this.refuse(res, encoding, { status: 503, message: `the spans could not be written (${(error as Error).message}); retry later`, retryAfter: 2 });
      if (!res.destroyed) writeExportResponse(res, encoding, rejected, why && rejected > 1 ? `${rejected} spans rejected; first: ${why}` : why);
    };
  }

  /**
   * A retryable refusal (429/503) is sent once the body has arrived (and been thrown away): closing
   * a connection with unread bytes resets it, and the exporter would see a network error instead
   * of the Retry-After it must honour.
   */
  private refuseAfterBody(req: IncomingMessage, res: ServerResponse, encoding: OtlpEncoding, refusal: Refusal): void {
    if (req.complete) return this.refuse(res, encoding, refusal);
    req.once('end', () => this.refuse(res, encoding, refusal));
    req.on('error', () => undefined);
    req.resume();
  }

  private refuse(res: ServerResponse, encoding: OtlpEncoding, refusal: Refusal): void {
    if (res.destroyed || res.headersSent) return;
    this.counters.rejected++;
    writeRefusal(res, encoding, refusal);
  }
}

/** Binds, or explains a port in use; resolves the bound port. */
async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new EnvironmentError(`OTLP receiver: port ${port} on ${host} is in use; stop what listens there or pass another --port`, { cause: error })
          : error,
      );
    });
    server.listen(port, host, () => resolve());
  });
  server.on('error', () => {
    // after listening, socket errors belong to single connections
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  return (server.address() as AddressInfo).port;
}

/** Stops accepting, lets exports in progress finish, and cuts connections still open after 2 s. */
function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}
