/**
 * Token bucket per client, pure (the clock is passed in): `rate` tokens per second refill up to
 * `burst`; a request takes one token or is refused with the seconds until the next token.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly maxClients = 10_000,
  ) {}

  /** 0 when allowed, otherwise the seconds to wait (for Retry-After). */
  take(client: string, nowMs: number): number {
    let bucket = this.buckets.get(client);
    if (!bucket) {
      if (this.buckets.size >= this.maxClients) this.prune(nowMs);
      bucket = { tokens: this.burst, at: nowMs };
      this.buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * this.rate);
    bucket.at = nowMs;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / this.rate;
  }

  /** Forgets clients whose bucket is full again (they would start full anyway). */
  private prune(nowMs: number): void {
    for (const [client, bucket] of this.buckets) {
      if (bucket.tokens + ((nowMs - bucket.at) / 1000) * this.rate >= this.burst) this.buckets.delete(client);
    }
  }
}
