/**
 * The decoding of admitted exports, worked off a slice at a time between the event loop's I/O
 * turns. Decoding is the receiver's one large cost; done inside each request's I/O callback, as
 * many requests as had arrived were decoded in one turn before the loop looked at the sockets
 * again, so at 128 connections an export waited unseen for seconds and no admission rule could
 * answer it in time. Queued instead, an arrival costs only its body's bytes, admission sees the
 * backlog (`delayMs`: the queued bytes at the decode rate measured so far) and refuses with
 * Retry-After before an export would wait past its bound, and memory holds at most the queued
 * bodies. The spans of a slice are written (`onSliceEnd`) before any export of it is answered:
 * a 200 means on disk.
 */

/** One admitted export: `run` decodes and keeps its spans, and returns how to answer it once they are written. */
export interface ExportJob {
  /** body bytes, which the wait estimate counts */
  bytes: number;
  /** must not throw: a failure is an answer (a refusal) */
  run(): ExportAnswer;
}

/** Sends the answer; `error` when the slice's spans could not be written (answer a retryable refusal). */
export type ExportAnswer = (error?: unknown) => void;

export interface ExportQueueOptions {
  /** the slice's spans to disk, before its exports are answered */
  onSliceEnd: () => void;
  /** how long one slice decodes before the loop turns (default 20 ms) */
  sliceMs?: number;
  /** decode rate assumed before one is measured, bytes/ms (default 10,000: 10 MB/s, below what protobuf decodes at) */
  initialBytesPerMs?: number;
  /** runs the next slice after the loop's I/O (default setImmediate) */
  schedule?: (slice: () => void) => void;
  now?: () => number;
}

/** a fixed cost per export counted as bytes, so a flood of tiny exports is not estimated as free */
const PER_EXPORT_BYTES = 2048;
/** how much of the measured rate each slice keeps (the rest is the new slice's) */
const DECAY = 0.9;

export class ExportQueue {
  private readonly jobs: ExportJob[] = [];
  private head = 0;
  private bytes = 0;
  private scheduled = false;
  private workBytes: number;
  private workMs: number;
  private readonly sliceMs: number;
  private readonly schedule: (slice: () => void) => void;
  private readonly now: () => number;

  constructor(private readonly options: ExportQueueOptions) {
    this.sliceMs = options.sliceMs ?? 20;
    this.schedule = options.schedule ?? ((slice) => void setImmediate(slice));
    this.now = options.now ?? (() => performance.now());
    this.workMs = 10;
    this.workBytes = (options.initialBytesPerMs ?? 10_000) * this.workMs;
  }

  push(job: ExportJob): void {
    this.jobs.push({ ...job, bytes: job.bytes + PER_EXPORT_BYTES });
    this.bytes += job.bytes + PER_EXPORT_BYTES;
    this.wake();
  }

  /** exports waiting */
  get length(): number {
    return this.jobs.length - this.head;
  }

  /** body bytes waiting (what the queue holds in memory) */
  get queuedBytes(): number {
    return this.bytes - this.length * PER_EXPORT_BYTES;
  }

  /** decode rate measured so far, bytes/ms */
  get bytesPerMs(): number {
    return this.workBytes / this.workMs;
  }

  /** How long an export arriving now would wait before its decoding starts, ms, at the measured rate. */
  delayMs(): number {
    return this.bytes / this.bytesPerMs;
  }

  private wake(): void {
    if (this.scheduled || this.length === 0) return;
    this.scheduled = true;
    this.schedule(() => this.slice());
  }

  private slice(): void {
    this.scheduled = false;
    const start = this.now();
    const answers: ExportAnswer[] = [];
    let bytes = 0;
    do {
      const job = this.jobs[this.head++]!;
      this.bytes -= job.bytes;
      bytes += job.bytes;
      answers.push(job.run());
    } while (this.length > 0 && this.now() - start < this.sliceMs);
    this.compact();
    let failure: unknown;
    try {
      this.options.onSliceEnd();
    } catch (error) {
      failure = error ?? new Error('the spans could not be written');
    }
    for (const answer of answers) answer(failure);
    // the whole turn counts: decoding, the write and the answers
    this.learn(bytes, this.now() - start);
    this.wake();
  }

  /** Drops the done jobs from the array's front once they are most of it. */
  private compact(): void {
    if (this.head < 1024 || this.head * 2 < this.jobs.length) return;
    this.jobs.splice(0, this.head);
    this.head = 0;
  }

  private learn(bytes: number, ms: number): void {
    this.workBytes = this.workBytes * DECAY + bytes;
    this.workMs = this.workMs * DECAY + Math.max(ms, 0.01);
  }
}
