export interface RateLimit {
  /** Items per second refilled. */
  perSecond: number;
  /** Bucket size: the largest burst allowed. */
  burst: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Token bucket per key; a request costs one token per item, so batching is not penalised. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string, cost: number): RateDecision {
    const bucket = this.refilled(key);
    if (cost <= bucket.tokens) {
      bucket.tokens -= cost;
      return { allowed: true };
    }
    return this.refusal(bucket.tokens, cost);
  }

  /**
   * What `take(key, cost)` would answer now, taking nothing: a batch is checked against what it holds so far
   * (a lower bound of its items) before it is read or scanned to its end (docs/adr/0119).
   */
  check(key: string, cost: number): RateDecision {
    const bucket = this.refilled(key);
    return cost <= bucket.tokens ? { allowed: true } : this.refusal(bucket.tokens, cost);
  }

  private refilled(key: string): { tokens: number; at: number } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    bucket.tokens = Math.min(
      this.limit.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond,
    );
    bucket.at = now;
    this.buckets.set(key, bucket);
    return bucket;
  }

  private refusal(tokens: number, cost: number): RateDecision {
    const deficit = Math.min(cost, this.limit.burst) - tokens;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(deficit / this.limit.perSecond)) };
  }
}
