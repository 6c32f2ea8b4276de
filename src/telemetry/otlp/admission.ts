import type { BodyLimits } from './export-body.js';
import type { Refusal } from './http-edge.js';

/**
 * Admission control: how much the receiver takes in at once, and what it refuses before reading
 * a body. The OTLP/HTTP specification gives a receiver that cannot keep up two retryable answers
 * with Retry-After, which exporters honour by backing off: 429 while too many exports are in
 * flight or their bodies would hold too much memory, 503 while it is overloaded (the exports
 * queued for decoding would make this one wait past `maxQueueDelayMs`, spans waiting for the
 * disk, an event loop seconds behind). So every export is answered within about the queue bound,
 * and one that would wait longer is told when to come back instead. A declared body past the byte
 * limit is 413, which is not retryable. Pure over the probes the receiver passes in, so every
 * threshold is tested without sockets.
 */

export interface AdmissionLimits extends BodyLimits {
  /** exports being received or decoded at once before answering 429 */
  maxConcurrentRequests: number;
  /** span lines waiting for the disk before answering 503 */
  maxPendingSpans: number;
  /** event-loop lag (ms) past which the receiver answers 503 */
  maxEventLoopLagMs: number;
  /** how long an admitted export may wait to be decoded (ms, estimated) before the receiver answers 503 */
  maxQueueDelayMs: number;
  /** body bytes admitted and not yet decoded before the receiver answers 429 */
  maxQueuedBytes: number;
}

/** What the receiver is carrying now. */
export interface LoadProbes {
  pendingSpans(): number;
  eventLoopLagMs(): number;
  /** ms an export admitted now would wait before its decoding starts (the backlog ahead of it) */
  queueDelayMs(): number;
}

export class AdmissionControl {
  private active = 0;
  /** declared bytes of the exports admitted and not yet released */
  private reserved = 0;
  private refusedForLoad = 0;

  constructor(
    readonly limits: AdmissionLimits,
    private readonly probes: LoadProbes,
  ) {}

  /** 413 for a Content-Length past the limit, before a byte is read. */
  checkDeclaredLength(contentLength: string | undefined): Refusal | undefined {
    if (Number(contentLength ?? 0) <= this.limits.maxBodyBytes) return undefined;
    return { status: 413, message: `body of ${contentLength} bytes exceeds the limit of ${this.limits.maxBodyBytes}` };
  }

  /** Takes an export of `bytes` (as declared; 0 when not) in, in flight until `release(bytes)`, or says why not now. */
  admit(bytes = 0): Refusal | undefined {
    const refusal = this.backPressure(bytes);
    if (refusal) {
      this.refusedForLoad++;
      return refusal;
    }
    this.active++;
    this.reserved += bytes;
    return undefined;
  }

  /** An admitted export was answered (or abandoned). */
  release(bytes = 0): void {
    this.active--;
    this.reserved -= bytes;
  }

  get inFlight(): number {
    return this.active;
  }

  /** 429/503 answers so far */
  get throttled(): number {
    return this.refusedForLoad;
  }

  private backPressure(bytes: number): Refusal | undefined {
    const { maxConcurrentRequests, maxPendingSpans, maxEventLoopLagMs, maxQueueDelayMs, maxQueuedBytes } = this.limits;
    if (this.active >= maxConcurrentRequests) {
      return { status: 429, message: `more than ${maxConcurrentRequests} export requests at once; retry later`, retryAfter: 1 };
    }
    if (this.active > 0 && this.reserved + bytes > maxQueuedBytes) {
      return { status: 429, message: `more than ${maxQueuedBytes} bytes of exports waiting to be decoded; retry later`, retryAfter: 1 };
    }
    if (this.probes.pendingSpans() >= maxPendingSpans) return { status: 503, message: 'spans are waiting for the disk; retry later', retryAfter: 2 };
    const lag = this.probes.eventLoopLagMs();
    if (lag > maxEventLoopLagMs) return { status: 503, message: `the receiver is ${Math.round(lag)} ms behind; retry later`, retryAfter: 1 };
    const wait = this.probes.queueDelayMs();
    if (wait > maxQueueDelayMs) {
      return { status: 503, message: `exports queued for about ${Math.round(wait)} ms of decoding; retry later`, retryAfter: Math.max(1, Math.ceil(wait / 1000)) };
    }
    return undefined;
  }
}
