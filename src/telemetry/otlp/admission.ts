import type { BodyLimits } from './export-body.js';
import type { Refusal } from './http-edge.js';

/**
 * Admission control: how much the receiver takes in at once, and what it refuses before reading
 * a body. The OTLP/HTTP specification gives a receiver that cannot keep up two retryable answers
 * with Retry-After, which exporters honour by backing off: 429 while too many exports are in
 * flight, 503 while it is overloaded (spans waiting for the disk, an event loop seconds behind).
 * A declared body past the byte limit is 413, which is not retryable. Pure over two probes the
 * receiver passes in, so every threshold is tested without sockets.
 */

export interface AdmissionLimits extends BodyLimits {
  /** exports being received or decoded at once before answering 429 */
  maxConcurrentRequests: number;
  /** span lines waiting for the disk before answering 503 */
  maxPendingSpans: number;
  /** event-loop lag (ms) past which the receiver answers 503 */
  maxEventLoopLagMs: number;
}

/** What the receiver is carrying now. */
export interface LoadProbes {
  pendingSpans(): number;
  eventLoopLagMs(): number;
}

export class AdmissionControl {
  private active = 0;
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

  /** Takes an export in (in flight until `release`), or says why not now. */
  admit(): Refusal | undefined {
    const refusal = this.backPressure();
    if (refusal) this.refusedForLoad++;
    else this.active++;
    return refusal;
  }

  /** An admitted export was answered (or abandoned). */
  release(): void {
    this.active--;
  }

  get inFlight(): number {
    return this.active;
  }

  /** 429/503 answers so far */
  get throttled(): number {
    return this.refusedForLoad;
  }

  private backPressure(): Refusal | undefined {
    const { maxConcurrentRequests, maxPendingSpans, maxEventLoopLagMs } = this.limits;
    if (this.active >= maxConcurrentRequests) {
      return { status: 429, message: `more than ${maxConcurrentRequests} export requests at once; retry later`, retryAfter: 1 };
    }
    if (this.probes.pendingSpans() >= maxPendingSpans) return { status: 503, message: 'spans are waiting for the disk; retry later', retryAfter: 2 };
    const lag = this.probes.eventLoopLagMs();
    if (lag > maxEventLoopLagMs) return { status: 503, message: `the receiver is ${Math.round(lag)} ms behind; retry later`, retryAfter: 1 };
    return undefined;
  }
}
