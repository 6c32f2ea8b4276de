import { request } from 'undici';

/**
 * Hands every received OTLP request on, unchanged, to an upstream endpoint (a collector, Tempo,
 * Jaeger) without ever slowing ingest: requests wait in a bounded queue and a few senders drain
 * it; when the upstream is slower than the stack, the oldest waiting requests are dropped and
 * counted, because the run directory (not the upstream) is the record of the drill.
 */

export interface ForwardedRequest {
  body: Buffer;
  contentType: string;
  contentEncoding?: string;
}

export interface ForwarderStats {
  forwarded: number;
  failed: number;
  dropped: number;
  lastError?: string;
}

export class Forwarder {
  private readonly queue: ForwardedRequest[] = [];
  private queuedBytes = 0;
  private active = 0;
  private readonly idle: Array<() => void> = [];
  private closed = false;
  readonly stats: ForwarderStats = { forwarded: 0, failed: 0, dropped: 0 };

  constructor(
    readonly url: string,
    private readonly options: { concurrency?: number; maxQueuedBytes?: number; timeoutMs?: number } = {},
  ) {}

  enqueue(item: ForwardedRequest): void {
    if (this.closed) return;
    this.queue.push(item);
    this.queuedBytes += item.body.length;
    const max = this.options.maxQueuedBytes ?? 64 * 1024 * 1024;
    while (this.queuedBytes > max && this.queue.length > 1) {
      this.queuedBytes -= this.queue.shift()!.body.length;
      this.stats.dropped++;
    }
    this.pump();
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 4;
    while (this.active < concurrency && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.queuedBytes -= item.body.length;
      this.active++;
      void this.send(item).finally(() => {
        this.active--;
        this.pump();
        if (this.active === 0 && this.queue.length === 0) for (const done of this.idle.splice(0)) done();
      });
    }
  }

  private async send(item: ForwardedRequest): Promise<void> {
    const headers: Record<string, string> = { 'content-type': item.contentType };
    if (item.contentEncoding) headers['content-encoding'] = item.contentEncoding;
    try {
      const res = await request(this.url, {
        method: 'POST',
        headers,
        body: item.body,
        headersTimeout: this.options.timeoutMs ?? 10_000,
        bodyTimeout: this.options.timeoutMs ?? 10_000,
      });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) this.stats.forwarded++;
      else {
        this.stats.failed++;
        this.stats.lastError = `upstream answered ${res.statusCode}`;
      }
    } catch (error) {
      this.stats.failed++;
      this.stats.lastError = (error as Error).message;
    }
  }

  /** Resolves once everything queued was sent (or failed), at most `timeoutMs` later. */
  async drain(timeoutMs = 5000): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async close(timeoutMs = 5000): Promise<void> {
    await this.drain(timeoutMs);
    this.closed = true;
    this.stats.dropped += this.queue.length;
    this.queue.length = 0;
  }
}
